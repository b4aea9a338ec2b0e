"""The review screen: an article with its claims, and the review panel's writes (edit,
workflow actions, evidence, tags, comments) plus the live-changes poller.

Forms show hidden characters (bidi controls, zero-width) as visible markers like every
page does; what comes back has them restored (``core.textsafety.restore_hidden``), so
editing a statement keeps its text exact.

Every write is a plain form post that answers 303 back to the claim (so it works without
JavaScript) or, for htmx, the re-rendered panel. A stale ``row_version`` answers 409 with
the panel showing who changed the claim and when, and the person's unsaved input kept in
the form; invalid input answers 422 the same way. Views only translate: the rules live in
``services.review``, ``services.evidence`` and ``core.workflow``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from claimdesk.core.permissions import Permission, allows
from claimdesk.core.scoring import split_reasons
from claimdesk.core.textsafety import restore_hidden
from claimdesk.core.workflow import ActionRefused, RoleNotAllowed, available_actions
from claimdesk.services import (
    articles,
    assignment,
    claim_edit,
    evidence,
    matching,
    queue,
    rating_scale,
    review,
)
from claimdesk.services.accounts import Principal
from claimdesk.services.claim_changes import ClaimNotFound, StaleClaim
from claimdesk.store.models import Claim, Event
from claimdesk.web.auth import Reader, Require
from claimdesk.web.deps import SessionDep
from claimdesk.web.errors import MAX_ID
from claimdesk.web.rendering import claim_list_page, highlight_segments, is_htmx, render

router = APIRouter()

Editor = Annotated[Principal, Depends(Require(Permission.EDIT_CLAIMS))]
Linker = Annotated[Principal, Depends(Require(Permission.LINK_EVIDENCE))]
Commenter = Annotated[Principal, Depends(Require(Permission.COMMENT))]
Actor = Annotated[Principal, Depends(Require(Permission.PROPOSE_VERDICT))]
"""Workflow actions let in whoever may propose; each action's own permission (approve,
publish…) is checked by the workflow, which answers 403 in words."""

RowVersion = Annotated[int, Form(ge=0, le=MAX_ID)]
ShortText = Annotated[str, Form(max_length=review.MAX_CLAIMANT)]
LongText = Annotated[str, Form(max_length=review.MAX_RATIONALE)]
SEARCH_LIMIT = 8


@dataclass(frozen=True)
class Problem:
    """What went wrong with a write, shown above the panel's forms."""

    status_code: int
    message: str
    changed_by: str | None = None
    changed_at: str | None = None


def _problem(exc: Exception) -> Problem:
    if isinstance(exc, StaleClaim):
        at = exc.changed_at.strftime("%Y-%m-%d %H:%M:%S UTC") if exc.changed_at else None
        who = exc.changed_by or "someone"
        message = (
            f"{who} changed this claim{f' at {at}' if at else ''} while you were working on it. "
            "Nothing of yours was saved; your input is still in the form below. Look at their "
            "change, then save again."
        )
        return Problem(409, message, exc.changed_by, at)
    if isinstance(exc, RoleNotAllowed):
        return Problem(403, exc.message)
    if isinstance(exc, ActionRefused):
        return Problem(422, exc.message)
    return Problem(422, str(exc))


def last_event_id(session: Session, article_id: int) -> int:
    """The newest event on any claim of the article (the live poller starts after it)."""
    newest = session.exec(
        select(func.max(col(Event.id)))
        .join(Claim, col(Claim.id) == col(Event.entity_id))
        .where(col(Event.entity_type) == "claim", col(Claim.article_id) == article_id)
    ).one()
    return int(newest or 0)


def _search(session: Session, claim: Claim, query: str | None) -> tuple[str, list[Any]]:
    """The source-search box: its text (the statement unless the person typed a query)
    and the library's matches for it."""
    search = (query if query is not None else claim.statement).strip()
    return search, matching.match(session, search, limit=SEARCH_LIMIT) if search else []


def panel_context(
    session: Session,
    principal: Principal,
    claim: Claim,
    *,
    query: str | None = None,
    values: dict[str, str] | None = None,
    problem: Problem | None = None,
) -> dict[str, Any]:
    """Everything the review panel shows for ``claim``."""
    detail = review.get_claim_detail(session, claim.id)  # type: ignore[arg-type]
    sees_work = allows(principal.role, Permission.READ_WORK)
    if not sees_work:  # researchers: what the desk published, never work in progress
        detail = review.published_only(detail)
    suggestions = matching.suggestions_for_claim(session, claim, limit=SEARCH_LIMIT)
    if query is None or query.strip() == claim.statement.strip():
        # the suggestions searched the library for the statement already
        search, results = claim.statement.strip(), suggestions.sources
    else:
        search, results = _search(session, claim, query)
    reasons_for, reasons_against = split_reasons(list(claim.reasons or []))
    return {
        "detail": detail,
        "scale": rating_scale.active_scale(session),
        "actions": [a.value for a in available_actions(claim.status, principal.role)],
        "history": review.history(session, claim.id) if sees_work else [],  # type: ignore[arg-type]
        "suggestions": suggestions,
        "search": search,
        "results": results,
        "linked_sources": {e.source_id for e in detail.evidence if e.state != "rejected"},
        "reasons_for": reasons_for,
        "reasons_against": reasons_against,
        "values": values or {},
        "problem": problem,
        "neighbours": claim_edit.neighbours(session, claim),
        "people": queue.people(session),
        "may_assign_anyone": principal.role in assignment.ASSIGN_ANYONE,
    }


def _claim_of(session: Session, article_id: int, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None or claim.article_id != article_id:
        raise HTTPException(404, "No such claim in this article")
    return claim


def render_article(
    request: Request,
    session: Session,
    principal: Principal,
    article_id: int,
    claim_id: int | None,
    *,
    page: int | None = None,
    query: str | None = None,
    values: dict[str, str] | None = None,
    problem: Problem | None = None,
) -> HTMLResponse:
    """The article page with ``claim_id`` open; for htmx only the panel (or, when the source
    search box asks, only its results), without loading the article's other claims."""
    status = problem.status_code if problem else 200
    if is_htmx(request) and claim_id is not None:
        selected = _claim_of(session, article_id, claim_id)
        if request.headers.get("HX-Target") == "source-results":
            search, results = _search(session, selected, query)
            context = {"selected": selected, "search": search, "results": results}
            context["linked_sources"] = evidence.linked_source_ids(session, claim_id)
            return render(request, "article.html", context, block="source_results")
        context = {"article_id": article_id, "selected": selected}
    else:
        try:
            view = articles.get_article(session, article_id)
        except articles.ArticleNotFound:
            raise HTTPException(404, "No such article") from None
        selected = None
        if claim_id is not None:
            selected = next((c for c in view.claims if c.id == claim_id), None)
            if selected is None:
                raise HTTPException(404, "No such claim in this article")
        context = {
            "article_id": article_id,
            "view": view,
            "segments": highlight_segments(view.version.text, view.claims),
            "claim_page": claim_list_page(view.claims, page=page, selected=selected),
            "selected": selected,
        }
    context["since"] = last_event_id(session, article_id)
    if selected is not None:
        context.update(
            panel_context(session, principal, selected, query=query, values=values, problem=problem)
        )
    return render(request, "article.html", context, block="claim_detail", status_code=status)


ClaimListPageNumber = Annotated[
    int | None, Query(alias="page", ge=1, le=1_000_000, description="Page of the claim list")
]


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    request: Request,
    session: SessionDep,
    principal: Reader,
    article_id: int,
    page: ClaimListPageNumber = None,
) -> HTMLResponse:
    return render_article(request, session, principal, article_id, None, page=page)


@router.get("/articles/{article_id}/claims/{claim_id}", response_class=HTMLResponse)
def claim_detail(
    request: Request,
    session: SessionDep,
    principal: Reader,
    article_id: int,
    claim_id: int,
    page: ClaimListPageNumber = None,
    q: Annotated[str | None, Query(max_length=2000)] = None,
) -> HTMLResponse:
    """The article with one claim open and its review panel; htmx gets only the panel (or,
    for the source search box, only its results). ``q`` searches the source library
    (by default with the claim's statement)."""
    return render_article(request, session, principal, article_id, claim_id, page=page, query=q)


def _claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise HTTPException(404, "No such claim")
    return claim


def _write(
    request: Request,
    session: Session,
    principal: Principal,
    claim_id: int,
    values: dict[str, str],
    change: Callable[[], object],
    *,
    anchor: str = "",
) -> Response:
    """Run ``change``; on success 303 to the claim (htmx: the fresh panel), on a refused
    change the panel again with the problem and the person's input kept."""
    claim = _claim(session, claim_id)
    article_id, url = claim.article_id, f"/articles/{claim.article_id}/claims/{claim_id}"
    try:
        change()
    except (StaleClaim, RoleNotAllowed, ActionRefused, ValueError) as exc:
        session.rollback()
        return render_article(
            request, session, principal, article_id, claim_id, values=values, problem=_problem(exc)
        )
    except (ClaimNotFound, evidence.EvidenceNotFound) as exc:
        raise HTTPException(404, str(exc)) from None
    if is_htmx(request):
        return render_article(request, session, principal, article_id, claim_id)
    return RedirectResponse(url + anchor, status_code=303)


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim_link(session: SessionDep, principal: Reader, claim_id: int) -> Response:
    """A claim's own address: its place in its article."""
    claim = _claim(session, claim_id)
    return RedirectResponse(f"/articles/{claim.article_id}/claims/{claim_id}", status_code=303)


@router.post("/claims/{claim_id}/edit", response_class=HTMLResponse)
def edit_claim(
    request: Request,
    session: SessionDep,
    principal: Editor,
    claim_id: int,
    row_version: RowVersion,
    statement: Annotated[str, Form(max_length=review.MAX_STATEMENT)],
    claimant: ShortText = "",
) -> Response:
    values = {"statement": statement, "claimant": claimant}
    statement, claimant = restore_hidden(statement), restore_hidden(claimant)
    return _write(
        request,
        session,
        principal,
        claim_id,
        values,
        lambda: review.edit_claim(
            session,
            claim_id=claim_id,
            row_version=row_version,
            principal=principal,
            statement=statement,
            claimant=claimant.strip() or None,
        ),
    )


@router.post("/claims/{claim_id}/actions", response_class=HTMLResponse)
def claim_action(
    request: Request,
    session: SessionDep,
    principal: Actor,
    claim_id: int,
    row_version: RowVersion,
    action: Annotated[str, Form(max_length=20)],
    label: Annotated[str, Form(max_length=100)] = "",
    rationale: LongText = "",
    comment: Annotated[str, Form(max_length=review.MAX_COMMENT)] = "",
) -> Response:
    values = {"action": action, "label": label, "rationale": rationale, "comment": comment}
    label, rationale, comment = map(restore_hidden, (label, rationale, comment))
    return _write(
        request,
        session,
        principal,
        claim_id,
        values,
        lambda: review.act(
            session,
            claim_id=claim_id,
            action=action,
            row_version=row_version,
            principal=principal,
            label=label or None,
            rationale=rationale or None,
            comment=comment or None,
        ),
    )


@router.post("/claims/{claim_id}/evidence", response_class=HTMLResponse)
def link_evidence(
    request: Request,
    session: SessionDep,
    principal: Linker,
    claim_id: int,
    stance: Annotated[str, Form(max_length=20)],
    source_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    passage_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    url: Annotated[str, Form(max_length=evidence.MAX_URL)] = "",
    title: Annotated[str, Form(max_length=evidence.MAX_TITLE)] = "",
    note: Annotated[str, Form(max_length=evidence.MAX_NOTE)] = "",
    row_version: Annotated[int | None, Form(ge=0, le=MAX_ID)] = None,
) -> Response:
    """Link a library source (``source_id``) or a URL that is not in the library."""
    values = {"stance": stance, "url": url, "title": title, "note": note}
    title, note = restore_hidden(title), restore_hidden(note)

    def change() -> object:
        if source_id is not None:
            return evidence.link_evidence(
                session,
                claim_id=claim_id,
                source_id=source_id,
                passage_id=passage_id,
                stance=stance,
                note=note or None,
                principal=principal,
                row_version=row_version,
            )
        if not url.strip():
            raise ValueError("Give the URL of the evidence, or pick a source from the search.")
        return evidence.link_url_evidence(
            session,
            claim_id=claim_id,
            url=url.strip(),
            title=title.strip() or url.strip(),
            stance=stance,
            note=note or None,
            principal=principal,
            row_version=row_version,
        )

    return _write(request, session, principal, claim_id, values, change, anchor="#evidence")


def _decide_evidence(
    request: Request,
    session: Session,
    principal: Principal,
    claim_id: int,
    evidence_id: int,
    decision: str,
    stance: str,
    row_version: int | None,
) -> Response:
    def change() -> object:
        if decision == "confirm":
            return evidence.confirm_evidence(
                session,
                claim_id=claim_id,
                evidence_id=evidence_id,
                stance=stance or None,
                principal=principal,
                row_version=row_version,
            )
        return evidence.reject_evidence(
            session,
            claim_id=claim_id,
            evidence_id=evidence_id,
            principal=principal,
            row_version=row_version,
        )

    return _write(request, session, principal, claim_id, {}, change, anchor="#evidence")


Stance = Annotated[str, Form(max_length=20)]
OptionalRowVersion = Annotated[int | None, Form(ge=0, le=MAX_ID)]


@router.post("/claims/{claim_id}/evidence/{evidence_id}/confirm", response_class=HTMLResponse)
def confirm_evidence(
    request: Request,
    session: SessionDep,
    principal: Linker,
    claim_id: int,
    evidence_id: int,
    stance: Stance = "",
    row_version: OptionalRowVersion = None,
) -> Response:
    """Confirm evidence (the engine's suggestion, or change the stance of a link)."""
    return _decide_evidence(
        request, session, principal, claim_id, evidence_id, "confirm", stance, row_version
    )


@router.post("/claims/{claim_id}/evidence/{evidence_id}/reject", response_class=HTMLResponse)
def reject_evidence(
    request: Request,
    session: SessionDep,
    principal: Linker,
    claim_id: int,
    evidence_id: int,
    stance: Stance = "",
    row_version: OptionalRowVersion = None,
) -> Response:
    """Reject evidence; the rejection is kept (it is a relevance judgment)."""
    return _decide_evidence(
        request, session, principal, claim_id, evidence_id, "reject", stance, row_version
    )


@router.post("/claims/{claim_id}/tags", response_class=HTMLResponse)
def change_tags(
    request: Request,
    session: SessionDep,
    principal: Editor,
    claim_id: int,
    name: Annotated[str, Form(max_length=review.MAX_TAG)],
    remove: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    values = {"tag": name}
    name = restore_hidden(name)

    def change() -> object:
        if remove:
            return review.remove_tag(session, claim_id=claim_id, name=name, principal=principal)
        return review.add_tag(session, claim_id=claim_id, name=name, principal=principal)

    return _write(request, session, principal, claim_id, values, change)


@router.post("/claims/{claim_id}/comments", response_class=HTMLResponse)
def add_comment(
    request: Request,
    session: SessionDep,
    principal: Commenter,
    claim_id: int,
    body: Annotated[str, Form(max_length=review.MAX_COMMENT)],
) -> Response:
    return _write(
        request,
        session,
        principal,
        claim_id,
        {"body": body},
        lambda: review.add_comment(
            session, claim_id=claim_id, body=restore_hidden(body), principal=principal
        ),
        anchor="#comments",
    )


@router.get("/articles/{article_id}/changes", response_class=HTMLResponse)
def article_changes(
    request: Request,
    session: SessionDep,
    principal: Reader,
    article_id: int,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    claim: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    row_version: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> HTMLResponse:
    """What others changed on this article's claims since event ``since``: the live poller
    swaps itself for a fresh one and adds notices, never touching forms being typed in."""
    rows = session.exec(
        select(Event, Claim)
        .join(Claim, col(Claim.id) == col(Event.entity_id))
        .where(
            col(Event.entity_type) == "claim",
            col(Claim.article_id) == article_id,
            col(Event.id) > since,
        )
        .order_by(col(Event.id))
        .limit(200)
    ).all()
    changes = []
    newest = since
    for event, changed in rows:
        newest = max(newest, event.id or 0)
        if event.actor_id == principal.user_id and event.actor_type in ("user", "token"):
            continue
        if not allows(principal.role, Permission.READ_WORK):
            continue  # who did what is the desk's work in progress
        changes.append((event, changed))
    open_claim = None
    if claim is not None and row_version is not None:
        current = session.get(Claim, claim)
        if current is not None and current.row_version != row_version:
            open_claim = current
    context = {
        "article_id": article_id,
        "since": newest,
        "changes": changes,
        "open_claim": open_claim,
        "claim_id": claim,
        "row_version": row_version,
    }
    return render(request, "review/_live.html", context)
