"""HTTP errors: JSON on the API, a calm page everywhere else.

Validation failures are told in words (never pydantic's internals), ids in a URL that no row
can have are 404, and a write that cannot get the database in time is 503.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator
from starlette.exceptions import HTTPException

from claimdesk.core.text_input import NUL_REFUSED
from claimdesk.store.engine import is_contention
from claimdesk.web.auth import is_api
from claimdesk.web.rendering import render

_TITLES = {
    400: "That request could not be read",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    422: "Please check what you sent",
    503: "The desk is busy",
}
RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = (
    "The database is busy with other changes and this one could not wait any longer. "
    "Nothing was saved; please try again in a few seconds."
)
MAX_ID = 2**31 - 1
"""The largest id a row can have (ids are 32-bit integer columns)."""

_FIELD_NAMES = {
    "email": "The email",
    "password": "The password",
    "name": "The token name",
    "role": "The role",
    "action": "The action",
    "next": "The page to return to",
    "url": "The URL",
    "text": "The article text",
    "kind": "The kind of text",
}


def _refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(NUL_REFUSED)
    return value


NoNul = AfterValidator(_refuse_nul)
"""Form-field check: a value holding a NUL character is refused (422, said in words)."""


def _error_page(request: Request, status_code: int, detail: str) -> Response:
    if is_api(request) or request.url.path.startswith("/static/"):
        return JSONResponse({"detail": detail}, status_code=status_code)
    title = _TITLES.get(status_code, "Something went wrong")
    context = {"status_code": status_code, "title": title, "detail": detail}
    return render(request, "error.html", context, status_code=status_code)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # pragma: no cover - registered for HTTPException
        raise exc
    if is_api(request) or request.url.path.startswith("/static/"):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    return _error_page(request, exc.status_code, str(exc.detail))


def _field(loc: tuple[Any, ...]) -> str:
    name = str(loc[-1]) if len(loc) > 1 else ""
    if not name:
        return "The form"
    return _FIELD_NAMES.get(name, f"The field {name.replace('_', ' ')!r}")


def describe(error: dict[str, Any]) -> str:
    """One validation error in plain words, e.g. "The email is too long (at most 320 …)"."""
    field = _field(tuple(error.get("loc", ())))
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("json_invalid", "json_type"):
        return "The request body is not valid JSON."
    if kind == "missing":
        return f"{field} is missing."
    if kind == "extra_forbidden":
        return f"{field} is not expected here."
    if kind in ("literal_error", "enum"):
        return f"{field} must be one of {ctx.get('expected')}."
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return f"{field} must be {'at least' if 'ge' in ctx else 'at most'} {bound}."
    if kind == "string_too_long":
        return f"{field} is too long (at most {ctx.get('max_length')} characters)."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{field} must be a whole number."
    if kind == "value_error" and "error" in ctx:
        return f"{field} {ctx['error']}."
    return f"{field} is not valid."


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """422 with what was wrong in words; a malformed id in the path is simply not found."""
    if not isinstance(exc, RequestValidationError):  # pragma: no cover - registered for it
        raise exc
    errors = list(exc.errors())
    if any(tuple(e.get("loc", ()))[:1] == ("path",) for e in errors):
        return _error_page(request, 404, "There is nothing at this address.")
    messages = list(dict.fromkeys(describe(e) for e in errors))
    return _error_page(request, 422, " ".join(messages) or "The request is not valid.")


def bounded_path_ids(request: Request) -> None:
    """An app-wide dependency: a whole-number path parameter beyond what an id column holds
    (1 … 2**31-1) is 404 before it reaches the database, where it would overflow.

    Raises HTTPException(404) for such an id.
    """
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    for param in getattr(dependant, "path_params", ()):
        if param.field_info.annotation is not int:
            continue
        raw = str(request.path_params.get(param.alias, ""))
        try:
            value = int(raw)
        except ValueError:
            continue  # not a number: validation answers it (404 above)
        if not 1 <= value <= MAX_ID:
            raise HTTPException(404, "There is nothing at this address.")


def reshow_when_busy(request: Request, form: Callable[[str], Response]) -> None:
    """Have a 503 for this request answer ``form(message)``: the form again, with what was
    typed in it, rather than a page that loses it."""
    request.state.reshow_when_busy = form


async def database_error_handler(request: Request, exc: Exception) -> Response:
    """A write that could not get the database in time: 503 with Retry-After, never a 500.

    The transaction was rolled back as the session closed, so nothing is half-written. A
    route that registered ``reshow_when_busy`` gets its form back instead of the error page.
    Other database errors are real faults and go on to the 500 handler.
    """
    if not is_contention(exc):
        raise exc
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api(request):
        return JSONResponse({"detail": BUSY_MESSAGE}, status_code=503, headers=headers)
    form: Callable[[str], Response] | None = getattr(request.state, "reshow_when_busy", None)
    if form is not None:
        response = form(BUSY_MESSAGE)
    else:
        context = {"status_code": 503, "title": _TITLES[503], "detail": BUSY_MESSAGE}
        response = render(request, "error.html", context)
    response.status_code = 503
    response.headers.update(headers)
    return response
