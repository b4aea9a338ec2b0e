"""HTTP errors: JSON on the API, a calm page everywhere else."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from claimdesk.web.auth import is_api
from claimdesk.web.rendering import render

_TITLES = {403: "Not allowed", 404: "Not found", 405: "Not allowed here"}


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
