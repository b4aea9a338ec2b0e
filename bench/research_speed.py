"""Research speed: the claim search page (``GET /claims?q=…``, with its facets), "checked
before?" (``services.matching.checked_before``) and ``GET /api/claims?q=…`` on desks of
10k and 100k claims, on SQLite and on a throw-away PostgreSQL database, beside the
in-Python scan the index replaces (read every statement, quote and published rationale,
tokenise them with ``core.match_text.terms`` and keep those holding every query term),
measured in the same run.

The desk: 24 articles from 12 publishers, claims whose statements are resampled from the
CheckThat! 2022 2A verified claims in ../shared (a fifth with a quote that differs from
the statement), 300 claimants, 15 tags on a fifth of the claims, and verdicts on 30% of
the claims (two thirds published, one third proposed) whose rationales are other
claims' subtitles, spread over 24 months. Claims and verdicts are bulk-inserted and
indexed with ``search_index.index_claims`` (as tests/matching/test_claim_index.py does).
Pages and the API are asked as a researcher (published verdicts only) through FastAPI's
TestClient; queries are one or two words of a random statement (some with a typo).

Target: the search page under 200 ms (p95) at 100k claims on SQLite.

Usage: python bench/research_speed.py [--sizes 10000,100000] [--queries 40]
       [--backends sqlite,postgresql] [--scan-queries 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_speed import load_corpus, percentile, temporary_database

SEED = 20261129
PUBLISHERS = [f"Publisher {chr(65 + i)}" for i in range(12)]
LABELS = ["False", "Mostly false", "Half true", "Mostly true", "True", "Unverifiable"]
TAGS = [f"topic{n}" for n in range(15)]
PASSWORD = "bench password 1234"


def build_desk(db: Any, size: int, corpus: list[dict[str, str]]) -> tuple[float, list[str]]:
    """Fill ``db`` with ``size`` claims; returns the seconds taken and the statements."""
    from sqlalchemy import insert
    from sqlmodel import col

    from claimdesk.core.extraction import ClaimSpan, Extraction
    from claimdesk.core.permissions import Role
    from claimdesk.services import accounts, articles
    from claimdesk.services.events import SYSTEM
    from claimdesk.store import search_index
    from claimdesk.store.models import Claim, Claimant, ClaimTag, Tag, Verdict
    from claimdesk.store.types import new_uuid, utcnow

    rng = random.Random(SEED)
    t0 = time.perf_counter()
    with db.session(write=True) as s:
        for role in Role:
            accounts.add_user(
                s,
                email=f"{role.value}@bench.test",
                role=role.value,
                password=PASSWORD,
                actor=SYSTEM,
            )
        users = [u.id for u in accounts.list_users(s)]
        made = []
        for n in range(24):
            text = f"Article {n} says the council met."
            extraction = Extraction(
                title=f"Article {n}",
                text=text,
                claims=[ClaimSpan(0, len(text), text, text, None, 0.5, ())],
                metadata={"publisher": PUBLISHERS[n % len(PUBLISHERS)]},
            )
            made.append(articles.ingest(s, extraction=extraction, actor=SYSTEM, min_score=0.0))
        conn = s.connection()
        claimant_ids = list(
            conn.execute(
                insert(Claimant).returning(col(Claimant.id)),
                [
                    {"uuid": new_uuid(), "name": f"Claimant {n}", "created_at": utcnow()}
                    for n in range(300)
                ],
            ).scalars()
        )
        tag_ids = list(
            conn.execute(insert(Tag).returning(col(Tag.id)), [{"name": t} for t in TAGS]).scalars()
        )
        now = utcnow()
        statements: list[str] = []
        batch = 5000
        for first in range(0, size, batch):
            rows = []
            for n in range(first, min(size, first + batch)):
                record = corpus[rng.randrange(len(corpus))]
                statement = record["vclaim"]
                quote = (
                    record["subtitle"] if rng.random() < 0.2 and record["subtitle"] else statement
                )
                article = made[n % len(made)]
                statements.append(statement)
                rows.append(
                    {
                        "uuid": new_uuid(),
                        "article_id": article.article.id,
                        "version_id": article.version.id,
                        "start": 0,
                        "end": 1,
                        "quote": quote,
                        "statement": statement,
                        "claimant_id": claimant_ids[n % 300] if rng.random() < 0.7 else None,
                        "score": round(rng.random(), 3),
                        "status": "new",
                        "reasons": [],
                        "created_at": now - timedelta(minutes=n),
                        "updated_at": now,
                    }
                )
            ids = list(conn.execute(insert(Claim).returning(col(Claim.id)), rows).scalars())
            search_index.index_claims(
                conn, [(i, str(r["statement"])) for i, r in zip(ids, rows, strict=True)]
            )
            tags = [
                {"claim_id": i, "tag_id": tag_ids[rng.randrange(len(tag_ids))]}
                for i in ids
                if rng.random() < 0.2
            ]
            if tags:
                conn.execute(insert(ClaimTag), tags)
            verdicts, published, proposed = [], [], []
            for i in ids:
                if rng.random() >= 0.3:
                    continue
                when = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(730))
                public = rng.random() < 2 / 3
                other = corpus[rng.randrange(len(corpus))]
                verdicts.append(
                    {
                        "uuid": new_uuid(),
                        "claim_id": i,
                        "label_name": LABELS[rng.randrange(len(LABELS))],
                        "rationale": other["subtitle"] or other["title"],
                        "state": "published" if public else "proposed",
                        "proposer_id": users[rng.randrange(len(users))],
                        "proposed_at": when,
                        "approved_at": when if public else None,
                        "published_at": when if public else None,
                    }
                )
                (published if public else proposed).append(i)
            if verdicts:
                conn.execute(insert(Verdict), verdicts)
            for status, chosen in (("published", published), ("proposed", proposed)):
                if chosen:
                    conn.execute(
                        Claim.__table__.update()  # type: ignore[attr-defined]
                        .where(Claim.__table__.c.id.in_(chosen))  # type: ignore[attr-defined]
                        .values(status=status)
                    )
        if conn.dialect.name != "sqlite":
            from sqlalchemy import text

            conn.execute(text("ANALYZE"))
        s.commit()
    return time.perf_counter() - t0, statements


def queries(statements: list[str], count: int) -> list[str]:
    """One or two words of random statements; every fifth with a typo in a long word."""
    from claimdesk.core.match_text import STOP_WORDS

    rng = random.Random(SEED + 1)
    out: list[str] = []
    while len(out) < count:
        words = [w.strip(".,;:!?\"'()“”’").lower() for w in rng.choice(statements).split()]
        words = [w for w in words if w.isalpha() and len(w) > 3 and w not in STOP_WORDS]
        if len(words) < 2:
            continue
        picked = rng.sample(words, 1 if len(out) % 3 == 0 else 2)
        if len(out) % 5 == 4 and len(picked[0]) >= 6:
            w = picked[0]
            picked[0] = w[:2] + w[3] + w[2] + w[4:]  # two letters swapped
        out.append(" ".join(picked))
    return out


def scan(db: Any, q: str) -> int:
    """The in-Python scan: every statement, differing quote and published rationale read
    and tokenised, kept when it holds every query term."""
    from sqlalchemy import text as sql

    from claimdesk.core.match_text import query_terms, terms

    wanted = set(query_terms(q))
    found = set()
    with db.session() as s:
        conn = s.connection()
        for cid, statement, quote in conn.execute(sql("SELECT id, statement, quote FROM claim")):
            if wanted <= set(terms(statement)) or (
                quote != statement and wanted <= set(terms(quote))
            ):
                found.add(cid)
        for cid, rationale in conn.execute(
            sql("SELECT claim_id, rationale FROM verdict WHERE state = 'published'")
        ):
            if wanted <= set(terms(rationale)):
                found.add(cid)
    return len(found)


def timed(action: Any, items: list[Any]) -> list[float]:
    out = []
    for item in items:
        t = time.perf_counter()
        action(item)
        out.append((time.perf_counter() - t) * 1000)
    return out


def run_backend(
    backend: str, args: argparse.Namespace, corpus: list[dict[str, str]]
) -> list[tuple[Any, ...]]:
    from fastapi.testclient import TestClient

    from claimdesk.config import Settings
    from claimdesk.services import matching
    from claimdesk.store.database import Database
    from claimdesk.web.app import create_app

    print(f"{backend}:", flush=True)
    rows = []
    for size in args.sizes:
        with temporary_database(backend, Path(tempfile.mkdtemp())) as sized_url:
            db = Database.open(sized_url)
            took, statements = build_desk(db, size, corpus)
            print(f"  built {size:,} claims in {took:.1f} s", flush=True)
            asked = queries(statements, args.queries)
            app = create_app(
                Settings(database_url=str(db.engine.url), secret_key="bench"), database=db
            )
            with TestClient(app, base_url="http://testserver", follow_redirects=False) as web:
                login = web.post(
                    "/login", data={"email": "researcher@bench.test", "password": PASSWORD}
                )
                assert login.status_code == 303, login.text

                def page(q: str) -> None:
                    response = web.get("/claims", params={"q": q})
                    assert response.status_code == 200, response.text[:300]

                def api(q: str) -> None:
                    response = web.get("/api/claims", params={"q": q})
                    assert response.status_code == 200, response.text[:300]

                def checked(q: str, db: Any = db) -> None:
                    with db.session() as s:
                        matching.checked_before(s, q)

                for q in asked[:3]:  # warm caches
                    page(q), api(q), checked(q)
                page_ms = timed(page, asked)
                api_ms = timed(api, asked)
                checked_texts = [statements[i * 7919 % len(statements)] for i in range(len(asked))]
                checked_ms = timed(checked, checked_texts)
                scan_ms = timed(lambda q, db=db: scan(db, q), asked[: args.scan_queries])
            db.close()
        row = (
            size,
            percentile(page_ms, 50),
            percentile(page_ms, 95),
            percentile(checked_ms, 50),
            percentile(checked_ms, 95),
            percentile(api_ms, 50),
            percentile(api_ms, 95),
            percentile(scan_ms, 50),
        )
        rows.append(row)
        print(
            f"  {size:>7,} claims: page p50 {row[1]:.0f} / p95 {row[2]:.0f} ms · checked before? "
            f"p50 {row[3]:.0f} / p95 {row[4]:.0f} ms · API p50 {row[5]:.0f} / p95 {row[6]:.0f} "
            f"ms · scan p50 {row[7]:.0f} ms",
            flush=True,
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--scan-queries", type=int, default=5)
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    corpus = load_corpus()
    results = {}
    for backend in args.backends.split(","):
        results[backend] = run_backend(backend, args, corpus)
    print()
    print(
        f"{'backend':<11}{'claims':>8} {'page p50':>9}{'p95':>7} {'checked p50':>12}{'p95':>7}"
        f" {'API p50':>8}{'p95':>7} {'scan p50':>9} {'scan/page':>10}"
    )
    for backend, rows in results.items():
        for size, p50, p95, c50, c95, a50, a95, s50 in rows:
            print(
                f"{backend:<11}{size:>8,} {p50:>7.0f}ms{p95:>5.0f}ms {c50:>10.0f}ms{c95:>5.0f}ms"
                f" {a50:>6.0f}ms{a95:>5.0f}ms {s50:>7.0f}ms {s50 / p50:>9.1f}x"
            )
    sqlite = {r[0]: r for r in results.get("sqlite", [])}
    if 100_000 in sqlite:
        p95 = sqlite[100_000][2]
        verdict = "met" if p95 < 200 else "MISSED"
        print(f"\nTarget (search page p95 < 200 ms, 100k claims, SQLite): {verdict} ({p95:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
