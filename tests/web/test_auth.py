"""Signing in and out, throttling, tokens, CSRF and headers, through the real app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import select

from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import ApiToken, Event, LoginAttempt
from claimdesk.web.auth import SESSION_COOKIE
from tests.web.conftest import PASSWORD


def test_anonymous_pages_redirect_to_login_with_next(client: TestClient) -> None:
    response = client.get("/articles/7?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/articles/7%3Fx%3D1"


def test_anonymous_api_gets_401(client: TestClient) -> None:
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_login_sets_a_hardened_cookie_and_follows_next(
    client: TestClient, users: dict[str, str]
) -> None:
    response = client.post(
        "/login", data={"email": users["editor"], "password": PASSWORD, "next": "/tokens"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/tokens"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert client.get("/tokens").status_code == 200


def test_login_never_redirects_off_site(client: TestClient, users: dict[str, str]) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/login", data={"email": users["editor"], "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == "/"


def test_wrong_password_and_unknown_email_answer_alike(
    client: TestClient, users: dict[str, str]
) -> None:
    wrong = client.post("/login", data={"email": users["editor"], "password": "nope nope nope"})
    unknown = client.post("/login", data={"email": "ghost@desk.test", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert "Email or password is incorrect." in wrong.text
    assert "Email or password is incorrect." in unknown.text
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")


def test_login_is_throttled_after_repeated_failures(
    client: TestClient, users: dict[str, str], db: Database
) -> None:
    for _ in range(accounts.THROTTLE_MAX_FAILURES):
        assert (
            client.post("/login", data={"email": users["admin"], "password": "x" * 12}).status_code
            == 422
        )
    blocked = client.post("/login", data={"email": users["admin"], "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    with db.session() as s:
        rows = s.exec(select(LoginAttempt).where(LoginAttempt.email == users["admin"])).all()
        assert len(rows) == accounts.THROTTLE_MAX_FAILURES + 1
        actions = [e.action for e in s.exec(select(Event).where(Event.entity_type == "login"))]
        assert actions.count("failed") == accounts.THROTTLE_MAX_FAILURES
        assert actions.count("throttled") == 1
        throttled = s.exec(select(Event).where(Event.action == "throttled")).one()
        assert throttled.after == {"ip": "testclient", "limit": "email"}


def test_one_address_trying_many_emails_is_throttled(
    client: TestClient, users: dict[str, str], db: Database
) -> None:
    for n in range(accounts.THROTTLE_MAX_FAILURES_PER_ADDRESS):
        guess = client.post("/login", data={"email": f"guess{n}@desk.test", "password": PASSWORD})
        assert guess.status_code == 422
    blocked = client.post("/login", data={"email": users["editor"], "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    assert SESSION_COOKIE not in blocked.headers.get("set-cookie", "")
    with db.session() as s:
        throttled = s.exec(select(Event).where(Event.action == "throttled")).one()
        assert throttled.after == {"ip": "testclient", "limit": "address"}


def test_logout_ends_the_session_on_the_server(
    login: Callable[[str], TestClient], db: Database
) -> None:
    browser = login("reviewer")
    cookie = browser.cookies.get(SESSION_COOKIE)
    assert browser.get("/").status_code == 200
    assert browser.post("/logout").status_code == 303
    replay = TestClient(browser.app, follow_redirects=False)
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert replay.get("/").status_code == 303
    with db.session() as s:
        actions = {e.action for e in s.exec(select(Event))}
    assert {"logged_in", "logged_out"} <= actions


def test_password_change_and_disable_end_sessions(
    login: Callable[[str], TestClient], users: dict[str, str], db: Database
) -> None:
    browser = login("reviewer")
    with db.session() as s:
        accounts.set_password(s, email=users["reviewer"], password="another long one", actor=SYSTEM)
    assert browser.get("/").status_code == 303
    browser = login("researcher")
    with db.session() as s:
        accounts.set_disabled(s, email=users["researcher"], disabled=True, actor=SYSTEM)
    assert browser.get("/").status_code == 303
    again = browser.post("/login", data={"email": users["researcher"], "password": PASSWORD})
    assert again.status_code == 422


def test_tampered_cookie_is_ignored(login: Callable[[str], TestClient]) -> None:
    browser = login("editor")
    value = browser.cookies.get(SESSION_COOKIE)
    assert value is not None
    browser.cookies.clear()
    browser.cookies.set(SESSION_COOKIE, value[:-1] + ("0" if value[-1] != "0" else "1"))
    assert browser.get("/").status_code == 303


def test_api_token_carries_its_owner_role_until_revoked(
    client: TestClient, users: dict[str, str], db: Database
) -> None:
    with db.session() as s:
        user = accounts.get_user(s, users["researcher"])
        token, secret = accounts.create_token(s, user=user, name="nb", actor=SYSTEM)
        assert token.token_hash != secret and secret not in token.token_hash
    headers = {"Authorization": f"Bearer {secret}"}
    me = client.get("/api/me", headers=headers)
    assert me.status_code == 200
    assert me.json() == {"email": users["researcher"], "role": "researcher"}
    assert client.get("/api/me", headers={"Authorization": "Bearer cdk_wrong"}).status_code == 401
    with db.session() as s:
        accounts.revoke_token(s, token_id=token.id, actor=SYSTEM)  # type: ignore[arg-type]
    assert client.get("/api/me", headers=headers).status_code == 401


def test_tokens_page_creates_shows_once_and_revokes(login: Callable[[str], TestClient]) -> None:
    browser = login("reviewer")
    created = browser.post("/tokens", data={"name": "laptop"})
    assert created.status_code == 200
    assert 'id="new-token">cdk_' in created.text
    page = browser.get("/tokens")
    assert "cdk_" in page.text and 'id="new-token"' not in page.text
    token_id = page.text.split('id="token-')[1].split('"')[0]
    revoked = browser.post(f"/tokens/{token_id}/revoke")
    assert "revoked" in revoked.text


def test_cross_site_posts_are_refused(
    login: Callable[[str], TestClient], users: dict[str, str]
) -> None:
    browser = login("admin")
    evil = {"Origin": "https://evil.example"}
    assert browser.post("/tokens", data={"name": "x"}, headers=evil).status_code == 403
    site = {"Sec-Fetch-Site": "cross-site"}
    assert browser.post("/logout", headers=site).status_code == 403
    fresh = TestClient(browser.app, follow_redirects=False)
    login_post = fresh.post(
        "/login", data={"email": users["admin"], "password": PASSWORD}, headers=evil
    )
    assert login_post.status_code == 403
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert browser.post("/tokens", data={"name": "ok"}, headers=same).status_code == 200


def test_bearer_requests_are_exempt_from_the_origin_check(
    client: TestClient, users: dict[str, str], db: Database
) -> None:
    with db.session() as s:
        user = accounts.get_user(s, users["editor"])
        _token, secret = accounts.create_token(s, user=user, name="", actor=SYSTEM)
    response = client.get(
        "/api/me", headers={"Authorization": f"Bearer {secret}", "Origin": "https://other"}
    )
    assert response.status_code == 200


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/login", "/healthz", "/static/app.css", "/nope"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_admin_page_adds_and_manages_users(login: Callable[[str], TestClient]) -> None:
    admin = login("admin")
    added = admin.post("/admin/users", data={"email": "new@desk.test", "role": "editor"})
    assert added.status_code == 200
    assert "Created new@desk.test with password" in added.text
    bad = admin.post("/admin/users", data={"email": "not-an-email", "role": "editor"})
    assert bad.status_code == 422 and "is not an email address" in bad.text
    bad_role = admin.post("/admin/users", data={"email": "x@desk.test", "role": "owner"})
    assert bad_role.status_code == 422 and "unknown role" in bad_role.text
    user_id = added.text.split('id="user-')[2].split('"')[0]
    changed = admin.post(f"/admin/users/{user_id}", data={"action": "role", "role": "researcher"})
    assert changed.status_code == 200
    short = admin.post(f"/admin/users/{user_id}", data={"action": "password", "password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text


def _token_for(db: Database, email: str) -> dict[str, str]:
    with db.session(write=True) as s:
        user = accounts.get_user(s, email)
        _token, secret = accounts.create_token(s, user=user, name="nb", actor=SYSTEM)
    return {"Authorization": f"Bearer {secret}"}


def _user_id(db: Database, email: str) -> int:
    with db.session() as s:
        user_id = accounts.get_user(s, email).id
    assert user_id is not None
    return user_id


def test_admin_password_change_and_disable_revoke_tokens_for_good(
    login: Callable[[str], TestClient], users: dict[str, str], db: Database
) -> None:
    admin = login("admin")
    reviewer, editor = _token_for(db, users["reviewer"]), _token_for(db, users["editor"])
    assert admin.get("/api/me", headers=reviewer).status_code == 200
    changed = admin.post(
        f"/admin/users/{_user_id(db, users['reviewer'])}",
        data={"action": "password", "password": "a fresh long secret"},
    )
    assert changed.status_code == 200
    assert admin.get("/api/me", headers=reviewer).status_code == 401
    editor_page = f"/admin/users/{_user_id(db, users['editor'])}"
    assert admin.post(editor_page, data={"action": "disable"}).status_code == 200
    assert admin.post(editor_page, data={"action": "enable"}).status_code == 200
    assert admin.get("/api/me", headers=editor).status_code == 401


def test_the_last_admin_cannot_demote_themself(
    login: Callable[[str], TestClient], users: dict[str, str], db: Database
) -> None:
    admin = login("admin")
    refused = admin.post(
        f"/admin/users/{_user_id(db, users['admin'])}", data={"action": "role", "role": "editor"}
    )
    assert refused.status_code == 422
    assert "is the last active admin; make another user admin first" in refused.text
    with db.session() as s:
        assert accounts.get_user(s, users["admin"]).role == "admin"
        assert "role_changed" not in [e.action for e in s.exec(select(Event))]
    assert admin.get("/admin/users").status_code == 200  # still signed in, still admin


def test_responses_showing_a_secret_are_not_stored(login: Callable[[str], TestClient]) -> None:
    admin = login("admin")
    token = admin.post("/tokens", data={"name": "laptop"})
    assert 'id="new-token"' in token.text
    assert token.headers["cache-control"] == "no-store"
    created = admin.post("/admin/users", data={"email": "new@desk.test", "role": "editor"})
    assert "with password" in created.text
    assert created.headers["cache-control"] == "no-store"


def test_token_use_is_noted_at_most_once_a_minute(
    client: TestClient, users: dict[str, str], db: Database
) -> None:
    with db.session(write=True) as s:
        user = accounts.get_user(s, users["researcher"])
        token, secret = accounts.create_token(s, user=user, name="nb", actor=SYSTEM)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/me", headers=headers).status_code == 200
    with db.session() as s:
        first = s.get(ApiToken, token.id)
        assert first is not None and first.last_used_at is not None
        noted = first.last_used_at
    assert client.get("/api/me", headers=headers).status_code == 200
    with db.session(write=True) as s:
        again = s.get(ApiToken, token.id)
        assert again is not None and again.last_used_at == noted  # within the minute
        assert not accounts.note_token_use(s, token.id)  # type: ignore[arg-type]
        assert not accounts.token_use_due(s, token.id)  # type: ignore[arg-type]
        again.last_used_at = noted - timedelta(minutes=2)
        s.add(again)
        s.commit()
        assert accounts.token_use_due(s, token.id)  # type: ignore[arg-type]
        assert accounts.note_token_use(s, token.id)  # type: ignore[arg-type]
