"""Matching speed: one ``services.matching.match`` call (limit 10) against libraries of
10k, 100k and 1M passages, beside brute-force rapidfuzz over the same passages.

The passages are resampled from the CheckThat! 2022 2A verified claims in ../shared
(a claim, sometimes followed by another claim's subtitle, under its title), imported
through ``services.sources`` into one temporary SQLite file that grows from size to
size, on SQLite and on a throw-away PostgreSQL database in the same run (PostgreSQL's p95
beside SQLite's, and the import rate of each; the plan of PostgreSQL's slowest candidate
query is printed with EXPLAIN ANALYZE). Queries are the dev tweets. Brute force is
rapidfuzz ``token_set_ratio`` of the query against every passage (``process.extract``,
one worker), timed on fewer queries.

Targets: 100k p95 ≤ 50 ms and ≥ 30× faster than brute force; 1M p95 ≤ 250 ms.

Targets on PostgreSQL (issue 13): p95 within 1.5x of SQLite's at 100k and 1M; import at
least 5,000 passages/s.

Usage: python bench/matching_speed.py [--sizes 10000,100000,1000000] [--queries 100]
       [--backends sqlite,postgresql] [--no-brute]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data" / "claim-retrieval"
SEED = 20260412


def load_corpus() -> list[dict[str, str]]:
    with (DATA / "vclaims.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def load_queries() -> list[str]:
    dev = {line.split("\t")[0] for line in (DATA / "qrels-dev.tsv").read_text().splitlines()}
    queries = []
    for line in (DATA / "queries-train-dev.tsv").read_text(encoding="utf-8").splitlines():
        qid, _, text = line.partition("\t")
        if qid in dev:
            queries.append(text.strip().strip('"').replace('""', '"'))
    return queries


def passages(corpus: list[dict[str, str]], start: int, stop: int) -> Iterator[tuple[str, str]]:
    """Deterministic resampled (title, text) pairs number ``start`` to ``stop - 1``."""
    for k in range(start, stop):
        rng = random.Random(SEED * 1_000_003 + k)
        doc = corpus[rng.randrange(len(corpus))]
        text = doc.get("vclaim") or doc.get("title") or ""
        if rng.random() < 0.5:
            other = corpus[rng.randrange(len(corpus))]
            text = f"{text} {other.get('subtitle') or ''}".strip()
        yield doc.get("title") or "", text


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


ADMIN_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def temporary_database(backend: str, tmp: Path) -> Iterator[str]:
    """A throw-away SQLite file, or a PostgreSQL database created and dropped on the local
    server."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'speed.db'}"
        return
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from claimdesk.store.engine import make_engine

    admin = make_engine(ADMIN_PG, isolation_level="AUTOCOMMIT")
    name = f"claimdesk_speed_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_PG).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def explain_slowest(session: Any, query: str) -> None:
    """PostgreSQL: EXPLAIN ANALYZE of the candidate query behind the slowest search."""
    from sqlalchemy import event

    from claimdesk.services import matching

    conn = session.connection()
    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if "UNION ALL" in statement:
            seen.append((statement, params))

    event.listen(conn, "before_cursor_execute", capture)
    try:
        matching.match(session, query, limit=10)
    finally:
        event.remove(conn, "before_cursor_execute", capture)
    for statement, params in seen[:1]:
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params)
            plan = [row[0] for row in cursor.fetchall()]
        print(f"  EXPLAIN ANALYZE of the slowest query's candidates ({query[:60]!r}):")
        for line in plan:
            if "Recheck" not in line and "Heap Blocks" not in line:
                print(f"    {line}")


def run_backend(
    backend: str,
    url: str,
    args: argparse.Namespace,
    corpus: list[dict[str, str]],
    timed: list[str],
    sizes: list[int],
) -> list[tuple[int, float, float, float, int, float]]:
    from rapidfuzz import fuzz, process, utils

    from claimdesk.core.sources_records import SourceRecord
    from claimdesk.services import matching, sources
    from claimdesk.services.events import SYSTEM
    from claimdesk.store.database import Database

    print(f"{backend}:", flush=True)
    rows = []
    db = Database.open(url)
    choices: list[str] = []
    have = 0
    for size in sizes:
        t0 = time.perf_counter()
        with db.session(write=True) as session:
            records = (
                SourceRecord(text=text, title=title, external_id=f"p{have + i}")
                for i, (title, text) in enumerate(passages(corpus, have, size))
            )
            sources.import_records(
                session, records, collection="speed", actor=SYSTEM, batch_size=5000
            )
        import_s = time.perf_counter() - t0
        rate = (size - have) / import_s
        print(f"  imported {size - have} passages in {import_s:.1f} s ({rate:,.0f}/s)", flush=True)
        if not args.no_brute:
            choices.extend(
                utils.default_process(f"{title} {text}")
                for title, text in passages(corpus, have, size)
            )
        have = size
        with db.session() as session:
            for q in timed[:5]:
                matching.match(session, q, limit=10)  # warm the page cache
            latencies = []
            for q in timed:
                t = time.perf_counter()
                matching.match(session, q, limit=10)
                latencies.append(((time.perf_counter() - t) * 1000, q))
            if backend == "postgresql" and size == sizes[-1]:
                explain_slowest(session, max(latencies)[1])
        brute: list[float] = []
        n_brute = 0
        if not args.no_brute:
            n_brute = args.brute_queries_1m if size >= 1_000_000 else args.brute_queries
            for q in timed[:n_brute]:
                t = time.perf_counter()
                process.extract(
                    utils.default_process(q),
                    choices,
                    scorer=fuzz.token_set_ratio,
                    processor=None,
                    limit=10,
                )
                brute.append((time.perf_counter() - t) * 1000)
        ms = [m for m, _ in latencies]
        rows.append(
            (
                size,
                percentile(ms, 50),
                percentile(ms, 95),
                statistics.median(brute) if brute else float("nan"),
                n_brute,
                rate,
            )
        )
        print(
            f"  {size:>9,} passages: p50 {rows[-1][1]:.1f} ms, p95 {rows[-1][2]:.1f} ms",
            flush=True,
        )
    db.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=100, help="timed queries per size")
    parser.add_argument("--brute-queries", type=int, default=10, help="below 1M passages")
    parser.add_argument("--brute-queries-1m", type=int, default=3)
    parser.add_argument("--no-brute", action="store_true", help="skip the brute-force baseline")
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(
            f"error: {DATA} is absent; the shared data lives beside the repository", file=sys.stderr
        )
        return 1
    sizes = sorted(int(s) for s in args.sizes.split(","))
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    corpus, queries = load_corpus(), load_queries()
    rng = random.Random(SEED)
    timed = rng.sample(queries, min(args.queries, len(queries)))
    started = time.perf_counter()
    results = {}
    with tempfile.TemporaryDirectory(prefix="claimdesk-speed-") as tmp:
        for backend in backends:
            with temporary_database(backend, Path(tmp)) as url:
                results[backend] = run_backend(backend, url, args, corpus, timed, sizes)
    print()
    print(
        f"{'backend':<11} {'passages':>10} {'p50 ms':>8} {'p95 ms':>8} {'brute ms':>9}"
        f" {'brute/p95':>10} {'import/s':>9} {'p95 vs sqlite':>14}"
    )
    for backend, rows in results.items():
        for i, (size, p50, p95, brute_ms, n_brute, rate) in enumerate(rows):
            versus = ""
            if backend != "sqlite" and "sqlite" in results:
                versus = f"{p95 / results['sqlite'][i][2]:13.2f}x"
            brute_cols = (
                f"{brute_ms:9.0f} {brute_ms / p95:9.0f}x" if n_brute else f"{'-':>9} {'-':>10}"
            )
            line = f"{backend:<11} {size:>10,} {p50:8.1f} {p95:8.1f} {brute_cols}"
            print(f"{line} {rate:9,.0f} {versus}")
    print("(import/s: passages per second for the step up to that size; targets: PostgreSQL")
    print(" p95 within 1.5x of SQLite's, PostgreSQL import at least 5,000 passages/s)")
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
