"""Fit the check-worthiness model shipped in ``src/claimdesk/core/checkworthiness.json``.

Logistic regression over the interpretable cues of ``claimdesk.core.features`` plus a small
lexical component, fitted with numpy by full-batch gradient descent (Adam, fixed number of
steps, float64, no randomness: the output is reproducible byte for byte on one machine).
Fitted on CheckThat! 2024 task 1 English *train* only; the decision threshold is chosen by
5-fold cross-validation on train. Dev and the debate transcripts are never seen here.

Usage: python bench/fit_checkworthiness.py [--shared ../shared] [--out path.json]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from claimdesk.core.features import CUES, cues, lexical_terms

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
DEFAULT_OUT = REPO / "src" / "claimdesk" / "core" / "checkworthiness.json"
MODEL_VERSION = "cw-linear-1"

MIN_DF = 5
STEPS = 800
LEARNING_RATE = 0.05
L2_CUES = 1e-5
L2_TERMS = 3e-6
PRUNE = 0.5
FOLDS = 5

_CT24_ROW = re.compile(r"(\d+)\t([^\t\n]*)\t(Yes|No)")


def load_ct24(path: Path) -> list[tuple[str, int]]:
    """``(sentence, label)`` pairs; tolerates the rows glued together in the train file."""
    text = path.read_text(encoding="utf-8")
    return [(m.group(2).strip(), int(m.group(3) == "Yes")) for m in _CT24_ROW.finditer(text)]


def load_debates(directory: Path) -> dict[str, list[tuple[str, int]]]:
    docs: dict[str, list[tuple[str, int]]] = {}
    for path in sorted(directory.glob("*.tsv")):
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 4 and parts[-1].strip() in ("0", "1"):
                rows.append(("\t".join(parts[2:-1]).strip(), int(parts[-1].strip())))
        docs[path.stem] = rows
    return docs


class Design:
    """A sparse design matrix in coordinate form: cues, then lexical terms (each 1/sqrt(#terms))."""

    def __init__(self, texts: list[str], vocab: dict[str, int]) -> None:
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        offset = len(CUES)
        for i, text in enumerate(texts):
            values = cues(text)
            for j, name in enumerate(CUES):
                if values[name]:
                    rows.append(i)
                    cols.append(j)
                    vals.append(values[name])
            terms = lexical_terms(text)
            present = sorted(vocab[t] for t in terms if t in vocab)
            if present:
                weight = 1.0 / math.sqrt(len(terms))
                rows.extend([i] * len(present))
                cols.extend(offset + k for k in present)
                vals.extend([weight] * len(present))
        self.n = len(texts)
        self.d = offset + len(vocab)
        self.rows = np.asarray(rows, dtype=np.int64)
        self.cols = np.asarray(cols, dtype=np.int64)
        self.vals = np.asarray(vals, dtype=np.float64)

    def dot(self, w: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.bincount(self.rows, weights=self.vals * w[self.cols], minlength=self.n)

    def tdot(self, g: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.bincount(self.cols, weights=self.vals * g[self.rows], minlength=self.d)


def build_vocab(texts: list[str], min_df: int = MIN_DF) -> dict[str, int]:
    df: Counter[str] = Counter()
    for text in texts:
        df.update(lexical_terms(text))
    terms = sorted(t for t, c in df.items() if c >= min_df)
    return {t: i for i, t in enumerate(terms)}


def fit_logistic(
    x: Design, y: np.ndarray[Any, Any], l2: np.ndarray[Any, Any], steps: int = STEPS
) -> tuple[np.ndarray[Any, Any], float]:
    """Weights and bias minimising mean log-loss + l2·w²/2, by full-batch Adam."""
    w = np.zeros(x.d)
    b = float(math.log(y.mean() / (1 - y.mean())))
    m_w, v_w = np.zeros(x.d), np.zeros(x.d)
    m_b = v_b = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        p = 1.0 / (1.0 + np.exp(-(x.dot(w) + b)))
        err = (p - y) / x.n
        g_w = x.tdot(err) + l2 * w
        g_b = float(err.sum())
        m_w = beta1 * m_w + (1 - beta1) * g_w
        v_w = beta2 * v_w + (1 - beta2) * g_w * g_w
        m_b = beta1 * m_b + (1 - beta1) * g_b
        v_b = beta2 * v_b + (1 - beta2) * g_b * g_b
        lr = LEARNING_RATE * math.sqrt(1 - beta2**t) / (1 - beta1**t)
        w -= lr * m_w / (np.sqrt(v_w) + eps)
        b -= lr * m_b / (math.sqrt(v_b) + eps)
    return w, b


def _penalties(d: int) -> np.ndarray[Any, Any]:
    l2 = np.full(d, L2_TERMS)
    l2[: len(CUES)] = L2_CUES
    return l2


def best_threshold(probs: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> float:
    """The threshold (on a 0.01 grid) with the best F1 of the positive class."""
    best, best_f1 = 0.5, -1.0
    for thr in np.round(np.arange(0.05, 0.951, 0.01), 2):
        pred = probs >= thr
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / max(1.0, float(pred.sum()) + float(y.sum()))
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(thr), f1
    return best


def fit(shared: Path) -> dict[str, Any]:
    """The model as the JSON-ready dict that ``claimdesk.core.scoring`` loads."""
    train = load_ct24(shared / "data" / "checkworthiness" / "CT24_checkworthy_english_train.tsv")
    texts = [t for t, _ in train]
    y = np.asarray([label for _, label in train], dtype=np.float64)
    vocab = build_vocab(texts)
    x = Design(texts, vocab)
    # Threshold by 5-fold cross-validation on train (folds by position, no shuffling).
    oof = np.zeros(len(texts))
    fold = np.arange(len(texts)) % FOLDS
    for k in range(FOLDS):
        tr_idx = [i for i in range(len(texts)) if fold[i] != k]
        te_idx = [i for i in range(len(texts)) if fold[i] == k]
        fold_vocab = build_vocab([texts[i] for i in tr_idx])
        x_tr = Design([texts[i] for i in tr_idx], fold_vocab)
        w, b = fit_logistic(x_tr, y[tr_idx], _penalties(x_tr.d))
        x_te = Design([texts[i] for i in te_idx], fold_vocab)
        oof[te_idx] = 1.0 / (1.0 + np.exp(-(x_te.dot(w) + b)))
    threshold = best_threshold(oof, y)
    w, b = fit_logistic(x, y, _penalties(x.d))
    inverse = {i: t for t, i in vocab.items()}
    terms = {
        inverse[k]: round(float(w[len(CUES) + k]), 4)
        for k in range(len(vocab))
        if abs(w[len(CUES) + k]) >= PRUNE
    }
    return {
        "model_version": MODEL_VERSION,
        "trained_on": "CheckThat! 2024 task 1 English train",
        "threshold": threshold,
        "bias": round(b, 4),
        "cues": {name: round(float(w[j]), 4) for j, name in enumerate(CUES)},
        "terms": dict(sorted(terms.items())),
    }


def dumps(model: dict[str, Any]) -> str:
    return json.dumps(model, indent=0, sort_keys=False, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.shared / "data" / "checkworthiness").is_dir():
        print(f"no check-worthiness data under {args.shared}", file=sys.stderr)
        return 2
    model = fit(args.shared)
    args.out.write_text(dumps(model), encoding="utf-8")
    print(f"wrote {args.out}: {len(model['terms'])} terms, threshold {model['threshold']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
