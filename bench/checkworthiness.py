"""Check-worthiness benchmark: ours beside simple baselines, measured in the same run.

* CheckThat! 2024 task 1 English dev: F1 of the Yes class at each system's threshold.
* CLEF 2020 task 5 debate transcripts: MAP (average precision per transcript, then the mean).

Baselines: a rule ("contains a digit or a capitalised name") and a bag-of-words logistic
regression (TF-IDF-like, fitted with numpy on CT24 train, threshold by 5-fold CV on train).
Nothing is fitted on dev or on the transcripts.

Usage: python bench/checkworthiness.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

from claimdesk.core.features import tokens
from claimdesk.core.scoring import (
    load_model,
    score_text,
)
from fit_checkworthiness import (
    DEFAULT_SHARED,
    FOLDS,
    best_threshold,
    load_ct24,
    load_debates,
)

_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")


def rule_score(text: str) -> float:
    """Baseline 1: 1 if the sentence has a digit or a capitalised word after its first."""
    return 1.0 if re.search(r"\d", text) or _CAPITALISED.search(text.strip()) else 0.0


class BagOfWords:
    """Baseline 2: TF-IDF unigrams + bigrams, L2-normalised, logistic regression (numpy)."""

    def __init__(self, texts: Sequence[str], labels: Sequence[int], steps: int = 300) -> None:
        docs = [self._terms(t) for t in texts]
        df: Counter[str] = Counter()
        for d in docs:
            df.update(set(d))
        self.vocab = {t: i for i, t in enumerate(sorted(t for t, c in df.items() if c >= 3))}
        n = len(docs)
        self.idf = {t: math.log((1 + n) / (1 + df[t])) + 1 for t in self.vocab}
        x = self._matrix(docs)
        y = np.asarray(labels, dtype=np.float64)
        self.w, self.b = self._fit(x, y, steps)

    @staticmethod
    def _terms(text: str) -> list[str]:
        toks = tokens(text)
        return toks + [f"{a}_{b}" for a, b in itertools.pairwise(toks)]

    def _matrix(self, docs: list[list[str]]) -> tuple[Any, Any, Any, int]:
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, d in enumerate(docs):
            counts = Counter(t for t in d if t in self.vocab)
            weights = {t: c * self.idf[t] for t, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
            for t, v in sorted(weights.items()):
                rows.append(i)
                cols.append(self.vocab[t])
                vals.append(v / norm)
        return np.asarray(rows), np.asarray(cols), np.asarray(vals), len(docs)

    def _fit(self, x: tuple[Any, Any, Any, int], y: Any, steps: int) -> tuple[Any, float]:
        rows, cols, vals, n = x
        d = len(self.vocab)
        w = np.zeros(d)
        b = float(math.log(y.mean() / (1 - y.mean())))
        m_w, v_w, m_b, v_b = np.zeros(d), np.zeros(d), 0.0, 0.0
        for t in range(1, steps + 1):
            z = np.bincount(rows, weights=vals * w[cols], minlength=n) + b
            err = (1 / (1 + np.exp(-z)) - y) / n
            g_w = np.bincount(cols, weights=vals * err[rows], minlength=d) + 1e-4 * w
            g_b = float(err.sum())
            m_w = 0.9 * m_w + 0.1 * g_w
            v_w = 0.999 * v_w + 0.001 * g_w * g_w
            m_b = 0.9 * m_b + 0.1 * g_b
            v_b = 0.999 * v_b + 0.001 * g_b * g_b
            lr = 0.05 * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
            w -= lr * m_w / (np.sqrt(v_w) + 1e-8)
            b -= lr * m_b / (math.sqrt(v_b) + 1e-8)
        return w, b

    def scores(self, texts: Sequence[str]) -> list[float]:
        rows, cols, vals, n = self._matrix([self._terms(t) for t in texts])
        z = np.bincount(rows, weights=vals * self.w[cols], minlength=n) + self.b
        return [float(v) for v in 1 / (1 + np.exp(-z))]


def f1_yes(scores: Sequence[float], labels: Sequence[int], threshold: float) -> float:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y)
    predicted = sum(1 for s in scores if s >= threshold)
    return 2 * tp / max(1, predicted + sum(labels))


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float:
    """AP with ties broken by document order (earlier line first)."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    hits, total = 0, 0.0
    for rank, i in enumerate(order, start=1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def mean_ap(
    docs: dict[str, list[tuple[str, int]]], scorer: Callable[[list[str]], list[float]]
) -> float:
    aps = []
    for rows in docs.values():
        labels = [y for _, y in rows]
        if sum(labels):
            aps.append(average_precision(scorer([t for t, _ in rows]), labels))
    return sum(aps) / len(aps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args(argv)
    data = args.shared / "data" / "checkworthiness"
    if not data.is_dir():
        print(f"skipped: no check-worthiness data under {args.shared}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    train = load_ct24(data / "CT24_checkworthy_english_train.tsv")
    dev = load_ct24(data / "CT24_checkworthy_english_dev.tsv")
    debates = load_debates(data / "debates-train")
    dev_texts, dev_labels = [t for t, _ in dev], [y for _, y in dev]
    n_lines = sum(len(r) for r in debates.values())
    print(f"CT24 train {len(train)}, dev {len(dev)}; {len(debates)} transcripts, {n_lines} lines")

    def ours(texts: list[str]) -> list[float]:
        return [score_text(t).value for t in texts]

    def rule(texts: list[str]) -> list[float]:
        return [rule_score(t) for t in texts]

    texts, labels = [t for t, _ in train], [y for _, y in train]
    fold = [i % FOLDS for i in range(len(texts))]
    oof = np.zeros(len(texts))
    for k in range(FOLDS):
        model = BagOfWords(
            [t for t, f in zip(texts, fold, strict=True) if f != k],
            [y for y, f in zip(labels, fold, strict=True) if f != k],
        )
        idx = [i for i, f in enumerate(fold) if f == k]
        oof[idx] = model.scores([texts[i] for i in idx])
    bow_threshold = best_threshold(oof, np.asarray(labels))
    bow = BagOfWords(texts, labels)

    systems: list[tuple[str, Callable[[list[str]], list[float]], float]] = [
        ("rule: digit or capitalised name", rule, 0.5),
        ("bag-of-words logistic regression", bow.scores, bow_threshold),
        ("claimdesk (cues + lexical, linear)", ours, load_model().threshold),
    ]
    print()
    print(f"{'system':<38} {'threshold':>9} {'CT24 dev F1(Yes)':>17} {'debates MAP':>12}")
    print("-" * 79)
    for name, scorer, threshold in systems:
        f1 = f1_yes(scorer(dev_texts), dev_labels, threshold)
        map_ = mean_ap(debates, scorer)
        print(f"{name:<38} {threshold:>9.2f} {f1:>17.3f} {map_:>12.3f}")
    print(f"\n(measured in {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
