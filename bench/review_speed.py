"""Review speed: what a reviewer waits for on a desk of 10k claims and 100k source
passages, one user at a time, on SQLite and PostgreSQL, beside the in-Python
"checked before?" scan that the claim search index replaced.

The desk is built in a temporary SQLite file and a temporary PostgreSQL database
(created and dropped on the server at 127.0.0.1:5432) through the real write paths:
articles are stored by ``services.articles.ingest`` from ready-made extractions (which
indexes their claims), sources by ``services.sources.import_records`` (one in ten a
fact-check). Claims and passages are resampled from the CheckThat! 2022 2A verified
claims in ../shared when present, else generated, so some claims recur across articles.

Timed steps, each on the same sample of claims:

- article page: ``GET /articles/{id}`` (full page);
- claim panel: ``GET /articles/{id}/claims/{claim}`` with ``HX-Request: true``; baseline:
  the same request with the old "checked before?" (``old_checked_before`` below);
- source search: ``services.matching.match`` (limit 5);
- checked before: ``services.matching.checked_before``; baseline: ``old_checked_before``;
- link evidence, propose: ``services.review`` when it exists, else "n/a (not built yet)".

Target: claim panel p95 <= 150 ms at 10k claims / 100k passages on both databases.

Usage: python bench/review_speed.py [--claims 10000] [--passages 100000]
       [--backends sqlite,postgresql] [--queries 60] [--baseline-queries 15] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import pstats
import random
import string
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
VCLAIMS = SHARED / "data" / "claim-retrieval" / "vclaims.jsonl"
ADMIN_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
SEED = 20261129
CLAIMS_PER_ARTICLE = 12
PASSWORD = "bench password 1234"


# --- the baseline: "checked before?" as it was before the claim search index ---------------

CLAIMS_SCANNED = 20_000
FILTERED_CANDIDATES = 1000


def old_checked_before(session: Any, text: str, *, limit: int = 5) -> Any:
    """The replaced ``checked_before``: fact-checks re-ranked from 1,000 unfiltered
    candidates, and the newest 20,000 claims read and tokenised on every call."""
    from sqlalchemy import select

    from claimdesk.core import matching as core
    from claimdesk.core.match_text import terms as index_terms
    from claimdesk.services import matching
    from claimdesk.store import search_index
    from claimdesk.store.models import Claim

    conn = session.connection()
    query = core.prepare(text)
    fact_checks = []
    if not query.is_empty:
        doc_freq = search_index.doc_freq(conn, query.terms)
        index = search_index.stats(conn)
        stats = core.CorpusStats(index.documents, index.average_length, doc_freq)
        chosen = core.select_terms(query.terms, doc_freq, postings_budget=matching.POSTINGS_BUDGET)
        weights = {t: stats.idf(t) for t in chosen}
        found = search_index.candidates(conn, chosen, weights, limit=FILTERED_CANDIDATES)
        ranked = matching._rank(session, query, dict(found), stats, limit=limit, kind="fact_check")
        fact_checks = [m for m in ranked if m.score >= core.SUGGEST]
    if query.is_empty:
        return matching.CheckedBefore([], fact_checks)
    claim = Claim.__table__  # type: ignore[attr-defined]
    rows = [
        (int(r.id), str(r.statement), str(r.status))
        for r in conn.execute(
            select(claim.c.id, claim.c.statement, claim.c.status)
            .order_by(claim.c.id.desc())
            .limit(CLAIMS_SCANNED)
        )
    ]
    wanted = set(query.terms)
    relevant: list[tuple[int, str, str]] = []
    claim_freq: Counter[str] = Counter()
    lengths = 0
    for cid, st, state in rows:
        words = index_terms(st)
        shared = wanted.intersection(words)
        if shared:
            relevant.append((cid, st, state))
            lengths += len(words)
            claim_freq.update(shared)
    if not relevant:
        return matching.CheckedBefore([], fact_checks)
    claim_stats = core.CorpusStats(len(rows), lengths / len(relevant), claim_freq)
    candidates = [core.Candidate(cid, cid, st) for cid, st, _status in relevant]
    status = {cid: s for cid, _st, s in relevant}
    ranked_claims = [
        m for m in core.rank(query, candidates, claim_stats, limit=limit) if m.score >= core.SUGGEST
    ]
    verdicts = matching._latest_verdicts(session, [m.candidate.source_id for m in ranked_claims])
    claims = [
        matching.ClaimMatch(
            claim_id=m.candidate.source_id,
            statement=m.candidate.text,
            status=status[m.candidate.source_id],
            verdict=verdicts.get(m.candidate.source_id),
            score=m.score,
            why=m.why,
        )
        for m in ranked_claims
    ]
    return matching.CheckedBefore(claims, fact_checks)


# --- desk text ------------------------------------------------------------------------------


def load_sentences() -> list[dict[str, str]]:
    """Verified claims from ../shared, or generated ones when the data is absent."""
    if VCLAIMS.exists():
        with VCLAIMS.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]
    rng = random.Random(SEED)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(5000)]
    made = []
    for k in range(14_000):
        body = " ".join(rng.choices(words, k=rng.randint(8, 20)))
        made.append({"vclaim": f"{body.capitalize()} in {2000 + k % 25}.", "title": body[:40]})
    return made


def _sentence(doc: dict[str, str]) -> str:
    text = " ".join((doc.get("vclaim") or doc.get("title") or "claim").split())
    return text if text.endswith((".", "!", "?")) else text + "."


def extractions(corpus: list[dict[str, str]], claims: int) -> Iterator[Any]:
    """Articles of ``CLAIMS_PER_ARTICLE`` claims (the last one shorter), deterministic."""
    from claimdesk.core.extraction import ClaimSpan, Extraction

    rng = random.Random(SEED)
    made = 0
    number = 0
    while made < claims:
        n = min(CLAIMS_PER_ARTICLE, claims - made)
        sentences = [_sentence(corpus[rng.randrange(len(corpus))]) for _ in range(n)]
        text, spans = f"Desk article {number}.", []
        for s in sentences:
            text += "\n\n" if rng.random() < 0.3 else " "
            spans.append(ClaimSpan(len(text), len(text) + len(s), s, s, None, 0.9, ("bench",)))
            text += s
        yield Extraction(title=f"Desk article {number}", text=text, claims=spans)
        made += n
        number += 1


def records(corpus: list[dict[str, str]], count: int) -> Iterator[Any]:
    from claimdesk.core.sources_records import SourceRecord

    for k in range(count):
        rng = random.Random(SEED * 1_000_003 + k)
        doc = corpus[rng.randrange(len(corpus))]
        text = doc.get("vclaim") or doc.get("title") or "passage"
        if rng.random() < 0.5:
            text = f"{text} {corpus[rng.randrange(len(corpus))].get('subtitle') or ''}".strip()
        fact_check = k % 10 == 0
        yield SourceRecord(
            text=text,
            title=doc.get("title") or None,
            external_id=f"p{k}",
            kind="fact_check" if fact_check else "document",
            rating_text="False" if fact_check else None,
        )


# --- building and timing --------------------------------------------------------------------


@contextmanager
def temporary_database(backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'review.db'}"
        return
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from claimdesk.store.engine import make_engine

    admin = make_engine(ADMIN_PG, isolation_level="AUTOCOMMIT")
    name = f"claimdesk_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_PG).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build_desk(db: Any, corpus: list[dict[str, str]], claims: int, passages: int) -> None:
    from claimdesk.services import accounts, articles, sources
    from claimdesk.services.events import SYSTEM

    t0 = time.perf_counter()
    with db.session(write=True) as session:
        sources.import_records(
            session, records(corpus, passages), collection="bench", actor=SYSTEM, batch_size=5000
        )
    t1 = time.perf_counter()
    with db.session(write=True) as session:
        for extraction in extractions(corpus, claims):
            articles.ingest(session, extraction=extraction, actor=SYSTEM, min_score=0.0)
        accounts.add_user(
            session, email="reviewer@bench.test", role="reviewer", password=PASSWORD, actor=SYSTEM
        )
    t2 = time.perf_counter()
    print(
        f"  built: {passages:,} sources in {t1 - t0:.0f} s, {claims:,} claims in {t2 - t1:.0f} s",
        flush=True,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(calls: list[Callable[[], object]], warm: int = 3) -> list[float]:
    for call in calls[:warm]:
        call()
    out = []
    for call in calls:
        t = time.perf_counter()
        call()
        out.append((time.perf_counter() - t) * 1000)
    return out


def profile_panel(calls: list[Callable[[], object]]) -> None:
    """cProfile the claim panel route's handler in the server's worker thread (the test
    client runs it there, out of reach of a profile of this thread)."""
    from claimdesk.web import review_pages

    original = review_pages.render_article
    profile = cProfile.Profile()

    def profiled(*args: Any, **kwargs: Any) -> Any:
        profile.enable()
        try:
            return original(*args, **kwargs)
        finally:
            profile.disable()

    review_pages.render_article = profiled  # type: ignore[assignment]
    try:
        for call in calls:
            call()
    finally:
        review_pages.render_article = original  # type: ignore[assignment]
    print(f"  claim panel handler profile ({len(calls)} requests), cumulative:")
    pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(40)


def review_service() -> Any | None:
    if importlib.util.find_spec("claimdesk.services.review") is None:
        return None
    import claimdesk.services.review as review

    return review


Row = tuple[str, list[float] | None, list[float] | None]


def run_backend(backend: str, args: argparse.Namespace, corpus: list[dict[str, str]]) -> list[Row]:
    from fastapi.testclient import TestClient
    from sqlmodel import select

    from claimdesk.config import Settings
    from claimdesk.services import matching
    from claimdesk.store.database import Database
    from claimdesk.store.models import Claim
    from claimdesk.web.app import create_app

    with (
        tempfile.TemporaryDirectory(prefix="claimdesk-review-") as tmp,
        temporary_database(backend, Path(tmp)) as url,
    ):
        print(f"{backend}:", flush=True)
        db = Database.open(url)
        build_desk(db, corpus, args.claims, args.passages)
        with db.session() as session:
            every = [(c.article_id, c.id, c.statement) for c in session.exec(select(Claim)).all()]
        sample = random.Random(SEED).sample(every, min(args.queries, len(every)))
        few = sample[: args.baseline_queries]
        app = create_app(Settings(database_url=url, secret_key="bench"), database=db)
        rows: list[Row] = []
        with TestClient(app, base_url="http://testserver") as browser:
            response = browser.post(
                "/login", data={"email": "reviewer@bench.test", "password": PASSWORD}
            )
            assert response.status_code in (200, 303), response.text

            def get(path: str, htmx: bool) -> Callable[[], object]:
                headers = {"HX-Request": "true"} if htmx else {}

                def call() -> object:
                    reply = browser.get(path, headers=headers)
                    assert reply.status_code == 200, reply.status_code
                    return reply

                return call

            article = timed([get(f"/articles/{a}", False) for a, _c, _s in sample])
            panel_calls = [get(f"/articles/{a}/claims/{c}", True) for a, c, _s in sample]
            panel = timed(panel_calls)
            if args.profile:
                profile_panel(panel_calls)
            new_checked_before = matching.checked_before
            matching.checked_before = old_checked_before  # type: ignore[assignment]
            try:
                old_panel = timed([get(f"/articles/{a}/claims/{c}", True) for a, c, _s in few])
            finally:
                matching.checked_before = new_checked_before  # type: ignore[assignment]
            rows += [("article page", article, None), ("claim panel", panel, old_panel)]
        with db.session() as session:
            search = timed([lambda s=s: matching.match(session, s, limit=5) for *_, s in sample])
            ours = timed([lambda s=s: matching.checked_before(session, s) for *_, s in sample])
            old = timed([lambda s=s: old_checked_before(session, s) for *_, s in few], warm=1)
        rows += [("source search", search, None), ("checked before", ours, old)]
        if review_service() is None:
            rows += [("link evidence", None, None), ("propose", None, None)]
        else:
            rows += review_steps(db, [c for _a, c, _s in sample])
        db.close()
        return rows


def review_steps(db: Any, claim_ids: list[int]) -> list[Row]:
    """Link a source as evidence, then (after an untimed ``start``) propose a verdict."""
    from sqlmodel import select

    from claimdesk.services import evidence, rating_scale, review
    from claimdesk.services.accounts import Principal
    from claimdesk.store.models import Claim, Source, User

    with db.session(write=True) as session:
        label = rating_scale.active_scale(session).labels[0].name
        user = session.exec(select(User).where(User.email == "reviewer@bench.test")).one()
        source_ids = list(session.exec(select(Source.id).limit(len(claim_ids))).all())
    who = Principal(user.id, user.email, "reviewer", "session", 0)
    linked, proposed = [], []
    for claim_id, source_id in zip(claim_ids, source_ids, strict=False):
        with db.session(write=True) as session:
            t = time.perf_counter()
            evidence.link_evidence(
                session, claim_id=claim_id, source_id=source_id, stance="supports", principal=who
            )
            linked.append((time.perf_counter() - t) * 1000)
        with db.session(write=True) as session:
            claim = session.get(Claim, claim_id)
            review.act(
                session, claim_id=claim_id, action="start", row_version=claim.row_version,
                principal=who,
            )  # fmt: skip
        with db.session(write=True) as session:
            version = session.get(Claim, claim_id).row_version
            t = time.perf_counter()
            review.act(
                session, claim_id=claim_id, action="propose", row_version=version,
                principal=who, label=label, rationale="Bench: the figures do not add up.",
            )  # fmt: skip
            proposed.append((time.perf_counter() - t) * 1000)
    return [("link evidence", linked, None), ("propose", proposed, None)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=60, help="timed claims per step")
    parser.add_argument("--baseline-queries", type=int, default=15, help="for the old scan")
    parser.add_argument("--profile", action="store_true", help="cProfile the claim panel")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    corpus = load_sentences()
    source = "../shared verified claims" if VCLAIMS.exists() else "generated text"
    print(f"desk: {args.claims:,} claims, {args.passages:,} passages ({source})", flush=True)
    results = {b: run_backend(b, args, corpus) for b in args.backends.split(",")}
    print()
    print(
        f"{'backend':<11} {'step':<15} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'old p50':>8} {'old p95':>8} {'old/ours p50':>13}"
    )
    for backend, rows in results.items():
        for step, ours, old in rows:
            if ours is None:
                print(f"{backend:<11} {step:<15} {'n/a (not built yet)':>17}")
                continue
            line = (
                f"{backend:<11} {step:<15} {percentile(ours, 50):8.1f} {percentile(ours, 95):8.1f}"
            )
            if old is not None:
                ratio = percentile(old, 50) / percentile(ours, 50)
                line += f" {percentile(old, 50):8.1f} {percentile(old, 95):8.1f} {ratio:12.1f}x"
            print(line)
    print(
        f"(ours on {args.queries} claims, the old scan on {args.baseline_queries}; "
        f"total {time.perf_counter() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
