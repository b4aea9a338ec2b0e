"""Every route of the app against every role and anonymous.

The routes are taken from the router, so a new route cannot escape: it must appear in
EXPECTED (with the permission it needs) or PUBLIC, or this test fails. Removing a
permission from any route makes the behaviour check fail too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from claimdesk.config import Settings
from claimdesk.core.permissions import GRANTS, Permission, Role
from claimdesk.store.database import Database
from claimdesk.web.app import create_app
from claimdesk.web.auth import Require
from tests.factories import ingest_article

P = Permission
EXPECTED: dict[tuple[str, str], Permission] = {
    ("GET", "/"): P.READ,
    ("GET", "/articles/new"): P.INGEST,
    ("POST", "/articles/new"): P.INGEST,
    ("GET", "/articles/{article_id}"): P.READ,
    ("GET", "/articles/{article_id}/claims/{claim_id}"): P.READ,
    ("GET", "/tokens"): P.OWN_TOKENS,
    ("POST", "/tokens"): P.OWN_TOKENS,
    ("POST", "/tokens/{token_id}/revoke"): P.OWN_TOKENS,
    ("GET", "/admin/users"): P.MANAGE_USERS,
    ("POST", "/admin/users"): P.MANAGE_USERS,
    ("POST", "/admin/users/{user_id}"): P.MANAGE_USERS,
    ("GET", "/api/me"): P.READ,
    ("GET", "/api/claims/{claim_id}"): P.READ,
    ("GET", "/api/claims/{claim_id}/history"): P.READ_WORK,
    ("POST", "/api/claims/{claim_id}/evidence"): P.LINK_EVIDENCE,
    ("POST", "/api/claims/{claim_id}/actions"): P.PROPOSE_VERDICT,
    ("GET", "/api/rating-scale"): P.READ,
    ("GET", "/api/claims"): P.READ,
    ("GET", "/api/articles"): P.READ,
    ("GET", "/api/stats"): P.READ,
    ("GET", "/api/sources"): P.READ,
    ("GET", "/next"): P.READ,
    ("POST", "/articles/{article_id}/assign"): P.EDIT_CLAIMS,
    ("POST", "/claims/{claim_id}/assign"): P.EDIT_CLAIMS,
    ("GET", "/settings/rating-scale"): P.MANAGE_SCALE,
    ("POST", "/settings/rating-scale"): P.MANAGE_SCALE,
    ("POST", "/articles/{article_id}/claims"): P.EDIT_CLAIMS,
    ("POST", "/claims/{claim_id}/span"): P.EDIT_CLAIMS,
    ("POST", "/claims/{claim_id}/split"): P.EDIT_CLAIMS,
    ("POST", "/claims/{claim_id}/reattach"): P.EDIT_CLAIMS,
    ("POST", "/claims/{claim_id}/merge"): P.EDIT_CLAIMS,
    ("GET", "/claims/{claim_id}"): P.READ,
    ("POST", "/claims/{claim_id}/edit"): P.EDIT_CLAIMS,
    ("POST", "/claims/{claim_id}/actions"): P.PROPOSE_VERDICT,
    ("POST", "/claims/{claim_id}/evidence"): P.LINK_EVIDENCE,
    ("POST", "/claims/{claim_id}/evidence/{evidence_id}/confirm"): P.LINK_EVIDENCE,
    ("POST", "/claims/{claim_id}/evidence/{evidence_id}/reject"): P.LINK_EVIDENCE,
    ("POST", "/claims/{claim_id}/tags"): P.EDIT_CLAIMS,
    ("POST", "/claims/{claim_id}/comments"): P.COMMENT,
    ("GET", "/articles/{article_id}/changes"): P.READ,
    ("GET", "/api/exports/{format}"): P.EXPORT_PUBLISHED,
    ("GET", "/exports"): P.EXPORT_PUBLISHED,
    ("GET", "/settings/desk"): P.MANAGE_SETTINGS,
    ("POST", "/settings/desk"): P.MANAGE_SETTINGS,
    ("GET", "/sql"): P.QUERY_SQL,
    ("POST", "/sql"): P.QUERY_SQL,
    ("GET", "/api/sql"): P.QUERY_SQL,
    ("POST", "/api/sql"): P.QUERY_SQL,
    ("GET", "/dashboard"): P.READ,
    ("GET", "/dashboard/{chart}.csv"): P.READ,
    ("GET", "/claims"): P.READ,
}
DESK_GATED: dict[tuple[str, str], Permission] = {("GET", "/fact-checks/{claim_uuid}"): P.READ}
"""Routes that declare no permission because the desk settings may open them to everyone
(published fact-checks); when they do not, they need this permission."""
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/openapi.json"),
}
PUBLIC_MOUNTS = {"/static"}


def _declared(route: RouteContext) -> set[Permission]:
    found: set[Permission] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, Require):
            found.add(dependant.call.permission)
        stack.extend(dependant.dependencies)
    return found


def _routes() -> list[tuple[str, str, RouteContext]]:
    """Every effective route of the app, routers included, as FastAPI resolves them."""
    app = create_app(Settings(database_url="sqlite://", secret_key="x"))
    rows = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            assert context.path in PUBLIC_MOUNTS, f"unexpected mount {context.path}"
            continue
        assert isinstance(route, APIRoute), f"unexpected route type {route!r}"
        assert context.path is not None and context.methods is not None
        for method in sorted(context.methods - {"HEAD"}):
            rows.append((method, context.path, context))
    return rows


def test_every_route_declares_exactly_its_expected_permission() -> None:
    seen = set()
    for method, path, route in _routes():
        key = (method, path)
        seen.add(key)
        if key in PUBLIC or key in DESK_GATED:
            assert _declared(route) == set(), f"{key} is public but declares a permission"
        else:
            assert key in EXPECTED, f"{key} is new: add it to EXPECTED or PUBLIC"
            assert _declared(route) == {EXPECTED[key]}, key
    assert seen == set(EXPECTED) | PUBLIC | set(DESK_GATED)


def _fill(path: str, ids: dict[str, int | str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", str(value))
    return path


@pytest.mark.parametrize("role", [None, *[r.value for r in Role]])
def test_route_by_role_matrix(
    role: str | None, db: Database, login: Callable[[str], TestClient], users: dict[str, str]
) -> None:
    with db.session() as s:
        result = ingest_article(s)
        ids = {
            "article_id": int(result.article.id),  # type: ignore[arg-type]
            "claim_id": int(result.claims[0].id),  # type: ignore[arg-type]
            "token_id": 999999,
            "user_id": 999999,
            "format": "csv",
            "claim_uuid": str(result.claims[0].uuid),
            "chart": "verdicts-by-month",
        }
    client = login(role) if role else _anonymous(db)
    for (method, path), permission in sorted((EXPECTED | DESK_GATED).items()):
        url = _fill(path, ids)
        data: dict[str, Any] = {"action": "noop"} if method == "POST" else {}
        response = client.request(method, url, data=data or None)
        where = f"{role or 'anonymous'} {method} {path}"
        if role is None:
            if path.startswith("/api/"):
                assert response.status_code == 401, where
            else:
                assert response.status_code == 303, where
                assert response.headers["location"].startswith("/login?next="), where
        elif permission in GRANTS[Role(role)]:
            assert response.status_code not in (401, 403), where
            assert not response.headers.get("location", "").startswith("/login"), where
        else:
            assert response.status_code == 403, where


def _anonymous(db: Database) -> TestClient:
    app = create_app(Settings(database_url=str(db.engine.url), secret_key="x"), database=db)
    return TestClient(app, follow_redirects=False)
