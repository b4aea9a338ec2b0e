"""Adding an article from the browser: paste its text or give its URL."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimdesk.config import Settings
from claimdesk.core.decoding import Kind
from claimdesk.core.errors import MAX_INPUT_BYTES, InputError
from claimdesk.core.permissions import Permission
from claimdesk.services import articles, inputs
from claimdesk.services.accounts import Principal
from claimdesk.web.auth import Require
from claimdesk.web.deps import SessionDep
from claimdesk.web.rendering import render

router = APIRouter()
Ingester = Annotated[Principal, Depends(Require(Permission.INGEST))]
_KINDS: dict[str, Kind | None] = {
    "auto": None,
    "text": "text",
    "markdown": "markdown",
    "html": "html",
}
KINDS = tuple(_KINDS)


def _form(
    request: Request, *, error: str | None = None, values: dict[str, str] | None = None
) -> Response:
    context = {"error": error, "values": values or {}, "kinds": KINDS}
    return render(
        request,
        "new_article.html",
        context,
        block="new_article",
        status_code=422 if error else 200,
    )


@router.get("/articles/new", response_class=HTMLResponse)
def new_article_form(request: Request, principal: Ingester) -> Response:
    return _form(request)


@router.post("/articles/new", response_class=HTMLResponse)
def new_article(
    request: Request,
    session: SessionDep,
    principal: Ingester,
    url: Annotated[str, Form(max_length=2000)] = "",
    text: Annotated[str, Form(max_length=MAX_INPUT_BYTES)] = "",
    kind: Annotated[str, Form(max_length=10)] = "auto",
) -> Response:
    """Extract and store the article, then open it; bad input re-shows the form (422)."""
    values = {"url": url, "text": text, "kind": kind}
    settings: Settings = request.app.state.settings
    chosen = _KINDS.get(kind)
    try:
        if url.strip() and text.strip():
            raise InputError("Give either a URL or the article text, not both.")
        if url.strip():
            if not inputs.is_url(url.strip()):
                raise InputError("The URL must start with http:// or https://.")
            loaded = inputs.load(url.strip(), kind=chosen, public_only=not settings.fetch_private)
        elif text.strip():
            loaded = inputs.from_data(text, name="pasted text", kind=chosen)
        else:
            raise InputError("Paste the article text or give its URL.")
    except InputError as exc:
        return _form(request, error=str(exc), values=values)
    result = articles.ingest_input(
        session, loaded, actor=principal.actor, ingested_by_id=principal.user_id
    )
    return RedirectResponse(f"/articles/{result.article.id}", status_code=303)
