"""The review queue: articles with their claims counted by status, a reviewer's own work,
and the next claim that needs someone.

Only the claims of an article's current version count. A claim is *done* when it is
approved, published or dismissed; every other status is *open*. An article "assigned as a
whole" is the one named by its latest article assignment event (``services.assignment``
writes them); its claims carry their own ``assignee_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, case, func, or_
from sqlalchemy.sql.elements import KeyedColumnElement
from sqlmodel import Session, col, select

from claimdesk.core.permissions import Permission, allows
from claimdesk.core.workflow import Status
from claimdesk.store.models import Article, Claim, Event, User

PER_PAGE = 50
MY_WORK_LIMIT = 500
DONE = (Status.APPROVED, Status.PUBLISHED, Status.DISMISSED)
OPEN = tuple(s for s in Status if s not in DONE)
STATUS_ORDER = (
    Status.NEW,
    Status.IN_REVIEW,
    Status.PROPOSED,
    Status.RETURNED,
    Status.APPROVED,
    Status.PUBLISHED,
    Status.DISMISSED,
)
ARTICLE = "article"
ARTICLE_ASSIGNMENT_ACTIONS = ("assigned", "unassigned")
"""Article events that set (``after.user_id``) or clear who holds the article as a whole."""


@dataclass(frozen=True)
class QueueFilters:
    """What the queue is narrowed to; each is optional and they combine (AND)."""

    status: Status | None = None
    assignee_id: int | None = None
    publisher: str | None = None
    page: int = 1

    def query(self, **changes: Any) -> str:
        """These filters as a URL query string (without ``?``), with ``changes`` applied."""
        values: dict[str, Any] = {
            "status": self.status.value if self.status else None,
            "assignee": self.assignee_id,
            "publisher": self.publisher,
            "page": self.page if self.page != 1 else None,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    @property
    def active(self) -> bool:
        return bool(self.status or self.assignee_id is not None or self.publisher)


@dataclass(frozen=True)
class QueueRow:
    article: Article
    counts: dict[str, int]  # by status, every status present
    assignee_id: int | None  # who holds the article as a whole

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return sum(self.counts[s] for s in DONE)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    number: int
    count: int  # pages, at least 1
    total: int  # articles matching the filters
    size: int = PER_PAGE

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


@dataclass(frozen=True)
class WorkItem:
    claim: Claim
    article_title: str | None


@dataclass(frozen=True)
class People:
    """Who can be assigned work (enabled reviewers, editors, admins) and everyone's name."""

    assignable: list[User]
    names: dict[int, str] = field(default_factory=dict)


def _status_label(status: Status) -> str:
    return f"n_{status.value}"


def article_assignees() -> Any:
    """A subquery (article_id, user_id): who holds each article as a whole (NULL: nobody),
    from each article's latest assignment event."""
    latest = (
        select(col(Event.entity_id).label("article_id"), func.max(col(Event.id)).label("event_id"))
        .where(
            col(Event.entity_type) == ARTICLE,
            col(Event.action).in_(ARTICLE_ASSIGNMENT_ACTIONS),
        )
        .group_by(col(Event.entity_id))
        .subquery()
    )
    after = cast(Any, col(Event.after))
    return (
        select(latest.c.article_id, after["user_id"].as_integer().label("user_id"))
        .join(latest, latest.c.event_id == col(Event.id))
        .subquery()
    )


def _claim_counts(assignee_id: int | None) -> Any:
    """A subquery per article version: claims by status (and, when ``assignee_id`` is
    given, how many are assigned to that person)."""
    columns: list[KeyedColumnElement[Any]] = [
        func.sum(case((col(Claim.status) == s.value, 1), else_=0)).label(_status_label(s))
        for s in Status
    ]
    if assignee_id is not None:
        mine = case((col(Claim.assignee_id) == assignee_id, 1), else_=0)
        columns.append(func.sum(mine).label("n_assigned"))
    return select(col(Claim.version_id), *columns).group_by(col(Claim.version_id)).subquery()


def _filtered(query: Select[Any], filters: QueueFilters, counts: Any, holders: Any) -> Any:
    query = query.outerjoin(counts, counts.c.version_id == col(Article.current_version_id))
    query = query.outerjoin(holders, holders.c.article_id == col(Article.id))
    conditions: list[ColumnElement[bool]] = [col(Article.current_version_id).is_not(None)]
    if filters.publisher:
        conditions.append(col(Article.publisher) == filters.publisher)
    if filters.status is not None:
        conditions.append(counts.c[_status_label(filters.status)] > 0)
    if filters.assignee_id is not None:
        conditions.append(or_(counts.c.n_assigned > 0, holders.c.user_id == filters.assignee_id))
    return query.where(and_(*conditions))


def queue_page(session: Session, filters: QueueFilters) -> QueuePage:
    """One page (PER_PAGE articles, newest first) of the articles matching ``filters``,
    with their claims counted by status: one grouped query for the page, one for the total.
    A page past the end is the last page."""
    counts = _claim_counts(filters.assignee_id)
    holders = article_assignees()
    total_query = _filtered(select(func.count(col(Article.id))), filters, counts, holders)
    total = int(session.exec(total_query).one())
    pages = max(1, -(-total // PER_PAGE))
    number = max(1, min(filters.page, pages))
    status_columns = [counts.c[_status_label(s)] for s in Status]
    query = _filtered(select(Article, holders.c.user_id, *status_columns), filters, counts, holders)
    query = (
        query.order_by(col(Article.created_at).desc(), col(Article.id).desc())
        .offset((number - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    rows = []
    for article, holder, *numbers in session.exec(query).all():
        by_status = {s.value: int(n or 0) for s, n in zip(Status, numbers, strict=True)}
        rows.append(QueueRow(article, by_status, holder))
    return QueuePage(rows, number, pages, total)


def publishers(session: Session, *, limit: int = 500) -> list[str]:
    """The publishers articles name, alphabetically (for the filter)."""
    query = (
        select(col(Article.publisher))
        .where(col(Article.publisher).is_not(None), col(Article.publisher) != "")
        .distinct()
        .order_by(col(Article.publisher))
        .limit(limit)
    )
    return [p for p in session.exec(query).all() if p]


def people(session: Session) -> People:
    users = list(session.exec(select(User).order_by(col(User.email))))
    assignable = [u for u in users if not u.disabled and allows(u.role, Permission.EDIT_CLAIMS)]
    names = {u.id: u.display_name or u.email for u in users if u.id is not None}
    return People(assignable, names)


def my_work(session: Session, user_id: int, *, limit: int = MY_WORK_LIMIT) -> list[WorkItem]:
    """Claims assigned to ``user_id`` that are not done, oldest article first, then in
    reading order."""
    query = (
        select(Claim, Article.title)
        .join(Article, col(Article.current_version_id) == col(Claim.version_id))
        .where(col(Claim.assignee_id) == user_id, col(Claim.status).in_(OPEN))
        .order_by(col(Article.created_at), col(Article.id), col(Claim.start), col(Claim.id))
        .limit(limit)
    )
    return [WorkItem(claim, title) for claim, title in session.exec(query).all()]


NEEDS_MY_WORK = (Status.NEW, Status.IN_REVIEW, Status.RETURNED)
NEEDS_SOMEONE = (Status.NEW, Status.RETURNED)


def next_claim(session: Session, user_id: int) -> tuple[int, int] | None:
    """(article id, claim id) of the next claim needing work: first those assigned to
    ``user_id`` that are new, in review or returned; then unassigned new or returned ones;
    each by article age (oldest first) and position in the article. None when nothing
    waits."""
    mine = and_(col(Claim.assignee_id) == user_id, col(Claim.status).in_(NEEDS_MY_WORK))
    free = and_(col(Claim.assignee_id).is_(None), col(Claim.status).in_(NEEDS_SOMEONE))
    query = (
        select(col(Claim.article_id), col(Claim.id))
        .join(Article, col(Article.current_version_id) == col(Claim.version_id))
        .where(or_(mine, free))
        .order_by(
            case((mine, 0), else_=1),
            col(Article.created_at),
            col(Article.id),
            col(Claim.start),
            col(Claim.id),
        )
        .limit(1)
    )
    found = session.exec(query).first()
    if found is None:
        return None
    article_id, claim_id = found
    assert claim_id is not None  # a stored claim has an id
    return article_id, claim_id


def article_assignee(session: Session, article_id: int) -> int | None:
    """Who holds the article as a whole now (None: nobody)."""
    latest = session.exec(
        select(Event)
        .where(
            col(Event.entity_type) == ARTICLE,
            col(Event.entity_id) == article_id,
            col(Event.action).in_(ARTICLE_ASSIGNMENT_ACTIONS),
        )
        .order_by(col(Event.id).desc())
        .limit(1)
    ).first()
    holder = (latest.after or {}).get("user_id") if latest is not None else None
    return int(holder) if holder is not None else None
