"""The claim search page, ``GET /claims``: full-text and fuzzy search with facets.

Every state is in the URL (``q``, the facets ``verdict``, ``status`` (repeatable),
``publisher``, ``claimant``, ``reviewer``, ``tag``, ``month`` (YYYY-MM of the verdict),
the verdict date range ``since``/``until``, ``sort`` and the page ``cursor``), so a search
can be shared and the Back button works. A plain GET form without JavaScript; with htmx
the ``search`` block alone is swapped and the URL pushed (``Vary: HX-Request``). With
``format=csv`` the whole result is downloaded as CSV; the JSON download is
``/api/claims?…&format=ndjson`` with the same filters. Queries live in
``services.research``; researchers see published verdicts only, here as in the API.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from claimdesk.core import research as rules
from claimdesk.core.exports.tables import neutralise_formula
from claimdesk.core.research import ClaimFilters, FilterError
from claimdesk.services import claim_search, research
from claimdesk.services.research import ClaimItem
from claimdesk.web.auth import Reader
from claimdesk.web.deps import DatabaseDep, SessionDep
from claimdesk.web.rendering import render

router = APIRouter()

PAGE_SIZE = 25
FACET_VALUES = 12
TEXT_PARAMS = ("q", "verdict", "publisher", "claimant", "reviewer", "tag", "month")
DATE_PARAMS = ("since", "until")
SINGLE_FACETS = ("verdict", "publisher", "claimant", "reviewer", "tag", "month")
FACET_LABELS = {
    "verdict": "Verdict",
    "status": "Status",
    "publisher": "Publisher",
    "claimant": "Claimant",
    "reviewer": "Reviewer",
    "tag": "Tag",
    "month": "Verdict month",
}
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_MAX_PARAM = 500

CSV_COLUMNS = (
    "id",
    "url",
    "statement",
    "quote",
    "claimant",
    "claim_date",
    "publisher",
    "article_id",
    "article_title",
    "status",
    "verdict",
    "verdict_state",
    "rating_value",
    "rationale",
    "reviewer",
    "verdict_date",
    "tags",
    "found_at",
)


@dataclass(frozen=True)
class SearchState:
    """The page's state as read from the URL: the text of every parameter given."""

    text: dict[str, str]
    statuses: tuple[str, ...]
    sort: str
    cursor: str | None

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The URL parameters of this state with ``changes`` (None drops one; ``status``
        takes a tuple), without a cursor unless one is given."""
        text = {**self.text}
        statuses = self.statuses
        cursor = changes.pop("cursor", None)
        sort = changes.pop("sort", self.sort)
        for name, value in changes.items():
            if name == "status":
                statuses = tuple(value)
            elif value is None:
                text.pop(name, None)
            else:
                text[name] = value
        out = [(n, text[n]) for n in (*TEXT_PARAMS, *DATE_PARAMS) if text.get(n)]
        out += [("status", s) for s in statuses]
        if sort != rules.SORTS[0]:
            out.append(("sort", sort))
        if cursor:
            out.append(("cursor", cursor))
        return out

    def url(self, **changes: Any) -> str:
        params = self.params(**changes)
        return "/claims" + ("?" + urlencode(params) if params else "")

    @property
    def active(self) -> bool:
        return bool(self.statuses) or any(self.text.get(n) for n in (*SINGLE_FACETS, *DATE_PARAMS))


def _read_state(request: Request) -> SearchState:
    """The state in the URL; raises FilterError for a value that cannot be one."""
    query = request.query_params
    text: dict[str, str] = {}
    for name in (*TEXT_PARAMS, *DATE_PARAMS):
        value = query.get(name)
        if value is None:
            continue
        if len(value) > _MAX_PARAM:
            raise FilterError(f"The {name} filter is too long (at most {_MAX_PARAM} characters).")
        if "\x00" in value:
            raise FilterError(f"The {name} filter cannot hold a NUL character.")
        if value.strip():
            text[name] = value.strip() if name != "q" else value
    statuses: list[str] = []
    for value in query.getlist("status"):
        for part in value.split(","):
            name = part.strip().lower()
            if name and name not in statuses:
                rules.build_filters(status=name)  # raises FilterError naming the statuses
                statuses.append(name)
    month = text.get("month")
    if month is not None and not _MONTH.fullmatch(month):
        raise FilterError(f"The month must be a month like 2026-03, not {month[:40]!r}.")
    cursor = query.get("cursor") or None
    if cursor is not None and len(cursor) > rules.MAX_CURSOR:
        raise rules.CursorError("The cursor is not one this page gave out; start again without it.")
    return SearchState(text, tuple(statuses), rules.check_sort(query.get("sort")), cursor)


def _month_range(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def _filters(state: SearchState) -> ClaimFilters:
    """The checked filters of ``state``: ``month`` narrows the verdict date range."""
    filters = rules.build_filters(
        q=state.text.get("q"),
        verdict=state.text.get("verdict"),
        status=list(state.statuses),
        publisher=state.text.get("publisher"),
        claimant=state.text.get("claimant"),
        reviewer=state.text.get("reviewer"),
        tag=state.text.get("tag"),
        since=state.text.get("since"),
        until=state.text.get("until"),
    )
    if "month" in state.text:  # a month outside the range matches nothing
        first, last = _month_range(state.text["month"])
        since = max(first, filters.since) if filters.since else first
        until = min(last, filters.until) if filters.until else last
        filters = replace(filters, since=since, until=until)
    return filters


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]


def _facets(state: SearchState, counts: dict[str, list[tuple[str, int]]]) -> list[Facet]:
    out = []
    for name in research.FACETS:
        found = dict(counts.get(name, []))
        values = []
        if name == "status":
            chosen = set(state.statuses)
            for value, n in counts.get(name, []):
                toggled = tuple(s for s in state.statuses if s != value)
                if value not in chosen:
                    toggled = (*state.statuses, value)
                values.append(FacetValue(value, n, value in chosen, state.url(status=toggled)))
            for value in state.statuses:
                if value not in found:
                    toggled = tuple(s for s in state.statuses if s != value)
                    values.append(FacetValue(value, 0, True, state.url(status=toggled)))
        else:
            chosen_value = state.text.get(name)
            seen = False
            for value, n in counts.get(name, []):
                selected = chosen_value is not None and value.lower() == chosen_value.lower()
                seen = seen or selected
                url = state.url(**{name: None if selected else value})
                values.append(FacetValue(value, n, selected, url))
            if chosen_value is not None and not seen:
                values.insert(0, FacetValue(chosen_value, 0, True, state.url(**{name: None})))
        out.append(Facet(name, FACET_LABELS[name], values))
    return out


def _api_params(state: SearchState, filters: ClaimFilters) -> list[tuple[str, str]]:
    """The /api/claims parameters giving the same claims (``month`` as dates)."""
    params: list[tuple[str, str]] = [
        (n, state.text[n])
        for n in ("q", "verdict", "publisher", "claimant", "reviewer", "tag")
        if n in state.text
    ]
    params += [("status", s) for s in state.statuses]
    if filters.since:
        params.append(("since", filters.since.isoformat()))
    if filters.until:
        params.append(("until", filters.until.isoformat()))
    if state.sort != rules.SORTS[0]:
        params.append(("sort", state.sort))
    return params


def _full_page(request: Request) -> bool:
    """Whether to answer with the whole page although htmx asks (restoring history)."""
    return request.headers.get("HX-History-Restore-Request") == "true"


@router.get("/claims", response_class=HTMLResponse)
def claims_page(
    request: Request, session: SessionDep, db: DatabaseDep, principal: Reader
) -> Response:
    """Search claims: full text over statements, quotes and rationales, facets, paging;
    ``format=csv`` downloads every matching claim."""
    context: dict[str, Any] = {
        "state": None,
        "error": None,
        "page": None,
        "facets": [],
        "total": 0,
        "corrections": {},
        "sorts": rules.SORTS,
        "statuses": rules.CLAIM_STATUSES,
        "sees_work_in_progress": rules.sees_work_in_progress(principal.role),
    }
    format_ = request.query_params.get("format", "html")
    block = None if _full_page(request) else "search"
    try:
        state = _read_state(request)
        context["state"] = state
        filters = _filters(state)
        if format_ == "csv":
            if state.cursor:
                rules.decode_cursor(state.cursor, sort=state.sort)
            return _csv(db, filters, principal.role, state.sort)
        if format_ != "html":
            raise FilterError(f"Unknown format {format_[:20]!r}: choose html or csv.")
        page = research.list_claims(
            session,
            filters,
            role=principal.role,
            sort=state.sort,
            limit=PAGE_SIZE,
            cursor=state.cursor,
        )
        counts = research.facet_counts(session, filters, role=principal.role, limit=FACET_VALUES)
        if filters.statuses:  # statuses add up (OR): count each as if the others were not chosen
            others = replace(filters, statuses=frozenset())
            counts["status"] = research.facet_counts(
                session, others, role=principal.role, names=("status",)
            )["status"]
    except FilterError as exc:
        context["error"] = str(exc)
        if context["state"] is None:
            context["state"] = SearchState({}, (), rules.SORTS[0], None)
        return render(request, "research/claims.html", context, block=block, status_code=422)
    context.update(
        page=page,
        facets=_facets(state, counts),
        total=sum(n for s, n in counts["status"] if not filters.statuses or s in filters.statuses),
        corrections=claim_search.prepare(session, filters.q).corrections if filters.q else {},
        csv_url=state.url() + ("&" if state.params() else "?") + "format=csv",
        json_url="/api/claims?" + urlencode([*_api_params(state, filters), ("format", "ndjson")]),
        next_url=state.url(cursor=page.next_cursor) if page.next_cursor else None,
        first_url=state.url() if state.cursor else None,
    )
    response = render(request, "research/claims.html", context, block=block)
    # htmx pushes the state's own address: a form's empty fields and defaults left out
    response.headers["HX-Push-Url"] = state.url(cursor=state.cursor)
    return response


def csv_row(item: ClaimItem) -> list[Any]:
    """One claim as a CSV row of CSV_COLUMNS, cells a spreadsheet would run as a formula
    neutralised."""
    claim, verdict = item.claim, item.verdict
    when = None
    if verdict is not None:
        when = verdict.published_at or verdict.approved_at or verdict.proposed_at
    values: list[Any] = [
        claim.id,
        f"/claims/{claim.id}",
        claim.statement,
        claim.quote,
        item.claimant,
        claim.claim_date.isoformat() if claim.claim_date else None,
        item.publisher,
        claim.article_id,
        item.article_title,
        claim.status,
        verdict.label if verdict else None,
        verdict.state if verdict else None,
        verdict.rating_value if verdict else None,
        verdict.rationale if verdict else None,
        verdict.proposer if verdict else None,
        when.isoformat() if when else None,
        "; ".join(item.tags),
        claim.created_at.isoformat(),
    ]
    return [
        "" if v is None else v if isinstance(v, int | float) else neutralise_formula(str(v))
        for v in values
    ]


def _csv(db: DatabaseDep, filters: ClaimFilters, role: str, sort: str) -> StreamingResponse:
    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        # a session of its own: the request's would be closed before the body is sent
        with db.session() as session:
            for count, item in enumerate(
                research.iter_claims(session, filters, role=role, sort=sort), start=1
            ):
                writer.writerow(csv_row(item))
                if count % 200 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    headers = {
        "Content-Disposition": 'attachment; filename="claims.csv"',
        "Cache-Control": "no-store",
    }
    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8", headers=headers)
