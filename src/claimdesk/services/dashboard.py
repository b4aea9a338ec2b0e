"""The dashboard's counts: verdicts over time, verdict mix by publisher and by claimant,
reviewer throughput, and time from ingest to verdict, each as a ``core.charts.ChartData``.

Every count is one SQL ``GROUP BY`` over each claim's *current* verdict, never a
superseded or returned one. Who sees what (``counts_work_in_progress``): editors and admins
count the current verdict whatever its state (proposed, approved or published);
researchers and reviewers count published verdicts only, so work in progress never shows
through a chart or its CSV. Read-only: nothing here writes or commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, cast, extract, func, select
from sqlalchemy.sql.selectable import FromClause
from sqlmodel import Session, col

from claimdesk.core import charts
from claimdesk.core.charts import ChartData, Series, Spread
from claimdesk.core.permissions import Permission, allows
from claimdesk.core.workflow import VerdictState
from claimdesk.services.rating_scale import DEFAULT_LABELS
from claimdesk.store import search_index
from claimdesk.store.models import (
    Article,
    Claim,
    Claimant,
    DeskSettings,
    RatingLabel,
    User,
    Verdict,
)

__all__ = [
    "CHARTS",
    "Dashboard",
    "UnknownChart",
    "build",
    "chart",
    "counts_work_in_progress",
]

_CLAIM = Claim.__table__  # type: ignore[attr-defined]
_VERDICT = Verdict.__table__  # type: ignore[attr-defined]
_ARTICLE = Article.__table__  # type: ignore[attr-defined]
_CLAIMANT = Claimant.__table__  # type: ignore[attr-defined]
_USER = User.__table__  # type: ignore[attr-defined]

TOP = 8
"""Publishers and claimants shown by name; the rest are counted together as "Other"."""
NO_PUBLISHER = "Publisher not known"
_CURRENT = (VerdictState.PROPOSED, VerdictState.APPROVED, VerdictState.PUBLISHED)
THROUGHPUT_SERIES = (Series("Proposed", "#1d5fa8"), Series("Approved", "#2e7d5b"))
DAYS_SERIES = (Series("Claims", "#4c6a92"),)

CHARTS = (
    "verdicts-by-month",
    "verdicts-by-publisher",
    "verdicts-by-claimant",
    "reviewer-throughput",
    "time-to-verdict",
)


class UnknownChart(LookupError):
    """No chart by that name (HTTP 404)."""


def counts_work_in_progress(role: str | None) -> bool:
    """Whether ``role``'s charts count verdicts before they are published (editors and
    admins); researchers, reviewers and the public count published verdicts only."""
    return role is not None and allows(role, Permission.APPROVE_VERDICT)


def _current(wip: bool) -> tuple[FromClause, Any]:
    """Each claim's current verdict (second item) joined to its claim and article: the
    latest verdict that is proposed, approved or published, or with ``wip`` False the
    latest published one. Claims without one are left out. The current verdicts are found
    by one GROUP BY over the verdicts (not a lookup per claim), so the dashboard stays
    quick on a large desk."""
    v = _VERDICT.alias("v")
    states = [s.value for s in _CURRENT] if wip else [VerdictState.PUBLISHED.value]
    current = (
        select(func.max(_VERDICT.c.id).label("id"))
        .where(_VERDICT.c.state.in_(states))
        .group_by(_VERDICT.c.claim_id)
        .subquery("current")
    )
    joined = (
        current.join(v, v.c.id == current.c.id)
        .join(_CLAIM, _CLAIM.c.id == v.c.claim_id)
        .join(_ARTICLE, _ARTICLE.c.id == _CLAIM.c.article_id)
    )
    return joined, v


def _when(v: Any) -> Any:
    return func.coalesce(v.c.published_at, v.c.approved_at, v.c.proposed_at)


def _label_series(session: Session) -> list[Series]:
    """The active scale's labels in order with their colours (the defaults when the desk
    has no scale yet); read only, never making the default scale."""
    desk = session.scalars(select(DeskSettings).order_by(col(DeskSettings.id))).first()
    if desk is not None and desk.active_scale_id is not None:
        labels = session.scalars(
            select(RatingLabel)
            .where(col(RatingLabel.scale_id) == desk.active_scale_id)
            .order_by(col(RatingLabel.position), col(RatingLabel.id))
        ).all()
        if labels:
            return [
                Series(lb.name, charts.safe_colour(lb.colour, i)) for i, lb in enumerate(labels)
            ]
    return [Series(d.name, d.colour) for d in DEFAULT_LABELS]


def _by_month(session: Session, wip: bool, series: list[Series]) -> ChartData:
    joined, v = _current(wip)
    conn = session.connection()
    when = _when(v)
    if conn.dialect.name == search_index.SQLITE:
        month: Any = func.strftime("%Y-%m", when)
    else:
        month = func.to_char(func.timezone("UTC", when), "YYYY-MM")
    query = (
        select(month.label("month"), v.c.label_name, func.count())
        .select_from(joined)
        .group_by(month, v.c.label_name)
    )
    cells = [(str(m), str(label), int(n)) for m, label, n in conn.execute(query)]
    months = (
        charts.months_between(min(c[0] for c in cells), max(c[0] for c in cells)) if cells else []
    )
    kept = set(months)
    categories, used, counts = charts.table_from(
        [c for c in cells if c[0] in kept], categories=months, series=series
    )
    return ChartData(
        "verdicts-by-month",
        "Verdicts per month",
        _scope("Claims by the month of their current verdict, by its label.", wip),
        "Month",
        categories,
        used,
        counts,
    )


def _scope(text: str, wip: bool) -> str:
    return text + (
        " Work in progress (proposed and approved verdicts) is counted."
        if wip
        else " Published verdicts only."
    )


def _mix(session: Session, wip: bool, series: list[Series], *, by: str) -> ChartData:
    joined, v = _current(wip)
    if by == "publisher":
        name: Any = func.coalesce(_ARTICLE.c.publisher, NO_PUBLISHER)
        source = joined
        key, title, heading = "verdicts-by-publisher", "Verdict mix by publisher", "Publisher"
        text = (
            "Claims by the publisher of their article and the label of their verdict; "
            f"the {TOP} publishers with the most, the rest as Other."
        )
    else:
        name = _CLAIMANT.c.name
        source = joined.join(_CLAIMANT, _CLAIMANT.c.id == _CLAIM.c.claimant_id)
        key, title, heading = "verdicts-by-claimant", "Verdict mix by claimant", "Claimant"
        text = (
            "Claims by who made them and the label of their verdict; "
            f"the {TOP} claimants with the most, the rest as Other "
            "(claims with no claimant named are left out)."
        )
    query = (
        select(name, v.c.label_name, func.count())
        .select_from(source)
        .group_by(name, v.c.label_name)
    )
    cells = [(str(n), str(label), int(c)) for n, label, c in session.connection().execute(query)]
    order, folded = charts.top_with_other(cells, top=TOP)
    categories, used, counts = charts.table_from(folded, categories=order, series=series)
    return ChartData(key, title, _scope(text, wip), heading, categories, used, counts)


def _throughput(session: Session, wip: bool) -> ChartData:
    joined, v = _current(wip)
    conn = session.connection()
    cells: list[tuple[str, str, int]] = []
    for who, series in ((v.c.proposer_id, "Proposed"), (v.c.approver_id, "Approved")):
        query = (
            select(_USER.c.email, func.count())
            .select_from(joined.join(_USER, _USER.c.id == who))
            .group_by(_USER.c.email)
        )
        cells += [(str(email), series, int(n)) for email, n in conn.execute(query)]
    totals: dict[str, int] = {}
    for email, _, n in cells:
        totals[email] = totals.get(email, 0) + n
    order = sorted(totals, key=lambda e: (-totals[e], e))
    found = {(c, s): n for c, s, n in cells}
    counts = tuple(tuple(found.get((c, s.name), 0) for s in THROUGHPUT_SERIES) for c in order)
    return ChartData(
        "reviewer-throughput",
        "Reviewer throughput",
        _scope("Current verdicts each person proposed and each person approved.", wip),
        "Reviewer",
        tuple(order),
        THROUGHPUT_SERIES,
        counts,
        adds_up=False,
    )


def _days_to_verdict(session: Session, wip: bool) -> dict[int, int]:
    joined, v = _current(wip)
    conn = session.connection()
    when = _when(v)
    if conn.dialect.name == search_index.SQLITE:
        days: Any = cast(func.julianday(when) - func.julianday(_CLAIM.c.created_at), Integer)
    else:
        days = cast(func.floor(extract("epoch", when - _CLAIM.c.created_at) / 86400), Integer)
    query = select(days.label("days"), func.count()).select_from(joined).group_by(days)
    return {int(d or 0): int(n) for d, n in conn.execute(query)}


def _to_verdict(by_day: dict[int, int], wip: bool) -> ChartData:
    categories, counts = charts.day_ranges(by_day)
    return ChartData(
        "time-to-verdict",
        "Time from ingest to verdict",
        _scope(
            "Claims by whole days from being found in an article to their current verdict.",
            wip,
        ),
        "Whole days (0: under a day)",
        categories,
        DAYS_SERIES,
        tuple((n,) for n in counts),
    )


@dataclass(frozen=True)
class Dashboard:
    charts: dict[str, ChartData]
    """By name, in CHARTS order."""
    to_verdict_spread: Spread
    work_in_progress: bool


def chart(session: Session, name: str, *, role: str | None) -> ChartData:
    """The chart called ``name`` as ``role`` may see it; raises UnknownChart."""
    if name not in CHARTS:
        raise UnknownChart(f"There is no chart called {name!r}.")
    wip = counts_work_in_progress(role)
    if name == "verdicts-by-month":
        return _by_month(session, wip, _label_series(session))
    if name == "verdicts-by-publisher":
        return _mix(session, wip, _label_series(session), by="publisher")
    if name == "verdicts-by-claimant":
        return _mix(session, wip, _label_series(session), by="claimant")
    if name == "reviewer-throughput":
        return _throughput(session, wip)
    return _to_verdict(_days_to_verdict(session, wip), wip)


def build(session: Session, *, role: str | None) -> Dashboard:
    """Every chart as ``role`` may see it."""
    wip = counts_work_in_progress(role)
    series = _label_series(session)
    by_day = _days_to_verdict(session, wip)
    found = {
        "verdicts-by-month": _by_month(session, wip, series),
        "verdicts-by-publisher": _mix(session, wip, series, by="publisher"),
        "verdicts-by-claimant": _mix(session, wip, series, by="claimant"),
        "reviewer-throughput": _throughput(session, wip),
        "time-to-verdict": _to_verdict(by_day, wip),
    }
    return Dashboard(found, charts.spread(by_day), wip)
