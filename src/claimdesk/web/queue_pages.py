"""The review queue (the home page), "My work", the next claim (``n``), and assigning
articles and claims.

Filters live in the URL (``?status=&assignee=&publisher=&page=``; ``?mine=1`` for My work);
htmx gets only the ``queue`` block. Assigning is a POST form that answers 303 back to the
page it came from (``next``), or, for htmx on the queue, the refreshed block.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimdesk.core.permissions import Permission, allows
from claimdesk.core.workflow import RoleNotAllowed, Status
from claimdesk.services import assignment, queue
from claimdesk.services.accounts import Principal
from claimdesk.services.claim_changes import ClaimNotFound, StaleClaim
from claimdesk.services.queue import QueueFilters
from claimdesk.web.auth import Reader, Require, safe_next
from claimdesk.web.deps import SessionDep
from claimdesk.web.errors import MAX_ID, NoNul
from claimdesk.web.rendering import is_htmx, render

router = APIRouter()
Assigner = Annotated[Principal, Depends(Require(Permission.EDIT_CLAIMS))]
"""Whoever may work on claims reaches the assign forms; the service decides whom they may
assign (editors and admins anyone, reviewers themselves)."""

TEMPLATE = "queue/index.html"
ALL_CLEAR = "Nothing is waiting: every claim is assigned to someone else or done."


def parse_filters(status: str, assignee: str, publisher: str, page: str) -> QueueFilters:
    """The queue filters from their URL values (blank means no filter).

    Raises HTTPException 422 naming a value that is not a status, a user id or a page."""
    try:
        chosen = Status(status) if status else None
    except ValueError:
        names = ", ".join(s.value for s in Status)
        raise HTTPException(422, f"Unknown status {status!r}: choose one of {names}.") from None
    return QueueFilters(
        status=chosen,
        assignee_id=_number(assignee, "assignee") if assignee else None,
        publisher=publisher.strip() or None,
        page=_number(page, "page") if page else 1,
    )


def _number(value: str, what: str) -> int:
    if not value.isdecimal() or not 1 <= int(value) <= MAX_ID:
        raise HTTPException(422, f"The {what} must be a whole number from 1, not {value!r}.")
    return int(value)


def _queue_response(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    filters: QueueFilters,
    mine: bool,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    here = "/?mine=1" if mine else "/" + (f"?{filters.query()}" if filters.query() else "")
    context: dict[str, Any] = {
        "filters": filters,
        "mine": mine,
        "here": here,
        "notice": notice,
        "error": error,
        "statuses": queue.STATUS_ORDER,
        "people": queue.people(session),
        "publishers": queue.publishers(session),
        "may_assign_anyone": principal.role in assignment.ASSIGN_ANYONE,
        "may_take": principal.role not in assignment.ASSIGN_ANYONE
        and allows(principal.role, Permission.EDIT_CLAIMS),
    }
    if mine:
        context["work"] = queue.my_work(session, principal.user_id)
    else:
        context["page"] = queue.queue_page(session, filters)
    return render(request, TEMPLATE, context, block="queue", status_code=status_code)


TextParam = Annotated[str, Query(max_length=300), NoNul]


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    session: SessionDep,
    principal: Reader,
    status: TextParam = "",
    assignee: TextParam = "",
    publisher: TextParam = "",
    page: TextParam = "",
    mine: TextParam = "",
    all_clear: TextParam = "",
) -> HTMLResponse:
    """The review queue, or the signed-in person's own work with ``?mine=1``."""
    filters = parse_filters(status, assignee, publisher, page)
    notice = ALL_CLEAR if all_clear else None
    return _queue_response(
        request, session, principal, filters=filters, mine=bool(mine), notice=notice
    )


@router.get("/next")
def next_claim(session: SessionDep, principal: Reader) -> Response:
    """303 to the next claim needing work (mine first, then unassigned new or returned);
    back to the queue with a calm message when nothing waits."""
    found = queue.next_claim(session, principal.user_id)
    if found is None:
        return RedirectResponse("/?all_clear=1", status_code=303)
    article_id, claim_id = found
    return RedirectResponse(f"/articles/{article_id}/claims/{claim_id}", status_code=303)


UserField = Annotated[str, Form(max_length=20), NoNul]
NextField = Annotated[str, Form(max_length=2000), NoNul]


def _user_id(value: str) -> int | None:
    return _number(value.strip(), "user") if value.strip() else None


def _after_assigning(
    request: Request,
    session: SessionDep,
    principal: Principal,
    next_url: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """Without htmx: 303 back to ``next`` (errors as a page). With htmx from the queue: the
    queue block as ``next`` shows it; from elsewhere, a redirect htmx follows."""
    target = safe_next(next_url)
    if not is_htmx(request):
        if error is not None:
            raise HTTPException(status_code, error)
        return RedirectResponse(target, status_code=303)
    parts = urlsplit(target)
    if parts.path != "/":
        if error is not None:
            raise HTTPException(status_code, error)
        return Response(status_code=204, headers={"HX-Redirect": target})
    values = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    try:
        filters = parse_filters(
            values.get("status", ""),
            values.get("assignee", ""),
            values.get("publisher", ""),
            values.get("page", ""),
        )
    except HTTPException:
        filters = QueueFilters()
    return _queue_response(
        request,
        session,
        principal,
        filters=filters,
        mine=bool(values.get("mine")),
        notice=notice,
        error=error,
        status_code=422 if error is not None else 200,
    )


def _name(session: SessionDep, user_id: int | None) -> str:
    if user_id is None:
        return "nobody"
    return queue.people(session).names.get(user_id, f"user {user_id}")


@router.post("/articles/{article_id}/assign")
def assign_article(
    request: Request,
    session: SessionDep,
    principal: Assigner,
    article_id: int,
    user_id: UserField = "",
    next: NextField = "/",
) -> Response:
    """Give an article (and its unassigned open claims) to someone, or to nobody."""
    wanted = _user_id(user_id)
    try:
        done = assignment.assign_article(
            session, article_id=article_id, user_id=wanted, principal=principal
        )
    except assignment.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except (RoleNotAllowed, assignment.AssignmentRefused) as exc:
        code = 403 if isinstance(exc, RoleNotAllowed) else 422
        return _after_assigning(request, session, principal, next, error=str(exc), status_code=code)
    claims = len(done.claim_ids)
    notice = f"Article assigned to {_name(session, wanted)}"
    notice += f" with {claims} open claim{'s' if claims != 1 else ''}." if wanted else "."
    return _after_assigning(request, session, principal, next, notice=notice)


@router.post("/claims/{claim_id}/assign")
def assign_claim(
    request: Request,
    session: SessionDep,
    principal: Assigner,
    claim_id: int,
    user_id: UserField = "",
    next: NextField = "/",
) -> Response:
    """Give a claim to someone, or to nobody."""
    wanted = _user_id(user_id)
    try:
        assignment.assign_claim(session, claim_id=claim_id, user_id=wanted, principal=principal)
    except ClaimNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except (RoleNotAllowed, assignment.AssignmentRefused, StaleClaim) as exc:
        code = {RoleNotAllowed: 403, StaleClaim: 409}.get(type(exc), 422)
        return _after_assigning(request, session, principal, next, error=str(exc), status_code=code)
    notice = f"Claim assigned to {_name(session, wanted)}."
    return _after_assigning(request, session, principal, next, notice=notice)
