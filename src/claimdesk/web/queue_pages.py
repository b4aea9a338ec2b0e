"""The review queue: the home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from claimdesk.services import articles
from claimdesk.web.auth import Reader
from claimdesk.web.deps import SessionDep
from claimdesk.web.rendering import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, principal: Reader) -> HTMLResponse:
    return render(request, "home.html", {"articles": articles.list_articles(session)})
