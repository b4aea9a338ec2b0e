"""Bad input at the web edge: clear 4xx answers with the security headers, never a 500.

NUL characters in stored fields, non-ASCII cookies, ids beyond the column range, unhandled
errors, validation errors in words, and the CSRF exemption for API tokens only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import select
from starlette.testclient import httpx

from claimdesk.config import Settings
from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import ApiToken, LoginAttempt, User
from claimdesk.web.app import create_app
from claimdesk.web.auth import SESSION_COOKIE
from claimdesk.web.errors import MAX_ID
from tests.factories import ingest_article

NUL_MESSAGE = "contains a NUL character"
Response = httpx.Response
JSON = {"Content-Type": "application/json"}


def _count(db: Database, model: type) -> int:
    with db.session() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def assert_security_headers(response: Response) -> None:
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_nul_in_a_login_email_is_refused_and_nothing_is_recorded(
    db: Database, client: TestClient, users: dict[str, str]
) -> None:
    before = _count(db, LoginAttempt)
    response = client.post("/login", data={"email": "admin\x00@desk.test", "password": "x"})
    assert response.status_code == 422
    assert "The email " + NUL_MESSAGE in response.text
    assert_security_headers(response)
    assert _count(db, LoginAttempt) == before


def test_nul_in_a_token_name_or_new_users_email_is_refused(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    admin = login("admin")
    tokens, people = _count(db, ApiToken), _count(db, User)
    named = admin.post("/tokens", data={"name": "lap\x00top"})
    assert named.status_code == 422 and "The token name " + NUL_MESSAGE in named.text
    added = admin.post("/admin/users", data={"email": "new\x00@desk.test", "role": "editor"})
    assert added.status_code == 422 and "The email " + NUL_MESSAGE in added.text
    assert (_count(db, ApiToken), _count(db, User)) == (tokens, people)


def test_a_non_ascii_session_cookie_is_ignored(client: TestClient) -> None:
    for cookie in ("abc.\u00e9".encode(), b"abc.\xff\xfe", "\u00e9t\u00e9.abc".encode()):
        headers = {"Cookie": SESSION_COOKIE.encode() + b"=" + cookie}
        assert client.get("/login", headers=headers).status_code == 200
        home = client.get("/", headers=headers)
        assert home.status_code == 303 and home.headers["location"].startswith("/login")


def test_ids_no_row_can_have_are_not_found(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    with db.session() as s:
        article_id = ingest_article(s).article.id
    admin = login("admin")
    huge = "99999999999999999999"
    for path in (
        f"/articles/{huge}",
        "/articles/2147483648",
        "/articles/0",
        "/articles/-5",
        "/articles/abc",
        f"/articles/{article_id}/claims/{huge}",
    ):
        response = admin.get(path)
        assert response.status_code == 404, path
        assert "There is nothing at this address." in response.text, path
        assert_security_headers(response)
    assert admin.post(f"/tokens/{huge}/revoke").status_code == 404
    assert admin.post(f"/admin/users/{huge}", data={"action": "disable"}).status_code == 404
    assert admin.get(f"/articles/{article_id}").status_code == 200


class Stance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stance: Literal["supports", "refutes"]
    row_version: Annotated[int, Field(ge=0, le=MAX_ID)] = 0


def _app_with_faults(sqlite_url: str) -> FastAPI:
    db = Database.open(sqlite_url)
    app = create_app(Settings(database_url=sqlite_url, secret_key="t"), database=db)

    def fault() -> None:
        raise RuntimeError("internal detail: password=hunter2")

    def count(number: int) -> dict[str, int]:
        return {"number": number}

    def stance(body: Stance) -> dict[str, str]:
        return {"stance": body.stance}

    app.add_api_route("/fault", fault)
    app.add_api_route("/api/fault", fault)
    app.add_api_route("/api/count", count)
    app.add_api_route("/api/stance", stance, methods=["POST"])
    app.add_api_route("/api/count/{number}", count)
    return app


def test_an_unhandled_error_is_a_plain_500_with_the_security_headers(sqlite_url: str) -> None:
    client = TestClient(_app_with_faults(sqlite_url))
    page = client.get("/fault")
    assert page.status_code == 500
    assert_security_headers(page)
    assert "Something went wrong" in page.text
    assert "hunter2" not in page.text and "Traceback" not in page.text
    api = client.get("/api/fault")
    assert api.status_code == 500
    assert_security_headers(api)
    assert set(api.json()) == {"detail"} and "hunter2" not in api.text


def test_api_validation_errors_are_one_detail_in_words(sqlite_url: str) -> None:
    client = TestClient(_app_with_faults(sqlite_url))
    wrong = client.get("/api/count", params={"number": "seven"})
    assert wrong.status_code == 422
    assert wrong.json() == {"detail": "The field 'number' must be a whole number."}
    missing = client.get("/api/count")
    assert missing.json() == {"detail": "The field 'number' is missing."}
    assert client.get("/api/count/seven").status_code == 404
    for body, detail in [
        (b'{"stance": "supports"', "The request body is not valid JSON."),
        (b'{"stance": "maybe"}', "The field 'stance' must be one of 'supports' or 'refutes'."),
        (b'{"stance": "refutes", "extra": 1}', "The field 'extra' is not expected here."),
        (
            b'{"stance": "refutes", "row_version": 99999999999999999999}',
            f"The field 'row version' must be at most {MAX_ID}.",
        ),
    ]:
        sent = client.post(
            "/api/stance", content=body, headers={"Content-Type": "application/json"}
        )
        assert (sent.status_code, sent.json()) == (422, {"detail": detail}), body


def test_page_validation_errors_are_a_calm_page_in_words(
    login: Callable[[str], TestClient],
) -> None:
    admin = login("admin")
    response = admin.post("/tokens", data={"name": "n" * 201})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "The token name is too long (at most 200 characters)." in response.text
    shown = response.text.split("<main", 1)[1].split("</main>", 1)[0]
    for internal in ("string_too_long", "loc", "body", "ctx", "{"):
        assert internal not in shown, internal
    assert_security_headers(response)
    missing = admin.post("/admin/users/1", data={})
    assert missing.status_code == 422 and "The action is missing." in missing.text


def test_a_bogus_bearer_header_does_not_exempt_a_cookie_request_from_the_origin_check(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    admin = login("admin")
    tokens = _count(db, ApiToken)
    forged = {"Authorization": "Bearer bogus", "Origin": "https://evil.example"}
    response = admin.post("/tokens", data={"name": "planted"}, headers=forged)
    assert response.status_code == 403
    assert _count(db, ApiToken) == tokens
    site = {"Authorization": "Bearer bogus", "Sec-Fetch-Site": "cross-site"}
    assert admin.post("/logout", headers=site).status_code == 403
    assert admin.get("/").status_code == 200  # still signed in


def test_an_api_request_with_a_bad_token_never_falls_back_to_the_cookie(
    db: Database, login: Callable[[str], TestClient], users: dict[str, str]
) -> None:
    admin = login("admin")
    assert admin.get("/api/me").status_code == 200  # the cookie counts without a token
    assert admin.get("/api/me", headers={"Authorization": "Bearer bogus"}).status_code == 401
    with db.session() as s:
        user = accounts.get_user(s, users["editor"])
        _token, secret = accounts.create_token(s, user=user, name="", actor=SYSTEM)
    me = admin.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["email"] == users["editor"]  # the token, not the admin's cookie
