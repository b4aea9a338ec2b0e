"""Security headers on every response, and CSRF protection for browser writes.

CSRF is refused by origin, not by tokens (it works for htmx and plain forms alike): an
unsafe request from a browser must come from our own origin, told by ``Sec-Fetch-Site``
or, where a browser does not send that, by ``Origin``. Only API requests carrying a Bearer
token are exempt: browsers never add that header by themselves, and an API request with one is
authenticated by that token alone (never by the cookie; see ``resolve_principal``), so a
bogus Bearer header cannot carry a cross-site write on the cookie.

An exception nothing else handled is logged and answered here with a plain 500 that keeps
the security headers and shows no traceback (Starlette's own 500 answer sits outside this
middleware and would lack them).
"""

from __future__ import annotations

import logging

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SERVER_ERROR = (
    "Something went wrong on our side and the error has been logged. "
    "Please try again, and tell the desk's administrator if it keeps happening."
)
_SERVER_ERROR_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>500 · claimdesk</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main><section class="page narrow"><h1>Something went wrong</h1>
<p>{SERVER_ERROR}</p><p><a href="/">Back to the articles</a></p></section></main></body></html>
"""
logger = logging.getLogger(__name__)


def bearer_token(authorization: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, else None."""
    if authorization[:7].lower() != "bearer ":
        return None
    return authorization[7:].strip()


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def _own_origin(scope: Scope, headers: Headers) -> str:
    host = headers.get("host", "")
    return f"{scope.get('scheme', 'http')}://{host}"


def cross_site_reason(scope: Scope) -> str | None:
    """Why an unsafe request looks cross-site, or None when it may go on."""
    if scope["method"] in SAFE_METHODS:
        return None
    headers = Headers(scope=scope)
    if is_api_path(scope["path"]) and bearer_token(headers.get("authorization", "")) is not None:
        return None
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return f"cross-site request refused (Sec-Fetch-Site: {site})"
    origin = headers.get("origin")
    if origin is not None and origin != _own_origin(scope, headers):
        return "cross-site request refused (Origin does not match)"
    return None


def server_error(scope: Scope) -> Response:
    """The plain 500 answer: JSON on the API, a small page elsewhere; no details."""
    if is_api_path(scope["path"]):
        return JSONResponse({"detail": SERVER_ERROR}, status_code=500)
    return HTMLResponse(_SERVER_ERROR_PAGE, status_code=500)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in existing]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        reason = cross_site_reason(scope)
        if reason is not None:
            response = PlainTextResponse(reason, status_code=403)
            await response(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:  # too late for another answer: let the server close the connection
                raise
            await server_error(scope)(scope, receive, send_with_headers)
