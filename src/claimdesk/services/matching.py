"""Use cases for matching: suggest sources for a claim, and "has this been checked before?".

Two stages. The search index offers candidate passages (or claims) for the query's most
selective terms (so the cost stays bounded as the library and the desk grow); core
re-ranks them with BM25 over every query term, rapidfuzz wording similarity and an
alignment. One row per source, its best passage. Read-only: nothing here writes or commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlmodel import Session

from claimdesk.core import matching
from claimdesk.core.matching import Candidate, CorpusStats, PreparedQuery
from claimdesk.store import search_index
from claimdesk.store.models import Article, Claim, Passage, Source, Verdict

CANDIDATES = 100
"""Passages (or claims) the index offers for re-ranking (``limit`` raises it when larger)."""
KIND_CANDIDATES = 30
"""Passages of one kind offered for re-ranking (the index query already keeps only that
kind, so fewer suffice; ``limit`` raises it when larger)."""
POSTINGS_BUDGET = 20_000
"""Upper bound on the summed document frequencies of the terms sent to the index."""
MAX_LIMIT = 1000

_SOURCE = Source.__table__  # type: ignore[attr-defined]
_PASSAGE = Passage.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SourceMatch:
    source_id: int
    external_id: str | None
    title: str | None
    url: str | None
    kind: str
    passage_id: int
    passage: str
    score: float
    match_start: int
    match_end: int
    why: tuple[str, ...]
    rating_text: str | None = None
    claim_reviewed: str | None = None

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``claimdesk match --format json``."""
        return {
            "source_id": self.source_id,
            "external_id": self.external_id,
            "title": self.title,
            "url": self.url,
            "passage": self.passage,
            "score": self.score,
            "match_start": self.match_start,
            "match_end": self.match_end,
            "why": list(self.why),
        }


@dataclass(frozen=True)
class ClaimMatch:
    claim_id: int
    statement: str
    status: str
    verdict: str | None
    score: float
    why: tuple[str, ...]


@dataclass(frozen=True)
class CheckedBefore:
    """Earlier work on a claim: the desk's own claims and imported fact-checks."""

    claims: list[ClaimMatch]
    fact_checks: list[SourceMatch]

    @property
    def found(self) -> bool:
        return bool(self.claims or self.fact_checks)


def match(
    session: Session, text: str, *, limit: int = 10, kind: str | None = None
) -> list[SourceMatch]:
    """The sources that best match ``text``, best first, one row per source.

    ``kind`` keeps only sources of that kind (``fact_check``...). Any text is accepted,
    including empty or hostile strings (they find nothing). Raises nothing of its own;
    database errors propagate.
    """
    limit = max(0, min(limit, MAX_LIMIT))
    query = matching.prepare(text)
    if query.is_empty or limit == 0:
        return []
    conn = session.connection()
    doc_freq = search_index.doc_freq(conn, query.terms)
    index = search_index.stats(conn)
    stats = CorpusStats(index.documents, index.average_length, doc_freq)
    chosen = matching.select_terms(query.terms, doc_freq, postings_budget=POSTINGS_BUDGET)
    pool = max(CANDIDATES if kind is None else KIND_CANDIDATES, 3 * limit)
    weights = {t: stats.idf(t) for t in chosen}
    found = search_index.candidates(conn, chosen, weights, limit=pool, kind=kind)
    if not found and kind is None:  # no shared term at all: typos? (PostgreSQL trigrams)
        found = search_index.similar(conn, query.terms, limit=pool)
    return _rank(session, query, dict(found), stats, limit=limit, kind=kind)


def _rank(
    session: Session,
    query: PreparedQuery,
    indexed: dict[int, str],
    stats: CorpusStats,
    *,
    limit: int,
    kind: str | None,
) -> list[SourceMatch]:
    if not indexed:
        return []
    statement = (
        select(
            _PASSAGE.c.id,
            _PASSAGE.c.source_id,
            _PASSAGE.c.text,
            _SOURCE.c.title,
            _SOURCE.c.external_id,
            _SOURCE.c.url,
            _SOURCE.c.kind,
            _SOURCE.c.rating_text,
            _SOURCE.c.claim_reviewed,
        )
        .join(_SOURCE, _SOURCE.c.id == _PASSAGE.c.source_id)
        .where(_PASSAGE.c.id.in_(bindparam("ids", expanding=True)))
    )
    rows = session.connection().execute(statement, {"ids": list(indexed)}).all()
    if kind is not None:  # the index already kept this kind; filtering in SQL here made
        rows = [r for r in rows if r.kind == kind]  # SQLite walk ix_source_kind instead
    details = {r.id: r for r in rows}
    candidates = [
        Candidate(r.id, r.source_id, r.text, r.title, r.external_id, r.url, indexed[r.id])
        for r in rows
    ]
    found = matching.rank(query, candidates, stats, limit=limit)
    out = []
    for m in found:
        c, row = m.candidate, details[m.candidate.passage_id]
        out.append(
            SourceMatch(
                source_id=c.source_id,
                external_id=c.external_id,
                title=c.title,
                url=c.url,
                kind=row.kind,
                passage_id=c.passage_id,
                passage=c.text,
                score=m.score,
                match_start=m.match_start,
                match_end=m.match_end,
                why=m.why,
                rating_text=row.rating_text,
                claim_reviewed=row.claim_reviewed,
            )
        )
    return out


def checked_before(session: Session, text: str, *, limit: int = 5) -> CheckedBefore:
    """Claims the desk already holds and imported fact-checks that match ``text``.

    Only matches scoring at least ``core.matching.SUGGEST`` are returned; claims come with
    their status and latest verdict label. Every claim in the claim index is considered,
    however old. Raises nothing of its own.
    """
    fact_checks = [
        m
        for m in match(session, text, limit=limit, kind="fact_check")
        if m.score >= matching.SUGGEST
    ]
    query = matching.prepare(text)
    if query.is_empty or limit <= 0:
        return CheckedBefore([], fact_checks)
    return CheckedBefore(_earlier_claims(session, query, min(limit, MAX_LIMIT)), fact_checks)


def _earlier_claims(session: Session, query: PreparedQuery, limit: int) -> list[ClaimMatch]:
    conn = session.connection()
    doc_freq = search_index.claim_doc_freq(conn, query.terms)
    index = search_index.claim_stats(conn)
    stats = CorpusStats(index.documents, index.average_length, doc_freq)
    chosen = matching.select_terms(query.terms, doc_freq, postings_budget=POSTINGS_BUDGET)
    found = dict(
        search_index.claim_candidates(
            conn, chosen, {t: stats.idf(t) for t in chosen}, limit=max(CANDIDATES, 3 * limit)
        )
    )
    if not found:
        return []
    claim = Claim.__table__  # type: ignore[attr-defined]
    rows = conn.execute(
        select(claim.c.id, claim.c.statement, claim.c.status).where(
            claim.c.id.in_(bindparam("ids", expanding=True))
        ),
        {"ids": list(found)},
    ).all()
    status = {int(r.id): str(r.status) for r in rows}
    candidates = [
        Candidate(int(r.id), int(r.id), str(r.statement), terms=found[int(r.id)]) for r in rows
    ]
    ranked = [
        m
        for m in matching.rank(query, candidates, stats, limit=limit)
        if m.score >= matching.SUGGEST
    ]
    verdicts = _latest_verdicts(session, [m.candidate.source_id for m in ranked])
    return [
        ClaimMatch(
            claim_id=m.candidate.source_id,
            statement=m.candidate.text,
            status=status[m.candidate.source_id],
            verdict=verdicts.get(m.candidate.source_id),
            score=m.score,
            why=m.why,
        )
        for m in ranked
    ]


def _latest_verdicts(session: Session, claim_ids: list[int]) -> dict[int, str]:
    if not claim_ids:
        return {}
    verdict = Verdict.__table__  # type: ignore[attr-defined]
    rows = session.connection().execute(
        select(verdict.c.claim_id, verdict.c.label_name)
        .where(verdict.c.claim_id.in_(claim_ids))
        .order_by(verdict.c.proposed_at, verdict.c.id)
    )
    return {int(cid): str(label) for cid, label in rows}


@dataclass(frozen=True)
class EarlierClaim:
    """A claim found in another article that matches the one being reviewed."""

    match: ClaimMatch
    article_id: int
    article_title: str | None


@dataclass(frozen=True)
class ClaimSuggestions:
    """What the claim panel shows: sources for the claim and earlier work on it."""

    sources: list[SourceMatch]
    earlier_claims: list[EarlierClaim]
    fact_checks: list[SourceMatch]


def suggestions_for_claim(session: Session, claim: Claim, *, limit: int = 5) -> ClaimSuggestions:
    """Sources for ``claim`` and the same claim elsewhere: other articles, fact-checks.

    Claims of the claim's own article are left out (repeats there are marked
    ``duplicate_of`` at extraction). Read-only; raises nothing of its own.
    """
    sources = match(session, claim.statement, limit=limit)
    earlier = checked_before(session, claim.statement, limit=limit)
    ids = [m.claim_id for m in earlier.claims if m.claim_id != claim.id]
    rows = (
        session.exec(
            select(Claim.id, Claim.article_id, Article.title)  # type: ignore[call-overload]
            .join(Article, Article.id == Claim.article_id)
            .where(Claim.id.in_(ids))  # type: ignore[union-attr]
        ).all()
        if ids
        else []
    )
    where = {int(cid): (int(aid), title) for cid, aid, title in rows}
    others = [
        EarlierClaim(m, *where[m.claim_id])
        for m in earlier.claims
        if m.claim_id in where and where[m.claim_id][0] != claim.article_id
    ]
    return ClaimSuggestions(sources, others, earlier.fact_checks)
