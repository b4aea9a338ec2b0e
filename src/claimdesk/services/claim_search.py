"""Full-text and fuzzy claim search for the research query layer (``services.research``).

A search ``q`` becomes index terms (``core.match_text.query_terms``, the claim index's
tokeniser). A claim matches when one of its texts holds every term:

- its statement, through the claim search index (``claim_fts``);
- its quote, or the rationale of the verdict the caller may see (for researchers: the
  latest published one), with the same tokeniser: SQL narrows the rows to those whose
  text contains every term's root (``LIKE``), Python confirms with the tokeniser. Only
  quotes that differ from the statement are read (the index covers the others).

The matching claims are found once, as a set of ids, so the listing and each facet count
start from those few claims (``ids_condition``) rather than testing every claim.

Fuzzy: a term no indexed statement holds (a typo, usually) also matches the indexed terms
within a small edit distance of it that start with the same letter (``Search.corrections``
says which), in statements, quotes and rationales alike.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, bindparam, func, or_, select
from sqlmodel import Session

from claimdesk.core.match_text import query_terms, terms
from claimdesk.core.workflow import VerdictState
from claimdesk.store import search_index
from claimdesk.store.models import Claim, Verdict

__all__ = ["Search", "edit_distance", "ids_condition", "matching_claims", "prepare"]

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


def _narrowed(session: Session, column: Any, search: Search) -> list[ColumnElement[bool]]:
    """LIKE conditions every text ``search`` matches meets, longest root first (the most
    selective, usually, so the rest are rarely tested). SQLite's LIKE ignores ASCII case
    already (the roots are ASCII); PostgreSQL's ILIKE does."""
    sqlite = session.connection().dialect.name == search_index.SQLITE
    where = []
    groups: list[list[str]] = []
    for group in search.groups:
        found = [_root(t) for t in group]
        if all(r is not None for r in found):  # else the tokeniser decides alone
            groups.append(sorted({r for r in found if r}, key=len))
    for roots in sorted(groups, key=lambda r: -min(len(x) for x in r)):
        if sqlite:
            where.append(or_(*(column.contains(r, autoescape=True) for r in roots)))
        else:
            where.append(or_(*(column.icontains(r, autoescape=True) for r in roots)))
    return where


def _quote_matches(session: Session, search: Search) -> set[int]:
    query = select(_CLAIM.c.id, _CLAIM.c.quote).where(
        _CLAIM.c.quote != _CLAIM.c.statement, *_narrowed(session, _CLAIM.c.quote, search)
    )
    return {int(cid) for cid, quote in session.connection().execute(query) if search.holds(quote)}


def _rationale_matches(session: Session, search: Search, *, wip: bool) -> dict[int, int]:
    """verdict id -> claim id of the verdicts (published ones unless ``wip``) whose
    rationale holds the search."""
    query = select(_VERDICT.c.id, _VERDICT.c.claim_id, _VERDICT.c.rationale).where(
        _VERDICT.c.rationale != "", *_narrowed(session, _VERDICT.c.rationale, search)
    )
    if not wip:
        query = query.where(_VERDICT.c.state == VerdictState.PUBLISHED.value)
    return {
        int(vid): int(cid)
        for vid, cid, text in session.connection().execute(query)
        if search.holds(text)
    }


def ids_condition(session: Session, column: Any, ids: Collection[int]) -> ColumnElement[bool]:
    """``column IN ids`` with the ids bound as one value (a JSON array on SQLite, an array
    on PostgreSQL), however many there are."""
    if session.connection().dialect.name == search_index.SQLITE:
        listed = select(func.json_each(json.dumps(sorted(ids))).table_valued("value").c.value)
        condition: ColumnElement[bool] = column.in_(listed.scalar_subquery())
    else:
        every = bindparam("ids", sorted(ids), type_=ARRAY(Integer), unique=True)
        condition = column == func.any(every)
    return condition


def matching_claims(session: Session, search: Search, *, wip: bool) -> set[int]:
    """The ids of the claims ``search`` matches as a caller sees them: its statement or
    quote holds the search, or the rationale of its latest verdict does (its latest
    published one unless ``wip``), so an unpublished rationale never matches for a
    researcher. Database errors propagate."""
    if search.is_empty:
        raise ValueError("an empty search matches everything: do not filter by it")
    cache: dict[tuple[Any, ...], set[int]] = session.info.setdefault("matching_claims", {})
    key = (search.groups, wip)  # a page lists and counts facets in one read-only session
    if key not in cache:
        cache[key] = _matching_claims(session, search, wip=wip)
    return cache[key]


def _matching_claims(session: Session, search: Search, *, wip: bool) -> set[int]:
    conn = session.connection()
    query = search_index.claims_holding_each(conn.dialect.name, search.groups)
    found = {int(r[0]) for r in conn.execute(query)}
    found |= _quote_matches(session, search)
    reasoned = _rationale_matches(session, search, wip=wip)
    others = {cid for cid in reasoned.values() if cid not in found}
    if others:
        latest = select(_VERDICT.c.claim_id, func.max(_VERDICT.c.id)).where(
            ids_condition(session, _VERDICT.c.claim_id, others)
        )
        if not wip:
            latest = latest.where(_VERDICT.c.state == VerdictState.PUBLISHED.value)
        for cid, vid in conn.execute(latest.group_by(_VERDICT.c.claim_id)):
            if int(vid) in reasoned:
                found.add(int(cid))
    return found
