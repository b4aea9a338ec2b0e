"""/api/sql and the /sql page on both databases: the JSON shape, refusals as 422 in words,
the time limit, who may query, tokens and sessions, htmx fragments and pages."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.research_views import views_for
from tests.factories import ingest_article

COUNT = "SELECT count(*) AS claims FROM research_claims"
FOREVER = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"


@pytest.fixture
def claims(db: Database) -> int:
    with db.session(write=True) as s:
        return len(ingest_article(s).claims)


def _token(db: Database, email: str) -> dict[str, str]:
    with db.session(write=True) as s:
        user = accounts.get_user(s, email)
        _, secret = accounts.create_token(s, user=user, name="sql", actor=SYSTEM)
    return {"Authorization": f"Bearer {secret}"}


def test_get_answers_columns_rows_and_truncated(
    login: Callable[[str], TestClient], claims: int
) -> None:
    response = login("researcher").get("/api/sql", params={"sql": COUNT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"columns": ["claims"], "rows": [[claims]], "truncated": False}


def test_post_as_json_or_form_with_a_token(
    db: Database, client: TestClient, users: dict[str, str], claims: int
) -> None:
    headers = _token(db, users["researcher"])
    by_json = client.post("/api/sql", json={"sql": COUNT}, headers=headers)
    by_form = client.post("/api/sql", data={"sql": COUNT}, headers=headers)
    assert by_json.status_code == by_form.status_code == 200
    assert (
        by_json.json()
        == by_form.json()
        == {
            "columns": ["claims"],
            "rows": [[claims]],
            "truncated": False,
        }
    )


def test_more_rows_than_the_limit_say_truncated(login: Callable[[str], TestClient]) -> None:
    sql = (
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1500) "
        "SELECT n FROM r"
    )
    body = login("admin").get("/api/sql", params={"sql": sql}).json()
    assert body["truncated"] is True
    assert len(body["rows"]) == 1000 and body["rows"][-1] == [1000]


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("DELETE FROM claim", "Only reading is allowed"),
        ("ATTACH DATABASE 'x.db' AS x", "ATTACH is not allowed"),
        ("PRAGMA table_info(claim)", "PRAGMA is not allowed"),
        ("select 1; select 2", "Only one statement"),
        ("SELECT password_hash FROM auth_user", "research views"),
        ("SELECT * FROM admin_verdicts", "research views"),
        ("SELECT nonsense FROM research_claims", "could not run the query"),
    ],
)
def test_refused_sql_is_422_with_the_reason(
    login: Callable[[str], TestClient], sql: str, says: str
) -> None:
    client = login("researcher")
    for response in (
        client.get("/api/sql", params={"sql": sql}),
        client.post("/api/sql", json={"sql": sql}),
    ):
        assert response.status_code == 422
        assert says in response.json()["detail"]


def test_a_query_that_would_run_forever_is_422_within_the_limit(
    login: Callable[[str], TestClient],
) -> None:
    client = login("researcher")
    started = time.monotonic()
    response = client.get("/api/sql", params={"sql": FOREVER})
    assert time.monotonic() - started < 8  # the limit is 3 seconds
    assert response.status_code == 422
    assert "stopped after 3 seconds" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"[1]", "Send a JSON object"),
        (b"{not json", "not valid JSON"),
        (b'{"sql": 1}', "must be text"),
        (b"{}", "is missing"),
        (b'{"sql": "select 1", "limit": 5}', "'limit' is not expected"),
    ],
)
def test_a_bad_json_body_is_422_in_words(
    login: Callable[[str], TestClient], body: bytes, says: str
) -> None:
    response = login("admin").post(
        "/api/sql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert says in response.json()["detail"]


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_reviewers_and_editors_are_403(
    db: Database, login: Callable[[str], TestClient], users: dict[str, str], role: str
) -> None:
    browser = login(role)
    assert browser.get("/api/sql", params={"sql": "select 1"}).status_code == 403
    assert browser.post("/api/sql", json={"sql": "select 1"}).status_code == 403
    assert browser.get("/sql").status_code == 403
    assert 'href="/sql"' not in browser.get("/").text
    headers = _token(db, users[role])
    assert browser.get("/api/sql", params={"sql": "select 1"}, headers=headers).status_code == 403


def test_anonymous_is_401_on_the_api(client: TestClient) -> None:
    assert client.get("/api/sql", params={"sql": "select 1"}).status_code == 401
    assert client.get("/sql").headers["location"].startswith("/login?next=")


def test_the_page_lists_the_views_and_runs_a_query(
    login: Callable[[str], TestClient], claims: int
) -> None:
    browser = login("researcher")
    empty = browser.get("/sql")
    assert empty.status_code == 200
    assert 'href="/sql"' in empty.text  # in the top navigation
    assert '<textarea id="sql" name="sql"' in empty.text
    for view in views_for("researcher"):
        assert f'id="view-{view.name}"' in empty.text
    assert "admin_verdicts" not in empty.text
    page = browser.get("/sql", params={"sql": COUNT})
    assert page.status_code == 200
    assert "<html" in page.text and '<th scope="col">claims</th>' in page.text
    assert f"<td>{claims}</td>" in page.text
    assert page.headers["vary"] == "HX-Request"
    posted = browser.post("/sql", data={"sql": COUNT})
    assert posted.status_code == 200 and f"<td>{claims}</td>" in posted.text


def test_htmx_gets_the_result_block_only(login: Callable[[str], TestClient], claims: int) -> None:
    browser = login("admin")
    response = browser.get("/sql", params={"sql": COUNT}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="sql-result"')
    assert "<html" not in response.text and "<textarea" not in response.text
    assert f"<td>{claims}</td>" in response.text
    assert response.headers["vary"] == "HX-Request"


def test_admins_see_admin_views_on_the_page(login: Callable[[str], TestClient]) -> None:
    page = login("admin").get("/sql")
    assert 'id="view-admin_verdicts"' in page.text and 'id="view-research_claims"' in page.text


def test_a_refused_query_on_the_page_keeps_what_was_typed(
    login: Callable[[str], TestClient],
) -> None:
    browser = login("researcher")
    sql = "SELECT 'kept <b>' AS x; DROP TABLE claim"
    page = browser.get("/sql", params={"sql": sql})
    assert page.status_code == 422
    assert "Only one statement at a time" in page.text
    assert "SELECT &#39;kept &lt;b&gt;&#39; AS x; DROP TABLE claim</textarea>" in page.text
    fragment = browser.get("/sql", params={"sql": sql}, headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    assert 'role="alert"' in fragment.text and "<textarea" not in fragment.text
