"""HTTP errors: JSON on the API, a calm page everywhere else."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from claimdesk.store.engine import is_contention
from claimdesk.web.auth import is_api
from claimdesk.web.rendering import render

_TITLES = {
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    503: "The desk is busy",
}
RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = (
    "The database is busy with other changes and this one could not wait any longer. "
    "Nothing was saved; please try again in a few seconds."
)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # pragma: no cover - registered for HTTPException
        raise exc
    if is_api(request) or request.url.path.startswith("/static/"):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    title = _TITLES.get(exc.status_code, "Something went wrong")
    context = {"status_code": exc.status_code, "title": title, "detail": exc.detail}
    return render(request, "error.html", context, status_code=exc.status_code)


async def database_error_handler(request: Request, exc: Exception) -> Response:
    """A write that could not get the database in time: 503 with Retry-After, never a 500.

    The transaction was rolled back as the session closed, so nothing is half-written.
    Other database errors are real faults and go on to the 500 handler.
    """
    if not is_contention(exc):
        raise exc
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api(request):
        return JSONResponse({"detail": BUSY_MESSAGE}, status_code=503, headers=headers)
    context = {"status_code": 503, "title": _TITLES[503], "detail": BUSY_MESSAGE}
    response = render(request, "error.html", context, status_code=503)
    response.headers.update(headers)
    return response
