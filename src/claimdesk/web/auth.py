"""Who is asking, and may they: sessions, Bearer tokens and per-route permissions.

Every route declares what it needs beside itself, e.g. ``principal: Reader`` or
``dependencies=[Depends(Require(Permission.MANAGE_USERS))]``. Anonymous requests get a
redirect to the login page (HTML) or 401 (API); signed-in people without the permission 403.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from claimdesk.core.permissions import Permission, allows
from claimdesk.services import accounts
from claimdesk.services.accounts import Principal
from claimdesk.web.deps import DatabaseDep
from claimdesk.web.security import bearer_token, is_api_path

SESSION_COOKIE = "claimdesk_session"


class AuthenticationRequired(Exception):
    """Nobody is signed in (or the token is missing or not valid)."""


def sign(secret_key: str, value: str) -> str:
    mac = hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"{value}.{mac}"


def unsign(secret_key: str, signed: str) -> str | None:
    """The value of a cookie we signed, or None when it is not one (forged, damaged, or
    holding characters a signature never has)."""
    if not signed.isascii():
        return None
    value, _, mac = signed.rpartition(".")
    if not value:
        return None
    expected = hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()
    return value if hmac.compare_digest(mac, expected) else None


def session_secret(request: Request) -> str | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    return unsign(request.app.state.secret_key, cookie) if cookie else None


def is_api(request: Request) -> bool:
    return is_api_path(request.url.path)


def resolve_principal(request: Request, db: DatabaseDep) -> Principal | None:
    """The caller; cached per request.

    An /api/ request with a Bearer header is authenticated by that token alone: a token
    that is not valid gives no principal (401), never a fall back to the session cookie.
    Only this lets the CSRF check exempt such requests. Elsewhere the session cookie counts.

    Looked up in a short read-only session of its own, so a writing request does not hold
    SQLite's write lock while it does other work (extracting a pasted article, say); a
    token's first use in a minute is noted in a short write of its own.
    """
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    principal = None
    token = bearer_token(request.headers.get("authorization", ""))
    due = False
    with db.session() as session:
        if token is not None and is_api(request):
            principal = accounts.principal_for_token(session, token)
            due = principal is not None and accounts.token_use_due(session, principal.credential_id)
        elif (secret := session_secret(request)) is not None:
            principal = accounts.principal_for_session(session, secret)
    if due and principal is not None:  # at most one write a minute per token
        with db.session(write=True) as session:
            accounts.note_token_use(session, principal.credential_id)
    request.state.principal = principal
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(resolve_principal)]


class Require:
    """A route dependency: the caller must hold ``permission``; returns the Principal."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise AuthenticationRequired
        if not allows(principal.role, self.permission):
            raise HTTPException(403, f"Your role ({principal.role}) may not do this.")
        return principal

    def __repr__(self) -> str:
        return f"Require({self.permission.value})"


Reader = Annotated[Principal, Depends(Require(Permission.READ))]
WorkReader = Annotated[Principal, Depends(Require(Permission.READ_WORK))]
TokenOwner = Annotated[Principal, Depends(Require(Permission.OWN_TOKENS))]
UserManager = Annotated[Principal, Depends(Require(Permission.MANAGE_USERS))]


def safe_next(target: str | None) -> str:
    """Only a path on this site may follow a login (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def authentication_required_handler(request: Request, _exc: Exception) -> Response:
    if is_api(request):
        return JSONResponse(
            {"detail": "Authentication required: send Authorization: Bearer <token>."},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = "/"
    location = f"/login?next={quote(target, safe='/')}"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)
