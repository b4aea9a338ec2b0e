"""Full-text and fuzzy claim search for the research query layer (``services.research``).

A search ``q`` becomes index terms (``core.match_text.query_terms``, the claim index's
tokeniser). A claim matches when one of its texts holds every term:

- its statement, through the claim search index (``claim_fts``);
- its quote, or the rationale of the verdict the caller may see (for researchers: the
  latest published one), with the same tokeniser: SQL narrows the rows to those whose
  text contains every term's root (``LIKE``), Python confirms with the tokeniser. Only
  quotes that differ from the statement are read (the index covers the others).

Fuzzy: a term no indexed statement holds (a typo, usually) also matches the indexed terms
within a small edit distance of it that start with the same letter (``Search.corrections``
says which), in statements, quotes and rationales alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlmodel import Session

from claimdesk.core.match_text import query_terms, terms
from claimdesk.store import search_index
from claimdesk.store.models import Claim, Verdict

__all__ = ["Search", "edit_distance", "prepare", "text_condition"]

_CLAIM = Claim.__table__  # type: ignore[attr-defined]
_VERDICT = Verdict.__table__  # type: ignore[attr-defined]

FUZZY_MIN_LENGTH = 4
"""Shorter terms are taken as typed: one letter off, they are another word."""
MAX_ALTERNATIVES = 5


@dataclass(frozen=True)
class Search:
    """A prepared search: ``groups`` holds, per query term, the terms that count for it
    (the term first, then its fuzzy alternatives); a text matches when it holds a term of
    every group."""

    groups: tuple[tuple[str, ...], ...]
    corrections: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def holds(self, text: str) -> bool:
        found = set(terms(text))
        return all(any(t in found for t in group) for group in self.groups)


def edit_distance(a: str, b: str, limit: int) -> int:
    """The optimal-string-alignment distance of ``a`` and ``b`` (a swap of neighbours
    counts 1), or ``limit + 1`` once it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed(term: str) -> int:
    return 1 if len(term) < 8 else 2


def prepare(session: Session, q: str | None) -> Search:
    """The search for ``q``: its index terms, each with its fuzzy alternatives when no
    indexed statement holds it. Database errors propagate."""
    wanted = query_terms(q or "")
    if not wanted:
        return Search(())
    conn = session.connection()
    known = search_index.claim_doc_freq(conn, wanted)
    groups: list[tuple[str, ...]] = []
    corrections: dict[str, list[str]] = {}
    for t in wanted:
        near: list[str] = []
        if t not in known and len(t) >= FUZZY_MIN_LENGTH and t.isalpha():
            limit = _allowed(t)
            found = search_index.claim_terms_like(conn, t[0], len(t) - limit, len(t) + limit)
            scored = [
                (d, -docs, other)
                for other, docs in found
                if (d := edit_distance(t, other, limit)) <= limit
            ]
            near = [other for _, _, other in sorted(scored)[:MAX_ALTERNATIVES]]
            if near:
                corrections[t] = near
        groups.append((t, *near))
    return Search(tuple(groups), corrections)


def _root(term: str) -> str | None:
    """A piece of text every word with index term ``term`` contains (lowercased), for a
    LIKE that narrows rows before the tokeniser confirms; None when there is none worth
    using (numbers lose their separators when folded)."""
    if not term.isalpha() or not term.isascii():
        return None
    root = term[:-1] if term.endswith(("y", "e")) and len(term) > 3 else term
    return root if len(root) >= 2 else None


def _narrowed(column: Any, search: Search) -> list[ColumnElement[bool]]:
    where = []
    lowered = func.lower(column)
    for group in search.groups:
        roots = [_root(t) for t in group]
        if any(r is None for r in roots):
            continue  # one alternative cannot be narrowed: the tokeniser decides alone
        where.append(or_(*(lowered.contains(r, autoescape=True) for r in roots if r)))
    return where


def _quote_matches(session: Session, search: Search) -> list[int]:
    query = select(_CLAIM.c.id, _CLAIM.c.quote).where(
        _CLAIM.c.quote != _CLAIM.c.statement, *_narrowed(_CLAIM.c.quote, search)
    )
    return [int(cid) for cid, quote in session.connection().execute(query) if search.holds(quote)]


def _rationale_matches(session: Session, search: Search) -> list[int]:
    query = select(_VERDICT.c.id, _VERDICT.c.rationale).where(
        _VERDICT.c.rationale != "", *_narrowed(_VERDICT.c.rationale, search)
    )
    return [int(vid) for vid, text in session.connection().execute(query) if search.holds(text)]


def _statement_matches(session: Session, groups: Sequence[Sequence[str]]) -> Any:
    dialect = session.connection().dialect.name
    found = search_index.claims_holding_each(dialect, groups).subquery("q")
    return select(found.c.claim_id)


def text_condition(session: Session, search: Search, verdict: Any) -> ColumnElement[bool]:
    """A condition on ``claim`` (and ``verdict``, the alias of the verdict the caller may
    see) that holds for the claims ``search`` matches. An unpublished rationale never
    matches for a researcher: it can only match through the visible verdict's id."""
    if search.is_empty:
        return true()
    parts: list[ColumnElement[bool]] = [_CLAIM.c.id.in_(_statement_matches(session, search.groups))]
    quoted = _quote_matches(session, search)
    if quoted:
        parts.append(_CLAIM.c.id.in_(quoted))
    reasoned = _rationale_matches(session, search)
    if reasoned:
        parts.append(verdict.c.id.in_(reasoned))
    return or_(false(), *parts)
