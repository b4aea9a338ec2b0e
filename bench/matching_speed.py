"""Matching speed: one ``services.matching.match`` call (limit 10) against libraries of
10k, 100k and 1M passages, beside brute-force rapidfuzz over the same passages.

The passages are resampled from the CheckThat! 2022 2A verified claims in ../shared
(a claim, sometimes followed by another claim's subtitle, under its title), imported
through ``services.sources`` into one temporary SQLite file that grows from size to
size. Queries are the dev tweets. Brute force is rapidfuzz ``token_set_ratio`` of the
query against every passage (``process.extract``, one worker), timed on fewer queries.

Targets: 100k p95 ≤ 50 ms and ≥ 30× faster than brute force; 1M p95 ≤ 250 ms.

Usage: python bench/matching_speed.py [--sizes 10000,100000,1000000] [--queries 100]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=100, help="timed queries per size")
    parser.add_argument("--brute-queries", type=int, default=10, help="below 1M passages")
    parser.add_argument("--brute-queries-1m", type=int, default=3)
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(
            f"error: {DATA} is absent; the shared data lives beside the repository", file=sys.stderr
        )
        return 1
    from rapidfuzz import fuzz, process, utils

    from claimdesk.core.sources_records import SourceRecord
    from claimdesk.services import matching, sources
    from claimdesk.services.events import SYSTEM
    from claimdesk.store.database import Database

    sizes = sorted(int(s) for s in args.sizes.split(","))
    corpus, queries = load_corpus(), load_queries()
    rng = random.Random(SEED)
    timed = rng.sample(queries, min(args.queries, len(queries)))
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="claimdesk-speed-") as tmp:
        db = Database.open(f"sqlite:///{Path(tmp) / 'speed.db'}")
        choices: list[str] = []
        have = 0
        import_total = 0.0
        for size in sizes:
            t0 = time.perf_counter()
            with db.session() as session:
                records = (
                    SourceRecord(text=text, title=title, external_id=f"p{have + i}")
                    for i, (title, text) in enumerate(passages(corpus, have, size))
                )
                sources.import_records(
                    session, records, collection="speed", actor=SYSTEM, batch_size=5000
                )
            import_s = time.perf_counter() - t0
            import_total += import_s
            rate = (size - have) / import_s
            print(
                f"imported {size - have} passages in {import_s:.1f} s ({rate:,.0f}/s)", flush=True
            )
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
                    latencies.append((time.perf_counter() - t) * 1000)
            n_brute = args.brute_queries_1m if size >= 1_000_000 else args.brute_queries
            brute = []
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
            rows.append(
                (
                    size,
                    percentile(latencies, 50),
                    percentile(latencies, 95),
                    statistics.median(brute),
                    n_brute,
                    rate,
                )
            )
            print(
                f"{size:>9,} passages: p50 {rows[-1][1]:.1f} ms, p95 {rows[-1][2]:.1f} ms; "
                f"brute force median {rows[-1][3]:.0f} ms",
                flush=True,
            )
        db.close()
    print()
    print(
        f"{'passages':>10} {'p50 ms':>8} {'p95 ms':>8} {'brute ms':>9} {'brute/p50':>10}"
        f" {'brute/p95':>10}"
    )
    for size, p50, p95, brute_ms, n_brute, _rate in rows:
        print(
            f"{size:>10,} {p50:8.1f} {p95:8.1f} {brute_ms:9.0f} {brute_ms / p50:9.0f}x"
            f" {brute_ms / p95:9.0f}x   (brute force on {n_brute} queries)"
        )
    print(
        f"import: {sizes[-1]:,} passages in {import_total:.0f} s, "
        f"{sizes[-1] / import_total:,.0f} passages/s overall"
    )
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
