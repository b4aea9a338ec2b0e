"""Adding an article from the browser: paste its text or give its URL.

Whatever goes wrong, the form comes back with what was typed in it: bad input with 422, a
database too busy to take the article with 503. Pasted text is never lost.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimdesk.config import Settings
from claimdesk.core.decoding import Kind
from claimdesk.core.errors import InputError
from claimdesk.core.permissions import Permission
from claimdesk.services import articles, inputs
from claimdesk.services.accounts import Principal
from claimdesk.web.article_form import KINDS, ArticleForm, read_article_form
from claimdesk.web.auth import Require
from claimdesk.web.deps import SessionDep
from claimdesk.web.errors import reshow_when_busy
from claimdesk.web.rendering import render

router = APIRouter()
Ingester = Annotated[Principal, Depends(Require(Permission.INGEST))]
_KINDS: dict[str, Kind | None] = {
    "auto": None,
    "text": "text",
    "markdown": "markdown",
    "html": "html",
}


def _form(
    request: Request,
    *,
    error: str | None = None,
    values: ArticleForm | None = None,
    status_code: int = 200,
) -> Response:
    context = {"error": error, "values": values or ArticleForm(), "kinds": KINDS}
    return render(
        request, "new_article.html", context, block="new_article", status_code=status_code
    )


@router.get("/articles/new", response_class=HTMLResponse)
def new_article_form(request: Request, principal: Ingester) -> Response:
    return _form(request)


async def sent_form(request: Request) -> ArticleForm:
    """The form as sent; a 503 from here on shows it again with what was typed."""
    form = await read_article_form(request)
    reshow_when_busy(request, lambda message: _form(request, error=message, values=form))
    return form


SentForm = Annotated[ArticleForm, Depends(sent_form)]


def _load(form: ArticleForm, settings: Settings) -> inputs.LoadedInput:
    """Fetch or read the article the form gives. Raises InputError."""
    url, chosen = form.url.strip(), _KINDS[form.kind]
    if form.problem is not None:
        raise InputError(form.problem)
    if url and form.text.strip():
        raise InputError("Give either a URL or the article text, not both.")
    if url:
        if not inputs.is_url(url):
            raise InputError("The URL must start with http:// or https://.")
        return inputs.load(url, kind=chosen, public_only=not settings.fetch_private)
    if form.text.strip():
        return inputs.from_data(form.text, name="pasted text", kind=chosen)
    raise InputError("Paste the article text or give its URL.")


@router.post("/articles/new", response_class=HTMLResponse)
def new_article(
    request: Request, form: SentForm, session: SessionDep, principal: Ingester
) -> Response:
    """Extract and store the article, then open it; bad input re-shows the form (422), and
    so does a database too busy to take it (503 with Retry-After, see ``sent_form``)."""
    # The form was read before the session began. Fetching a URL can take seconds: the read
    # that found the principal must not hold SQLite's write lock meanwhile.
    session.rollback()
    try:
        loaded = _load(form, request.app.state.settings)
    except InputError as exc:
        return _form(request, error=str(exc), values=form, status_code=422)
    result = articles.ingest_input(
        session, loaded, actor=principal.actor, ingested_by_id=principal.user_id
    )
    return RedirectResponse(f"/articles/{result.article.id}", status_code=303)
