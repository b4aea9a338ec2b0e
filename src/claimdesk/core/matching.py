"""Claim matching: choose query terms, re-rank candidate passages, align and explain.

Pure functions over dataclasses. The database supplies candidate passages and document
frequencies; everything that decides the order happens here, the same way on every
backend, so SQLite and PostgreSQL agree whenever they return the same candidates.

Score of a passage for a query, in [0, 1]::

    0.8 * lexical + 0.2 * wording

``lexical`` is Okapi BM25 (k1=0.9, b=0.5, tuned on the CheckThat! 2022 2A train split)
over the distinct query terms and the passage's terms plus its source's title, divided by
the query's total IDF and capped at 1. ``wording`` is rapidfuzz ``token_set_ratio`` of the
cleaned query and the passage. Ties break on external id, then source id, then passage id.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from claimdesk.core.match_text import MAX_QUERY_CHARS, clean_query, fold, names, query_terms
from claimdesk.core.match_text import terms as text_terms
from claimdesk.core.match_text import tokens as text_tokens

K1 = 0.9
B = 0.5
LEXICAL_WEIGHT = 0.8
WORDING_WEIGHT = 0.2
STRONG_MATCH = 0.6
"""A score from here up is a strong match; below ``SUGGEST`` a match is not worth showing."""
SUGGEST = 0.25
SCORE_DIGITS = 6
ALIGN_GAP_CHARS = 80
MAX_WHY_TERMS = 6


@dataclass(frozen=True)
class PreparedQuery:
    """A query after cleaning: the text that is compared and its distinct index terms."""

    raw: str
    text: str
    terms: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.terms


@dataclass(frozen=True)
class CorpusStats:
    """What BM25 needs to know about the whole library."""

    documents: int
    average_length: float
    doc_freq: Mapping[str, int] = field(default_factory=dict)

    def idf(self, term: str) -> float:
        n = max(self.documents, 1)
        df = min(self.doc_freq.get(term, 0), n)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


@dataclass(frozen=True)
class Candidate:
    """A passage offered by the search index, with what the ranking and the output need."""

    passage_id: int
    source_id: int
    text: str
    title: str | None = None
    external_id: str | None = None
    url: str | None = None
    terms: str | None = None
    """The index terms of title and text, space-joined, when the index already has them."""


@dataclass(frozen=True)
class Match:
    """A candidate's place in the ranking: the score, where the claim sits, and why."""

    candidate: Candidate
    score: float
    match_start: int
    match_end: int
    why: tuple[str, ...]

    @property
    def strength(self) -> str:
        """``strong``, ``suggested`` or ``weak`` by the module's thresholds."""
        if self.score >= STRONG_MATCH:
            return "strong"
        return "suggested" if self.score >= SUGGEST else "weak"


def prepare(query: str) -> PreparedQuery:
    """Clean a query (a claim, a pasted post) and find its index terms. Never raises."""
    cleaned = clean_query(query[:MAX_QUERY_CHARS])
    return PreparedQuery(raw=query, text=cleaned, terms=tuple(query_terms(cleaned)))


def select_terms(
    terms: Sequence[str],
    doc_freq: Mapping[str, int],
    *,
    postings_budget: int,
    max_terms: int = 12,
    min_terms: int = 2,
) -> list[str]:
    """The most selective terms to ask the index for, rarest first.

    Terms that no passage holds are dropped. Terms are added rarest first while their
    summed document frequencies stay within ``postings_budget`` (at least ``min_terms``,
    at most ``max_terms``), which bounds the work of the candidate query however large
    the library grows. Ties on frequency keep the query's order.
    """
    present = [t for t in terms if doc_freq.get(t, 0) > 0]
    ordered = sorted(present, key=lambda t: (doc_freq[t], terms.index(t)))
    chosen: list[str] = []
    postings = 0
    for t in ordered:
        if len(chosen) >= max_terms:
            break
        if len(chosen) >= min_terms and postings + doc_freq[t] > postings_budget:
            break
        chosen.append(t)
        postings += doc_freq[t]
    return chosen


def _bm25(
    query: PreparedQuery,
    doc_terms: Counter[str],
    length: int,
    stats: CorpusStats,
    weights: Mapping[str, float],
) -> float:
    average = stats.average_length or 1.0
    norm = K1 * (1.0 - B + B * length / average)
    total = 0.0
    for t in query.terms:
        f = doc_terms.get(t, 0)
        if f:
            total += weights[t] * f * (K1 + 1.0) / (f + norm)
    return total


@dataclass(frozen=True)
class _Scorer:
    """What every candidate's score needs from the query, worked out once per query."""

    query: PreparedQuery
    stats: CorpusStats
    weights: Mapping[str, float]
    query_idf: float
    processed: str

    @classmethod
    def of(cls, query: PreparedQuery, stats: CorpusStats) -> _Scorer:
        weights = {t: stats.idf(t) for t in query.terms}
        total = sum(stats.idf(t) for t in query.terms) or 1.0
        return cls(query, stats, weights, total, default_process(query.text))

    def __call__(self, candidate: Candidate) -> float:
        if candidate.terms is not None:
            doc = candidate.terms.split()
        else:
            doc = text_terms(candidate.title or "") + text_terms(candidate.text)
        bm25 = _bm25(self.query, Counter(doc), len(doc), self.stats, self.weights)
        lexical = min(1.0, bm25 / self.query_idf)
        wording = fuzz.token_set_ratio(self.processed, default_process(candidate.text)) / 100.0
        return round(LEXICAL_WEIGHT * lexical + WORDING_WEIGHT * wording, SCORE_DIGITS)


def score(query: PreparedQuery, candidate: Candidate, stats: CorpusStats) -> float:
    """The candidate's score in [0, 1] (rounded, so every backend agrees to the digit)."""
    if query.is_empty:
        return 0.0
    return _Scorer.of(query, stats)(candidate)


def _order_key(item: tuple[float, Candidate]) -> tuple[float, bool, str, int, int]:
    value, c = item
    return (-value, c.external_id is None, c.external_id or "", c.source_id, c.passage_id)


def rank(
    query: PreparedQuery,
    candidates: Iterable[Candidate],
    stats: CorpusStats,
    *,
    limit: int,
) -> list[Match]:
    """Best ``limit`` sources for the query, each with its best passage, best first."""
    if query.is_empty or limit <= 0:
        return []
    best: dict[int, tuple[float, Candidate]] = {}
    scorer = _Scorer.of(query, stats)
    for c in candidates:
        value = scorer(c)
        current = best.get(c.source_id)
        if current is None or _order_key((value, c)) < _order_key(current):
            best[c.source_id] = (value, c)
    ordered = sorted(best.values(), key=_order_key)[:limit]
    matches = []
    for value, c in ordered:
        start, end = align(query, c.text, stats)
        matches.append(Match(c, value, start, end, explain(query, c, stats)))
    return matches


def align(query: PreparedQuery, passage: str, stats: CorpusStats | None = None) -> tuple[int, int]:
    """Where the claim sits in ``passage``: ``(start, end)`` code-point offsets.

    The densest run of query terms wins (words no more than ``ALIGN_GAP_CHARS`` apart,
    weighted by IDF); without any shared term, rapidfuzz's partial alignment decides.
    Returns ``(0, 0)`` for an empty query or passage.
    """
    if not passage or not query.text:
        return (0, 0)
    wanted = set(query.terms)
    hits = [tok for tok in text_tokens(passage) if tok.term in wanted]
    if not hits:
        found = fuzz.partial_ratio_alignment(query.text.lower(), passage.lower())
        if found is None or found.dest_end <= found.dest_start:
            return (0, 0)
        return (found.dest_start, found.dest_end)
    weight = stats.idf if stats is not None else (lambda _t: 1.0)
    best_span = (hits[0].start, hits[0].end)
    best_value = -1.0
    group = [hits[0]]
    for tok in [*hits[1:], None]:
        if tok is not None and tok.start - group[-1].end <= ALIGN_GAP_CHARS:
            group.append(tok)
            continue
        value = sum(weight(t) for t in {g.term for g in group})
        if value > best_value:
            best_value, best_span = value, (group[0].start, group[-1].end)
        if tok is not None:
            group = [tok]
    return best_span


def explain(query: PreparedQuery, candidate: Candidate, stats: CorpusStats) -> tuple[str, ...]:
    """Reasons a person can check: shared terms, shared numbers, shared names, wording."""
    surfaces: dict[str, str] = {}
    for tok in text_tokens((candidate.title or "") + "\n" + candidate.text):
        surfaces.setdefault(tok.term, tok.surface)
    shared = [t for t in query.terms if t in surfaces]
    reasons: list[str] = []
    words = sorted((t for t in shared if not t.isdigit()), key=lambda t: (-stats.idf(t), t))
    if words:
        reasons.append("shared terms: " + ", ".join(surfaces[t] for t in words[:MAX_WHY_TERMS]))
    numbers = [surfaces[t] for t in shared if t.isdigit()]
    if numbers:
        reasons.append("same numbers: " + ", ".join(numbers[:MAX_WHY_TERMS]))
    people = [n for n in names(query.text) if _all_present(n, surfaces)]
    if people:
        reasons.append("same names: " + ", ".join(people[:MAX_WHY_TERMS]))
    wording = fuzz.token_set_ratio(default_process(query.text), default_process(candidate.text))
    if wording >= 60:
        reasons.append(f"similar wording ({wording:.0f}%)")
    return tuple(reasons)


def _all_present(name: str, surfaces: Mapping[str, str]) -> bool:
    parts = text_terms(name)
    return bool(parts) and all(p in surfaces for p in parts) and bool(fold(name).strip())
