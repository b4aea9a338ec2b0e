"""Adding an article from the browser."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import select

from claimdesk.config import Settings
from claimdesk.store.database import Database
from claimdesk.store.models import Article, Claim, Event
from claimdesk.web.app import create_app
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
