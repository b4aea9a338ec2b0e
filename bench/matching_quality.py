"""Claim-matching quality: claimdesk beside two baselines, measured in the same run.

Data: CheckThat! 2022 subtask 2A English (tweets → Snopes fact-checks) from ../shared.
The 14,231 verified claims are imported through ``services.sources`` into a temporary
SQLite file (text = ``vclaim``, title = ``title``); every query of the chosen split
(default dev) is matched through ``services.matching.match``. Baselines, on the same
claims and the raw query text:

* brute force: rapidfuzz ``token_set_ratio`` of the query against ``vclaim + title`` of
  every claim;
* BM25: ``bm25s`` (k1=1.5, b=0.75, English stop words) over ``vclaim + title``.

Metrics: MAP@5 (official; AP@5 over the qrels' queries), MRR (first relevant in the top
10) and recall@10. Ties always break on the claim id. claimdesk's parameters were tuned
on the train split only.

Usage: python bench/matching_quality.py [--split dev|train]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data" / "claim-retrieval"
MAPPING = {"id": "vclaim_id", "text": "vclaim", "title": "title", "url": "page_url"}

Ranker = Callable[[str], list[str]]


def read_queries(split: str) -> tuple[dict[str, str], dict[str, set[str]]]:
    queries: dict[str, str] = {}
    for line in (DATA / "queries-train-dev.tsv").read_text(encoding="utf-8").splitlines():
        qid, _, text = line.partition("\t")
        text = text.strip()
        if len(text) > 1 and text.startswith('"') and text.endswith('"'):
            text = text[1:-1].replace('""', '"')  # the file quotes some rows CSV-style
        queries[qid] = text
    qrels: dict[str, set[str]] = defaultdict(set)
    for line in (DATA / f"qrels-{split}.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[3].strip() != "0":
            qrels[parts[0]].add(parts[2])
    return {q: queries[q] for q in qrels}, dict(qrels)


def evaluate(
    rank: Ranker, queries: dict[str, str], qrels: dict[str, set[str]]
) -> tuple[float, float, float, float]:
    """MAP@5, MRR@10, recall@10 and the mean seconds per query."""
    ap = rr = recall = 0.0
    started = time.perf_counter()
    for qid, text in queries.items():
        ranked = rank(text)[:10]
        relevant = qrels[qid]
        hits, precision_sum = 0, 0.0
        for i, doc in enumerate(ranked[:5]):
            if doc in relevant:
                hits += 1
                precision_sum += hits / (i + 1)
        ap += precision_sum / min(len(relevant), 5)
        rr += next((1 / (i + 1) for i, d in enumerate(ranked) if d in relevant), 0.0)
        recall += len(relevant & set(ranked)) / len(relevant)
    n = len(queries)
    return ap / n, rr / n, recall / n, (time.perf_counter() - started) / n


def claimdesk_ranker(workdir: Path) -> tuple[Ranker, float]:
    from claimdesk.core.sources_formats import iter_file
    from claimdesk.services import matching, sources
    from claimdesk.services.events import SYSTEM
    from claimdesk.store.database import Database

    db = Database.open(f"sqlite:///{workdir / 'quality.db'}")
    started = time.perf_counter()
    with db.session() as session:
        report = sources.import_records(
            session,
            iter_file(DATA / "vclaims.jsonl", "jsonl", MAPPING),
            collection="checkthat-2022-2a",
            actor=SYSTEM,
        )
    seconds = time.perf_counter() - started
    if report.errors:
        print(f"import: {len(report.errors)} lines skipped", file=sys.stderr)
    session = db.session().__enter__()

    def rank(text: str) -> list[str]:
        return [m.external_id or "" for m in matching.match(session, text, limit=10)]

    return rank, seconds


def load_claims() -> tuple[list[str], list[str]]:
    ids, texts = [], []
    with (DATA / "vclaims.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            ids.append(row["vclaim_id"])
            texts.append(f"{row.get('vclaim') or ''} {row.get('title') or ''}")
    return ids, texts


def brute_force_ranker(ids: Sequence[str], texts: Sequence[str]) -> Ranker:
    from rapidfuzz import fuzz, process, utils

    choices = [utils.default_process(t) for t in texts]

    def rank(text: str) -> list[str]:
        scores = process.cdist(
            [utils.default_process(text)], choices, scorer=fuzz.token_set_ratio, workers=1
        )[0]
        order = sorted(range(len(ids)), key=lambda i: (-scores[i], ids[i]))
        return [ids[i] for i in order[:10]]

    return rank


def bm25_ranker(ids: Sequence[str], texts: Sequence[str]) -> Ranker:
    import bm25s
    import numpy as np

    retriever = bm25s.BM25(k1=1.5, b=0.75)
    retriever.index(
        bm25s.tokenize(list(texts), stopwords="en", show_progress=False), show_progress=False
    )

    def rank(text: str) -> list[str]:
        words = bm25s.tokenize([text], stopwords="en", return_ids=False, show_progress=False)[0]
        known = [w for w in words if w in retriever.vocab_dict]
        if not known:
            return []
        scores = retriever.get_scores(known)
        top = np.argsort(-scores, kind="stable")[:50]
        order = sorted(top, key=lambda i: (-float(scores[i]), ids[i]))
        return [ids[i] for i in order[:10] if scores[i] > 0]

    return rank


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(
            f"error: {DATA} is absent; the shared data lives beside the repository", file=sys.stderr
        )
        return 1
    queries, qrels = read_queries(args.split)
    ids, texts = load_claims()
    print(
        f"CheckThat! 2022 2A English, {args.split}: {len(queries)} queries, "
        f"{len(ids)} verified claims"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-") as tmp:
        ours, import_seconds = claimdesk_ranker(Path(tmp))
        print(f"claimdesk import: {len(ids)} claims in {import_seconds:.1f} s")
        rows = [
            ("claimdesk (FTS5 + re-rank)", evaluate(ours, queries, qrels)),
            ("BM25 (bm25s, en stop words)", evaluate(bm25_ranker(ids, texts), queries, qrels)),
            (
                "brute force token_set_ratio",
                evaluate(brute_force_ranker(ids, texts), queries, qrels),
            ),
        ]
    print(f"{'system':<30} {'MAP@5':>7} {'MRR':>7} {'R@10':>7} {'ms/query':>9}")
    for name, (map5, mrr, r10, seconds) in rows:
        print(f"{name:<30} {map5:7.4f} {mrr:7.4f} {r10:7.4f} {seconds * 1000:9.1f}")
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
