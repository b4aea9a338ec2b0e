"""Adding an article from the browser."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlmodel import select

from claimdesk.config import Settings
from claimdesk.core.errors import MAX_INPUT_BYTES
from claimdesk.store.database import Database
from claimdesk.store.engine import make_engine
from claimdesk.store.models import Article, Claim, Event
from claimdesk.web.app import create_app
from claimdesk.web.article_form import BODY_LIMIT
from tests.httpserver import respond, serve
from tests.web.conftest import PASSWORD

TEXT = (
    "Harbour traffic hits record\n\n"
    "The port handled 4.2 million containers in 2025, up 6% on the year before, "
    "the harbour authority said.\n\nShare this article\n"
)


PAGE = (
    b"<html><head><title>Port traffic</title></head><body><nav>Home | World</nav><article>"
    b"<h1>Port traffic</h1><p>The port handled 4.2 million containers in 2025, up 6% on the "
    b"year before, the harbour authority said.</p></article></body></html>"
)


def test_pasted_text_becomes_an_article_with_claims(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    browser = login("reviewer")
    assert 'href="/articles/new"' in browser.get("/").text
    response = browser.post("/articles/new", data={"text": TEXT, "kind": "auto"})
    assert response.status_code == 303
    page = browser.get(response.headers["location"])
    assert "Harbour traffic hits record" in page.text
    assert "4.2 million containers" in page.text
    with db.session() as s:
        article = s.exec(select(Article)).one()
        claims = s.exec(select(Claim)).all()
        event = s.exec(select(Event).where(Event.entity_type == "article")).one()
    assert article.title == "Harbour traffic hits record"
    assert claims and all("Share this article" not in c.quote for c in claims)
    assert event.actor_label == "reviewer@desk.test" and event.actor_type == "user"


def test_bad_input_re_shows_the_form_and_keeps_what_was_typed(
    login: Callable[[str], TestClient],
) -> None:
    browser = login("editor")
    empty = browser.post("/articles/new", data={"text": "   ", "url": ""})
    assert empty.status_code == 422
    assert "Paste the article text or give its URL." in empty.text
    both = browser.post("/articles/new", data={"text": "Some words here.", "url": "https://x.org/"})
    assert both.status_code == 422
    assert "not both" in both.text
    assert "Some words here." in both.text
    scheme = browser.post("/articles/new", data={"url": "ftp://example.org/a"})
    assert scheme.status_code == 422 and "http://" in scheme.text


def test_urls_on_private_networks_are_refused_by_default(
    login: Callable[[str], TestClient],
) -> None:
    page = PAGE
    browser = login("reviewer")
    with serve({"/a": respond(200, page)}) as site:
        response = browser.post("/articles/new", data={"url": site.base_url + "/a"})
    assert response.status_code == 422
    assert "private or local address" in response.text


def test_researchers_cannot_add_articles(login: Callable[[str], TestClient]) -> None:
    browser = login("researcher")
    assert 'href="/articles/new"' not in browser.get("/").text
    assert browser.get("/articles/new").status_code == 403
    assert browser.post("/articles/new", data={"text": TEXT}).status_code == 403


def test_a_desk_on_its_own_network_may_allow_private_urls(
    db: Database, users: dict[str, str]
) -> None:
    app = create_app(
        Settings(database_url=str(db.engine.url), secret_key="t", fetch_private=True), database=db
    )
    with (
        TestClient(app, follow_redirects=False) as browser,
        serve({"/a": respond(200, PAGE)}) as site,
    ):
        browser.post("/login", data={"email": users["editor"], "password": PASSWORD})
        response = browser.post("/articles/new", data={"url": site.base_url + "/a"})
        assert response.status_code == 303
        assert "4.2 million containers" in browser.get(response.headers["location"]).text


def _selected_kind(html: str) -> str:
    return html.split(" selected>", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]


def test_text_over_one_megabyte_is_taken_as_a_form_or_multipart(
    login: Callable[[str], TestClient],
) -> None:
    browser = login("editor")
    long_text = TEXT + " " * (3 * 1024 * 1024)  # over the form parser's 1 MB default
    plain = browser.post("/articles/new", data={"text": long_text, "kind": "text"})
    assert plain.status_code == 303, plain.text[:500]
    multipart = browser.post(
        "/articles/new", files={"text": (None, long_text), "kind": (None, "text")}
    )
    assert multipart.status_code == 303, multipart.text[:500]


def test_text_over_ten_megabytes_is_refused_keeping_the_url_and_kind(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    browser = login("editor")
    too_long = "x" * (MAX_INPUT_BYTES + 1)
    for body in (
        {"url": "https://news.example/a", "text": too_long, "kind": "markdown"},
        {"url": "https://news.example/a", "text": "é" * (BODY_LIMIT // 4), "kind": "markdown"},
    ):
        response = browser.post("/articles/new", data=body)
        assert response.status_code == 422
        assert "larger than 10 MB" in response.text
        assert 'value="https://news.example/a"' in response.text
        if len(response.request.content) <= BODY_LIMIT:
            assert _selected_kind(response.text) == "markdown"
    with db.session() as s:
        assert s.exec(select(Article)).first() is None


def test_refused_input_keeps_the_pasted_text(login: Callable[[str], TestClient]) -> None:
    browser = login("editor")
    pasted = "Harbour words <b>kept</b> as typed\nacross lines."
    for body in (
        {"text": pasted, "kind": "pdf"},
        {"text": pasted, "url": "https://x.example/"},
        {"text": pasted, "url": "u" * 2001},
    ):
        response = browser.post("/articles/new", data=body)
        assert response.status_code == 422, body.keys()
        assert "Harbour words &lt;b&gt;kept&lt;/b&gt; as typed\nacross lines." in response.text


def _impatient(db: Database) -> Database:
    """The same database, but a request gives up after ~0.2 s waiting for a lock."""
    url = db.engine.url.render_as_string(hide_password=False)
    if db.engine.dialect.name == "sqlite":
        engine = make_engine(url)
        event.listen(engine, "connect", lambda conn, _r: conn.execute("PRAGMA busy_timeout=200"))
    else:
        engine = make_engine(url, connect_args={"options": "-c lock_timeout=200"})
    return Database(engine)


def test_a_busy_database_shows_the_form_again_with_the_pasted_text(
    db: Database, users: dict[str, str]
) -> None:
    impatient = _impatient(db)
    app = create_app(Settings(database_url=str(db.engine.url), secret_key="t"), database=impatient)
    with TestClient(app, follow_redirects=False) as browser:
        browser.post("/login", data={"email": users["editor"], "password": PASSWORD})
        with db.write_engine.begin() as other_writer:  # SQLite: BEGIN IMMEDIATE
            if db.engine.dialect.name == "postgresql":
                other_writer.execute(text("LOCK TABLE article IN ACCESS EXCLUSIVE MODE"))
            response = browser.post("/articles/new", data={"text": TEXT, "kind": "text"})
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert "The database is busy" in response.text
        assert "4.2 million containers in 2025, up 6% on the year before" in response.text
        assert _selected_kind(response.text) == "text"
    impatient.close()
    with db.session() as s:
        assert s.exec(select(Article)).first() is None
