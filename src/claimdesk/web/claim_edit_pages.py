"""Claim editing from the article page: make a claim of selected words, move its edges by a
word, split it, merge it with the next one, re-attach an orphan to words of the text.

Plain form posts that answer 303 to the claim's page (POST/redirect/GET), so everything
works without JavaScript; an htmx request gets ``HX-Redirect`` to the same page instead
(the highlights of the whole text change, so the whole page is shown again). Refusals are a
calm page: 409 when someone changed the claim first (who and when), 422 for a span or an
input that cannot be, 403 for a role that may not, 404 for an unknown claim or version.
The rules live in ``services.claim_edit`` and ``core.spans``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from claimdesk.core.permissions import Permission
from claimdesk.core.spans import SpanRefused
from claimdesk.core.textsafety import restore_hidden
from claimdesk.core.workflow import ActionRefused, RoleNotAllowed
from claimdesk.services import claim_edit
from claimdesk.services.accounts import Principal
from claimdesk.services.claim_changes import ClaimNotFound, StaleClaim
from claimdesk.store.models import Claim
from claimdesk.web.auth import Require
from claimdesk.web.deps import SessionDep
from claimdesk.web.errors import MAX_ID, NoNul
from claimdesk.web.rendering import is_htmx, render

router = APIRouter()
ClaimEditor = Annotated[Principal, Depends(Require(Permission.EDIT_CLAIMS))]

Id = Annotated[int, Form(ge=1, le=MAX_ID)]
Offset = Annotated[int, Form(ge=0, le=MAX_ID)]
OptionalOffset = Annotated[int | None, Form(ge=0, le=MAX_ID)]
RowVersion = Annotated[int, Form(ge=0, le=MAX_ID)]
Quote = Annotated[str, Form(max_length=2 * claim_edit.MAX_QUOTE), NoNul]


class Refused(Exception):
    """A service refusal, to be shown as a page with ``status_code``."""

    def __init__(self, status_code: int, title: str, detail: str, back: str | None) -> None:
        super().__init__(detail)
        self.status_code, self.title, self.detail, self.back = status_code, title, detail, back


def claim_url(claim: Claim) -> str:
    return f"/articles/{claim.article_id}/claims/{claim.id}"


def _see(request: Request, url: str) -> Response:
    """303 to ``url``; for htmx, ``HX-Redirect`` so the browser loads the whole page."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url, "Vary": "HX-Request"})
    return Response(status_code=303, headers={"Location": url, "Vary": "HX-Request"})


@contextmanager
def _refusals(back: str | None) -> Iterator[None]:
    """Service errors as pages: 409 stale, 422 refused, 403 role, 404 unknown."""
    try:
        yield
    except StaleClaim as exc:
        raise Refused(409, "Someone else changed this claim", exc.message, back) from None
    except (SpanRefused, ActionRefused) as exc:
        raise Refused(422, "That change cannot be made", exc.message, back) from None
    except RoleNotAllowed as exc:
        raise HTTPException(403, exc.message) from None
    except (ClaimNotFound, claim_edit.VersionNotFound) as exc:
        raise HTTPException(404, str(exc)) from None


def _refused_page(request: Request, refused: Refused) -> Response:
    context = {"title": refused.title, "detail": refused.detail, "back": refused.back}
    return render(request, "claim_edit_refused.html", context, status_code=refused.status_code)


def _claim_page(session: SessionDep, claim_id: int) -> str:
    """Where to go back to after a refusal: the claim's page as it is now.

    Raises HTTPException(404) for an unknown claim.
    """
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise HTTPException(404, f"There is no claim {claim_id}.")
    return claim_url(claim)


@router.post("/articles/{article_id}/claims")
def create_claim(
    request: Request,
    session: SessionDep,
    principal: ClaimEditor,
    article_id: int,
    quote: Quote,
    version_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    start: OptionalOffset = None,
    end: OptionalOffset = None,
) -> Response:
    """A claim of the selected words (see ``claim_edit.create_claim``: the quote is the
    authority, the offsets tell repeats apart). Without ``version_id``, the article's
    newest version."""
    try:
        with _refusals(f"/articles/{article_id}"):
            if version_id is None:
                version_id = claim_edit.latest_version_id(session, article_id)
            claim = claim_edit.create_claim(
                session,
                version_id=version_id,
                article_id=article_id,
                start=start,
                end=end,
                quote=quote,
                principal=principal,
            )
    except Refused as refused:
        return _refused_page(request, refused)
    return _see(request, claim_url(claim))


@router.post("/claims/{claim_id}/span")
def adjust_span(
    request: Request,
    session: SessionDep,
    principal: ClaimEditor,
    claim_id: int,
    row_version: RowVersion,
    start: OptionalOffset = None,
    end: OptionalOffset = None,
    edge: Annotated[Literal["start", "end"] | None, Form()] = None,
    direction: Annotated[int | None, Form(ge=-1, le=1)] = None,
) -> Response:
    """Move one edge by a word (``edge`` + ``direction``), or give the new ``start``/``end``."""
    back = _claim_page(session, claim_id)
    try:
        with _refusals(back):
            claim = claim_edit.adjust_span(
                session,
                claim_id=claim_id,
                row_version=row_version,
                principal=principal,
                start=start,
                end=end,
                edge=edge,
                direction=direction,
            )
    except Refused as refused:
        return _refused_page(request, refused)
    return _see(request, claim_url(claim))


@router.post("/claims/{claim_id}/split")
def split_claim(
    request: Request,
    session: SessionDep,
    principal: ClaimEditor,
    claim_id: int,
    row_version: RowVersion,
    at: Offset,
) -> Response:
    """Cut the claim at offset ``at``; the page shows the claim (its first part) after."""
    back = _claim_page(session, claim_id)
    try:
        with _refusals(back):
            first, _second = claim_edit.split_claim(
                session, claim_id=claim_id, row_version=row_version, at=at, principal=principal
            )
    except Refused as refused:
        return _refused_page(request, refused)
    return _see(request, claim_url(first))


@router.post("/claims/{claim_id}/merge")
def merge_claims(
    request: Request,
    session: SessionDep,
    principal: ClaimEditor,
    claim_id: int,
    row_version: RowVersion,
    other_id: Id,
    other_row_version: RowVersion,
) -> Response:
    """Merge claim ``other_id`` into this one (the other is dismissed, not deleted)."""
    back = _claim_page(session, claim_id)
    try:
        with _refusals(back):
            claim = claim_edit.merge_claims(
                session,
                claim_id=claim_id,
                other_id=other_id,
                row_version=row_version,
                other_row_version=other_row_version,
                principal=principal,
            )
    except Refused as refused:
        return _refused_page(request, refused)
    return _see(request, claim_url(claim))


@router.post("/claims/{claim_id}/reattach")
def reattach_claim(
    request: Request,
    session: SessionDep,
    principal: ClaimEditor,
    claim_id: int,
    row_version: RowVersion,
    quote: Quote,
    start: OptionalOffset = None,
    end: OptionalOffset = None,
) -> Response:
    """Re-attach an orphaned claim to the selected words (``quote``; the offsets tell
    repeats apart, see ``claim_edit.reattach_claim``)."""
    back = _claim_page(session, claim_id)
    try:
        with _refusals(back):
            claim = claim_edit.reattach_claim(
                session,
                claim_id=claim_id,
                row_version=row_version,
                principal=principal,
                quote=restore_hidden(quote),  # the form shows hidden characters as markers
                start=start,
                end=end,
            )
    except Refused as refused:
        return _refused_page(request, refused)
    return _see(request, claim_url(claim))
