"""HTML pages: the article list, an article with its claims, and the health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from claimdesk.services import articles, matching
from claimdesk.web.auth import Reader
from claimdesk.web.deps import DatabaseDep, SessionDep
from claimdesk.web.rendering import claim_list_page, highlight_segments, is_htmx, render

router = APIRouter()
ClaimListPageNumber = Annotated[
    int | None, Query(alias="page", ge=1, le=1_000_000, description="Page of the claim list")
]


@router.get("/healthz", include_in_schema=False)
def healthz(db: DatabaseDep) -> JSONResponse:
    try:
        ok = db.ping()
    except SQLAlchemyError:
        ok = False
    status = 200 if ok else 503
    return JSONResponse({"status": "ok" if ok else "database unreachable"}, status_code=status)


def _article_page(
    request: Request,
    session: SessionDep,
    article_id: int,
    claim_id: int | None,
    page: int | None,
) -> HTMLResponse:
    """The whole article text highlighted, and one page of its claim list (by default the
    page holding the selected claim)."""
    try:
        view = articles.get_article(session, article_id)
    except articles.ArticleNotFound:
        raise HTTPException(404, "No such article") from None
    selected = None
    if claim_id is not None:
        selected = next((c for c in view.claims if c.id == claim_id), None)
        if selected is None:
            raise HTTPException(404, "No such claim in this article")
    whole_page = not is_htmx(request)  # htmx gets only the detail panel: no text, no list
    context = {
        "view": view,
        "segments": highlight_segments(view.version.text, view.claims) if whole_page else [],
        "claim_page": claim_list_page(view.claims, page=page, selected=selected),
        "selected": selected,
        "suggestions": matching.suggestions_for_claim(session, selected) if selected else None,
    }
    return render(request, "article.html", context, block="claim_detail")


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    request: Request,
    session: SessionDep,
    principal: Reader,
    article_id: int,
    page: ClaimListPageNumber = None,
) -> HTMLResponse:
    return _article_page(request, session, article_id, None, page)


@router.get("/articles/{article_id}/claims/{claim_id}", response_class=HTMLResponse)
def claim_detail(
    request: Request,
    session: SessionDep,
    principal: Reader,
    article_id: int,
    claim_id: int,
    page: ClaimListPageNumber = None,
) -> HTMLResponse:
    """The article with one claim open; htmx gets only the detail panel."""
    return _article_page(request, session, article_id, claim_id, page)
