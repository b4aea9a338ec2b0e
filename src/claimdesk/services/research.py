"""Research queries: claims by filters, sorted and paged by cursor; articles; counts.

One query layer for the JSON API and ``claimdesk query`` (and later the search page). The
rules live in ``core.research`` (checked filters, cursors, who sees work in progress);
this module turns them into SQL. Read-only: nothing here writes or commits.

What a caller sees depends on its role (``core.research.sees_work_in_progress``): a
researcher's claim carries only its latest published verdict, and the verdict, reviewer
and verdict-date filters, the stats and the facets look at that verdict only, so work in
progress (proposed or approved verdicts, unpublished rationales) never shows through.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.sql.selectable import FromClause
from sqlmodel import Session, col

from claimdesk.core import research
from claimdesk.core.research import ClaimFilters, PageCursor
from claimdesk.core.workflow import VerdictState
from claimdesk.services import claim_search, review
from claimdesk.services.review import VerdictView
from claimdesk.store import search_index
from claimdesk.store.models import (
    Article,
    Claim,
    Claimant,
    ClaimTag,
    Tag,
    User,
    Verdict,
)

__all__ = [
    "ArticleItem",
    "ArticlePage",
    "ClaimItem",
    "ClaimPage",
    "DeskStats",
    "facet_counts",
    "iter_claims",
    "list_articles",
    "list_claims",
    "stats",
]

_CLAIM = Claim.__table__  # type: ignore[attr-defined]
_VERDICT = Verdict.__table__  # type: ignore[attr-defined]
_ARTICLE = Article.__table__  # type: ignore[attr-defined]
_CLAIMANT = Claimant.__table__  # type: ignore[attr-defined]
_USER = User.__table__  # type: ignore[attr-defined]
_CLAIM_TAG = ClaimTag.__table__  # type: ignore[attr-defined]
_TAG = Tag.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ClaimItem:
    """A claim as a listing shows it: ``verdict`` is the verdict the caller may see (the
    latest, or for a researcher the latest published one)."""

    claim: Claim
    claimant: str | None
    article_title: str | None
    publisher: str | None
    verdict: VerdictView | None
    published_verdict: VerdictView | None
    tags: list[str]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a listed claim (``GET /api/claims``, ``claimdesk query``): that
        of ``GET /api/claims/{id}`` without its evidence, plus article title, publisher,
        claim date, score and when the claim was found."""
        claim = self.claim
        orphan = claim.anchor_state == "orphaned"
        return {
            "id": claim.id,
            "uuid": str(claim.uuid),
            "article_id": claim.article_id,
            "article_title": self.article_title,
            "publisher": self.publisher,
            "status": claim.status,
            "row_version": claim.row_version,
            "statement": claim.statement,
            "quote": claim.quote,
            # an orphan's words are not in its article version: it has no span to give
            "start": None if orphan else claim.start,
            "end": None if orphan else claim.end,
            "anchor_state": claim.anchor_state,
            "version_id": claim.version_id,
            "claimant": self.claimant,
            "claim_date": claim.claim_date.isoformat() if claim.claim_date else None,
            "score": claim.score,
            "assignee_id": claim.assignee_id,
            "created_at": claim.created_at.isoformat(),
            "verdict": _verdict_dict(self.verdict),
            "published_verdict": _verdict_dict(self.published_verdict),
            "tags": list(self.tags),
        }


def _verdict_dict(verdict: VerdictView | None) -> dict[str, Any] | None:
    if verdict is None:
        return None
    out: dict[str, Any] = asdict(verdict)
    for name in ("proposed_at", "approved_at", "published_at"):
        out[name] = out[name].isoformat() if out[name] is not None else None
    return out


@dataclass(frozen=True)
class ClaimPage:
    items: list[ClaimItem]
    next_cursor: str | None


@dataclass(frozen=True)
class ArticleItem:
    article: Article
    claims: int
    published_claims: int


@dataclass(frozen=True)
class ArticlePage:
    items: list[ArticleItem]
    next_cursor: str | None


@dataclass(frozen=True)
class DeskStats:
    claims: int
    by_status: dict[str, int]
    by_verdict: dict[str, int]
    """Claims per label of the verdict the caller may see (claims without one left out)."""


def _visible_verdict(wip: bool) -> tuple[FromClause, Any]:
    """Claims joined to their article and outer-joined to the verdict each shows (returned
    as the second item): its latest, or its latest published one when work in progress is
    hidden."""
    v = _VERDICT.alias("v")
    latest = select(func.max(_VERDICT.c.id)).where(_VERDICT.c.claim_id == _CLAIM.c.id)
    if not wip:
        latest = latest.where(_VERDICT.c.state == VerdictState.PUBLISHED.value)
    joined = _CLAIM.join(_ARTICLE, _ARTICLE.c.id == _CLAIM.c.article_id).outerjoin(
        v, v.c.id == latest.scalar_subquery()
    )
    return joined, v


def _lower_equals(column: Any, value: str) -> ColumnElement[bool]:
    return func.lower(column) == value.lower()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _conditions(
    session: Session, filters: ClaimFilters, v: Any, *, wip: bool = False
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.q:  # statements, quotes and visible rationales; fuzzy (services.claim_search)
        search = claim_search.prepare(session, filters.q)
        if not search.is_empty:
            found = claim_search.matching_claims(session, search, wip=wip)
            where.append(claim_search.ids_condition(session, _CLAIM.c.id, found))
    if filters.verdict:
        where.append(_lower_equals(v.c.label_name, filters.verdict))
    if filters.statuses:
        where.append(_CLAIM.c.status.in_(sorted(filters.statuses)))
    if filters.publisher:
        where.append(_lower_equals(_ARTICLE.c.publisher, filters.publisher))
    if filters.claimant:
        named = select(_CLAIMANT.c.id).where(_lower_equals(_CLAIMANT.c.name, filters.claimant))
        where.append(_CLAIM.c.claimant_id.in_(named))
    if filters.reviewer:
        who = select(_USER.c.id).where(_lower_equals(_USER.c.email, filters.reviewer))
        where.append(v.c.proposer_id.in_(who))
    if filters.tag:
        tagged = (
            select(_CLAIM_TAG.c.claim_id)
            .join(_TAG, _TAG.c.id == _CLAIM_TAG.c.tag_id)
            .where(_CLAIM_TAG.c.claim_id == _CLAIM.c.id, _lower_equals(_TAG.c.name, filters.tag))
        )
        where.append(exists(tagged))
    if filters.article_id is not None:
        where.append(_CLAIM.c.article_id == filters.article_id)
    when = func.coalesce(v.c.published_at, v.c.approved_at, v.c.proposed_at)
    if filters.since:
        where.append(when >= _day_start(filters.since))
    if filters.until:
        where.append(when < _day_start(filters.until + timedelta(days=1)))
    if filters.claimed_since:
        where.append(_CLAIM.c.claim_date >= filters.claimed_since)
    if filters.claimed_until:
        where.append(_CLAIM.c.claim_date <= filters.claimed_until)
    return where


def _filtered(session: Session, filters: ClaimFilters, role: str | None) -> tuple[Select[Any], Any]:
    wip = research.sees_work_in_progress(role)
    joined, v = _visible_verdict(wip)
    query = (
        select(_CLAIM.c.id).select_from(joined).where(*_conditions(session, filters, v, wip=wip))
    )
    return query, v


def _sort_key(sort: str) -> Any:
    return _CLAIM.c.score if sort == "score" else _CLAIM.c.created_at


def _after(sort: str, cursor: PageCursor) -> ColumnElement[bool]:
    key = _sort_key(sort)
    if sort == "oldest":
        return or_(key > cursor.key, and_(key == cursor.key, _CLAIM.c.id > cursor.id))
    return or_(key < cursor.key, and_(key == cursor.key, _CLAIM.c.id < cursor.id))


def list_claims(
    session: Session,
    filters: ClaimFilters,
    *,
    role: str | None,
    sort: str = "newest",
    limit: int = research.DEFAULT_LIMIT,
    cursor: str | None = None,
) -> ClaimPage:
    """One page of the claims matching ``filters`` as ``role`` sees them, in ``sort``
    order, starting after ``cursor``; ``next_cursor`` is None on the last page.

    Raises core.research.FilterError for an unknown sort or a limit out of range, and
    CursorError for a cursor that is not one of ours (or not for this sort).
    """
    sort = research.check_sort(sort)
    limit = research.check_limit(limit)
    after = research.decode_cursor(cursor, sort=sort) if cursor else None
    query, _ = _filtered(session, filters, role)
    key = _sort_key(sort)
    if after is not None:
        query = query.where(_after(sort, after))
    if sort == "oldest":
        query = query.order_by(key.asc(), _CLAIM.c.id.asc())
    else:
        query = query.order_by(key.desc(), _CLAIM.c.id.desc())
    ids = [int(r[0]) for r in session.connection().execute(query.limit(limit + 1))]
    more = len(ids) > limit
    items = _items(session, ids[:limit], role)
    next_cursor = None
    if more and items:
        last = items[-1].claim
        value = last.score if sort == "score" else last.created_at
        next_cursor = research.encode_cursor(PageCursor(sort, value, int(last.id or 0)))
    return ClaimPage(items, next_cursor)


def iter_claims(
    session: Session,
    filters: ClaimFilters,
    *,
    role: str | None,
    sort: str = "newest",
    page_size: int = research.MAX_LIMIT,
    cursor: str | None = None,
) -> Iterator[ClaimItem]:
    """Every claim matching ``filters`` (after ``cursor``), page after page, for streams
    and the CLI. Raises as list_claims, before the first claim for a bad cursor."""
    if cursor:
        research.decode_cursor(cursor, sort=research.check_sort(sort))
    while True:
        page = list_claims(session, filters, role=role, sort=sort, limit=page_size, cursor=cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _items(session: Session, ids: list[int], role: str | None) -> list[ClaimItem]:
    if not ids:
        return []
    wip = research.sees_work_in_progress(role)
    claims = {c.id or 0: c for c in session.scalars(select(Claim).where(col(Claim.id).in_(ids)))}
    article_ids = {c.article_id for c in claims.values()}
    articles = {
        int(r.id): (r.title, r.publisher)
        for r in session.connection().execute(
            select(_ARTICLE.c.id, _ARTICLE.c.title, _ARTICLE.c.publisher).where(
                _ARTICLE.c.id.in_(article_ids)
            )
        )
    }
    claimant_ids = {c.claimant_id for c in claims.values() if c.claimant_id is not None}
    claimants = (
        {
            int(r.id): str(r.name)
            for r in session.connection().execute(
                select(_CLAIMANT.c.id, _CLAIMANT.c.name).where(_CLAIMANT.c.id.in_(claimant_ids))
            )
        }
        if claimant_ids
        else {}
    )
    tags: dict[int, list[str]] = {}
    for cid, name in session.connection().execute(
        select(_CLAIM_TAG.c.claim_id, _TAG.c.name)
        .join(_TAG, _TAG.c.id == _CLAIM_TAG.c.tag_id)
        .where(_CLAIM_TAG.c.claim_id.in_(ids))
        .order_by(_TAG.c.name)
    ):
        tags.setdefault(int(cid), []).append(str(name))
    verdicts = _verdicts(session, ids)
    out = []
    for cid in ids:
        claim = claims[cid]
        rows = verdicts.get(cid, [])
        published = [v for v in rows if v.state == VerdictState.PUBLISHED.value]
        latest_published = published[-1] if published else None
        shown = (rows[-1] if rows else None) if wip else latest_published
        title, publisher = articles.get(claim.article_id, (None, None))
        out.append(
            ClaimItem(
                claim=claim,
                claimant=claimants.get(claim.claimant_id) if claim.claimant_id else None,
                article_title=title,
                publisher=publisher,
                verdict=shown,
                published_verdict=latest_published,
                tags=tags.get(cid, []),
            )
        )
    return out


def _verdicts(session: Session, claim_ids: list[int]) -> dict[int, list[VerdictView]]:
    rows = list(
        session.scalars(
            select(Verdict).where(col(Verdict.claim_id).in_(claim_ids)).order_by(col(Verdict.id))
        )
    )
    out: dict[int, list[VerdictView]] = {}
    for row, view in zip(rows, review.verdict_views(session, rows), strict=True):
        out.setdefault(row.claim_id, []).append(view)
    return out


def list_articles(
    session: Session, *, limit: int = research.DEFAULT_LIMIT, cursor: str | None = None
) -> ArticlePage:
    """One page of articles, newest (highest id) first, with how many claims each holds
    and how many of them are published. Raises FilterError / CursorError as list_claims."""
    limit = research.check_limit(limit)
    after = research.decode_cursor(cursor, sort=research.ARTICLES) if cursor else None
    query = select(_ARTICLE.c.id).order_by(_ARTICLE.c.id.desc()).limit(limit + 1)
    if after is not None:
        query = query.where(_ARTICLE.c.id < after.id)
    ids = [int(r[0]) for r in session.connection().execute(query)]
    more, ids = len(ids) > limit, ids[:limit]
    if not ids:
        return ArticlePage([], None)
    found = {a.id or 0: a for a in session.scalars(select(Article).where(col(Article.id).in_(ids)))}
    published = func.sum(case((_CLAIM.c.status == "published", 1), else_=0))
    counts = {
        int(r[0]): (int(r[1]), int(r[2] or 0))
        for r in session.connection().execute(
            select(_CLAIM.c.article_id, func.count(), published)
            .where(_CLAIM.c.article_id.in_(ids))
            .group_by(_CLAIM.c.article_id)
        )
    }
    items = [ArticleItem(found[i], *counts.get(i, (0, 0))) for i in ids]
    last = PageCursor(research.ARTICLES, None, ids[-1])
    return ArticlePage(items, research.encode_cursor(last) if more else None)


def stats(session: Session, *, role: str | None, filters: ClaimFilters | None = None) -> DeskStats:
    """How many claims there are (matching ``filters``), by status and by the label of the
    verdict ``role`` may see."""
    query, v = _filtered(session, filters or ClaimFilters(), role)
    matching = query.subquery("m")
    conn = session.connection()
    by_status = {
        str(s): int(n)
        for s, n in conn.execute(
            select(_CLAIM.c.status, func.count())
            .where(_CLAIM.c.id.in_(select(matching.c.id)))
            .group_by(_CLAIM.c.status)
            .order_by(_CLAIM.c.status)
        )
    }
    labelled = (
        query.with_only_columns(v.c.label_name, func.count())
        .where(v.c.id.is_not(None))
        .group_by(v.c.label_name)
        .order_by(v.c.label_name)
    )
    by_verdict = {str(label): int(n) for label, n in conn.execute(labelled)}
    return DeskStats(sum(by_status.values()), by_status, by_verdict)


FACETS = ("verdict", "status", "publisher", "claimant", "reviewer", "tag", "month")


def facet_counts(
    session: Session,
    filters: ClaimFilters,
    *,
    role: str | None,
    limit: int = 20,
    names: tuple[str, ...] = FACETS,
) -> dict[str, list[tuple[str, int]]]:
    """For each facet in FACETS, its values among the claims matching ``filters`` with how
    many claims hold each, most first (then by value), at most ``limit`` values. ``month``
    is the month (YYYY-MM) of the visible verdict's date; claims without a value are left
    out of a facet. ``names`` picks the facets counted."""
    query, v = _filtered(session, filters, role)
    conn = session.connection()
    when = func.coalesce(v.c.published_at, v.c.approved_at, v.c.proposed_at)
    if conn.dialect.name == search_index.SQLITE:
        month: Any = func.strftime("%Y-%m", when)
    else:
        month = func.to_char(func.timezone("UTC", when), "YYYY-MM")
    matching = query.subquery("m")
    in_matching = _CLAIM.c.id.in_(select(matching.c.id))
    columns: dict[str, Any] = {
        "verdict": query.with_only_columns(v.c.label_name.label("value"), func.count()),
        "status": select(_CLAIM.c.status.label("value"), func.count()).where(in_matching),
        "publisher": select(_ARTICLE.c.publisher.label("value"), func.count())
        .select_from(_CLAIM.join(_ARTICLE, _ARTICLE.c.id == _CLAIM.c.article_id))
        .where(in_matching),
        "claimant": select(_CLAIMANT.c.name.label("value"), func.count())
        .select_from(_CLAIM.join(_CLAIMANT, _CLAIMANT.c.id == _CLAIM.c.claimant_id))
        .where(in_matching),
        "reviewer": query.join(_USER, _USER.c.id == v.c.proposer_id).with_only_columns(
            _USER.c.email.label("value"), func.count()
        ),
        "tag": select(_TAG.c.name.label("value"), func.count())
        .select_from(
            _CLAIM_TAG.join(_TAG, _TAG.c.id == _CLAIM_TAG.c.tag_id).join(
                _CLAIM, _CLAIM.c.id == _CLAIM_TAG.c.claim_id
            )
        )
        .where(in_matching),
        "month": query.with_only_columns(month.label("value"), func.count()),
    }
    out: dict[str, list[tuple[str, int]]] = {}
    for name, counted in columns.items():
        if name not in names:
            continue
        value = counted.selected_columns[0]
        rows = conn.execute(
            counted.where(value.is_not(None))
            .group_by(value)
            .order_by(func.count().desc(), value)
            .limit(limit)
        )
        out[name] = [(str(val), int(n)) for val, n in rows]
    return out
