"""Reading the New-article form: up to the 10 MB input limit, keeping whatever fits.

FastAPI's own form reading stops at 1 MB per field and, past a limit, keeps nothing. Here
the body is read up to BODY_LIMIT (URL-encoding can triple the size of non-ASCII text),
every field is checked against its own limit, and what was sent within its limit is kept,
so that a refused form can be shown again with the pasted text, URL and kind in place.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import FormData, Headers
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from claimdesk.core.errors import MAX_INPUT_BYTES

BODY_LIMIT = 4 * MAX_INPUT_BYTES
MAX_URL_LENGTH = 2000
KINDS = ("auto", "text", "markdown", "html")
TEXT_TOO_LARGE = (
    f"The article text is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB, the most "
    "claimdesk takes, so it could not be kept here. Shorten it or split the article, "
    "then paste it again."
)
UNREADABLE = "The form could not be read. Please paste the text or give the URL again."


@dataclass(frozen=True)
class ArticleForm:
    """What the New-article form sent, each field within its limit; ``problem`` says in
    words why the form cannot be taken as it is (None when it can)."""

    url: str = ""
    text: str = ""
    kind: str = "auto"
    problem: str | None = None


async def _read_at_most(request: Request, limit: int) -> tuple[bytes, bool]:
    """The body, or its first ``limit`` bytes; and whether it was read whole."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return bytes(body[:limit]), False
    return bytes(body), True


async def _once(data: bytes) -> AsyncGenerator[bytes, None]:
    yield data


async def _parse(headers: Headers, body: bytes, *, whole: bool) -> FormData:
    """Parse an urlencoded or multipart body (a cut one keeps its complete fields only).

    Raises MultiPartException when the body is malformed or holds files.
    """
    content_type = headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        parser = MultiPartParser(
            headers, _once(body), max_files=0, max_fields=20, max_part_size=BODY_LIMIT
        )
        return await parser.parse()
    if not whole:
        body = body[: body.rfind(b"&") + 1]  # the last field was cut: leave it out
    return await FormParser(headers, _once(body), max_fields=20, max_part_size=BODY_LIMIT).parse()


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def read_article_form(request: Request) -> ArticleForm:
    """The New-article form as sent, bounded field by field (a route dependency)."""
    body, whole = await _read_at_most(request, BODY_LIMIT)
    try:
        form = await _parse(request.headers, body, whole=whole)
    except MultiPartException:
        return ArticleForm(problem=UNREADABLE if whole else TEXT_TOO_LARGE)
    url, text, kind = _field(form, "url"), _field(form, "text"), _field(form, "kind") or "auto"
    problem = None
    if kind not in KINDS:
        kind, problem = "auto", "Choose how to read the text: " + ", ".join(KINDS) + "."
    if len(url) > MAX_URL_LENGTH:
        url, problem = url[:MAX_URL_LENGTH], f"The URL is longer than {MAX_URL_LENGTH} characters."
    if not whole or len(text.encode("utf-8", "surrogatepass")) > MAX_INPUT_BYTES:
        text, problem = "", TEXT_TOO_LARGE
    return ArticleForm(url=url, text=text, kind=kind, problem=problem)
