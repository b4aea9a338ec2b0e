"""Signing in and out, personal API tokens, the admin's user page, and /api/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from claimdesk.core.permissions import Role
from claimdesk.services import accounts
from claimdesk.store.models import User
from claimdesk.web.auth import (
    SESSION_COOKIE,
    OptionalPrincipal,
    Reader,
    TokenOwner,
    UserManager,
    safe_next,
    session_secret,
    sign,
)
from claimdesk.web.deps import SessionDep
from claimdesk.web.errors import NoNul
from claimdesk.web.rendering import render

router = APIRouter()
LOGIN_FAILED = "Email or password is incorrect."
LOGIN_THROTTLED = "Too many failed attempts. Wait a few minutes and try again."


def _no_store(response: Response) -> Response:
    """``response`` shows a secret (a new token, a generated password): no cache keeps it."""
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: OptionalPrincipal, next: str | None = None) -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "email": ""})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320), NoNul] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    client_ip = request.client.host if request.client else None
    try:
        _user, secret = accounts.login(session, email=email, password=password, client_ip=client_ip)
    except (accounts.LoginFailed, accounts.LoginThrottled) as exc:
        throttled = isinstance(exc, accounts.LoginThrottled)
        context = {
            "next": safe_next(next),
            "error": LOGIN_THROTTLED if throttled else LOGIN_FAILED,
            "email": email,
        }
        return render(
            request,
            "login.html",
            context,
            block="login_form",
            status_code=429 if throttled else 422,
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        sign(request.app.state.secret_key, secret),
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    secret = session_secret(request)
    if secret is not None:
        accounts.logout(session, secret=secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _me(session: SessionDep, principal: TokenOwner) -> User:
    user = session.get(User, principal.user_id)
    if user is None:
        raise HTTPException(404)
    return user


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: SessionDep, principal: TokenOwner) -> Response:
    user = _me(session, principal)
    rows = accounts.list_tokens(session, user=user)
    return render(request, "tokens.html", {"tokens": rows, "new_secret": None})


@router.post("/tokens", response_class=HTMLResponse)
def tokens_create(
    request: Request,
    session: SessionDep,
    principal: TokenOwner,
    name: Annotated[str, Form(max_length=200), NoNul] = "",
) -> Response:
    user = _me(session, principal)
    _token, secret = accounts.create_token(session, user=user, name=name, actor=principal.actor)
    rows = accounts.list_tokens(session, user=user)
    return _no_store(
        render(request, "tokens.html", {"tokens": rows, "new_secret": secret}, block="tokens")
    )


@router.post("/tokens/{token_id}/revoke")
def tokens_revoke(
    request: Request, session: SessionDep, principal: TokenOwner, token_id: int
) -> Response:
    user = _me(session, principal)
    try:
        accounts.revoke_token(session, token_id=token_id, actor=principal.actor, owner=user)
    except accounts.AccountError:
        raise HTTPException(404, "No such token") from None
    rows = accounts.list_tokens(session, user=user)
    return render(request, "tokens.html", {"tokens": rows, "new_secret": None}, block="tokens")


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, principal: UserManager) -> Response:
    return _users(request, session, error=None, created=None)


def _users(
    request: Request,
    session: SessionDep,
    *,
    error: str | None,
    created: tuple[str, str] | None,
    status_code: int = 200,
) -> Response:
    context = {
        "users": accounts.list_users(session),
        "roles": [r.value for r in Role],
        "error": error,
        "created": created,
    }
    return render(request, "admin_users.html", context, block="users", status_code=status_code)


@router.post("/admin/users", response_class=HTMLResponse)
def users_add(
    request: Request,
    session: SessionDep,
    principal: UserManager,
    email: Annotated[str, Form(max_length=320), NoNul] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    generated = not password
    password = password or accounts.generate_password()
    try:
        user = accounts.add_user(
            session, email=email, role=role, password=password, actor=principal.actor
        )
    except accounts.AccountError as exc:
        return _users(request, session, error=str(exc), created=None, status_code=422)
    shown = (user.email, password) if generated else None
    return _no_store(_users(request, session, error=None, created=shown))


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
def users_update(
    request: Request,
    session: SessionDep,
    principal: UserManager,
    user_id: int,
    action: Annotated[str, Form(max_length=20)],
    role: Annotated[str, Form(max_length=20)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404, "No such user")
    actor = principal.actor
    try:
        if action == "role":
            accounts.set_role(session, email=user.email, role=role, actor=actor)
        elif action == "password":
            accounts.set_password(session, email=user.email, password=password, actor=actor)
        elif action in ("disable", "enable"):
            if user.id == principal.user_id and action == "disable":
                raise accounts.AccountError("you cannot disable your own account")
            accounts.set_disabled(
                session, email=user.email, disabled=action == "disable", actor=actor
            )
        else:
            raise accounts.AccountError(f"unknown action {action!r}")
    except accounts.AccountError as exc:
        return _users(request, session, error=str(exc), created=None, status_code=422)
    return _users(request, session, error=None, created=None)


class MeOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "ana@desk.example", "role": "researcher"}]}
    )
    email: str
    role: str = Field(description="reviewer, editor, researcher or admin.")


@router.get("/api/me", summary="Who the token belongs to", response_model=MeOut)
def api_me(principal: Reader) -> dict[str, str]:
    """The caller's email and role, so a client can check its token."""
    return {"email": principal.email, "role": principal.role}
