"""Which article a text belongs to: its own URL, an explicit new version, or its exact text;
never a canonical URL that the page itself declares."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from claimdesk.core.errors import InputError
from claimdesk.core.extraction import Extraction
from claimdesk.services import articles, inputs
from claimdesk.services.events import SYSTEM, Actor
from claimdesk.store.models import Article, ArticleVersion, Event
from tests.factories import ARTICLE_TEXT, ingest_article, make_extraction
from tests.httpserver import respond, serve

EDITOR = Actor(kind="user", id=None, label="editor@desk.test")


def page(body: str, *, canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f"<html><head><title>Port traffic</title>{link}</head><body><article>"
        f"<h1>Port traffic</h1><p>{body}</p></article></body></html>"
    ).encode()


ORIGINAL = "The port handled 4.2 million containers in 2025, up 6% on the year before."
CHANGED = "The port handled 4.3 million containers in 2025, up 7% on the year before."
HOSTILE = "The port is closed for good and handled no containers at all in 2025."


def versions(session: Session, article_id: int | None) -> list[str]:
    rows = session.exec(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article_id)
        .order_by(col(ArticleVersion.number))
    )
    return [v.text for v in rows]


def test_pasted_html_declaring_an_articles_url_is_a_new_article(session: Session) -> None:
    with serve({"/news/port": respond(200, page(ORIGINAL))}) as site:
        url = site.base_url + "/news/port"
        original = articles.ingest_input(session, inputs.load(url), actor=SYSTEM)
    pasted = inputs.from_data(page(HOSTILE, canonical=url).decode(), name="pasted text")
    assert pasted.extraction.metadata["canonical_url"] == url
    result = articles.ingest_input(session, pasted, actor=EDITOR)
    assert result.created
    assert result.article.id != original.article.id
    assert result.article.canonical_url == url  # kept as metadata only
    assert result.article.url is None
    assert len(versions(session, original.article.id)) == 1
    assert HOSTILE not in versions(session, original.article.id)[0]


def test_a_page_fetched_elsewhere_declaring_an_articles_url_is_a_new_article(
    session: Session,
) -> None:
    routes = {"/news/port": respond(200, page(ORIGINAL))}
    with serve(routes) as site:
        url = site.base_url + "/news/port"
        routes["/copy"] = respond(200, page(HOSTILE, canonical=url))
        original = articles.ingest_input(session, inputs.load(url), actor=SYSTEM)
        copy = articles.ingest_input(session, inputs.load(site.base_url + "/copy"), actor=SYSTEM)
    assert copy.created and copy.article.id != original.article.id
    assert len(versions(session, original.article.id)) == 1


def test_refetching_an_articles_own_url_with_new_text_is_version_two(session: Session) -> None:
    routes = {"/news/port": respond(200, page(ORIGINAL))}
    with serve(routes) as site:
        url = site.base_url + "/news/port"
        first = articles.ingest_input(session, inputs.load(url), actor=SYSTEM)
        again = articles.ingest_input(session, inputs.load(url), actor=SYSTEM)
        routes["/news/port"] = respond(200, page(CHANGED))
        second = articles.ingest_input(session, inputs.load(url), actor=SYSTEM)
    assert not again.created and again.version.id == first.version.id
    assert second.created and second.article.id == first.article.id
    assert second.version.number == 2
    texts = versions(session, first.article.id)
    assert "4.2 million" in texts[0] and "4.3 million" in texts[1]


def test_explicit_new_version_is_version_two_with_an_audit_event(session: Session) -> None:
    first = ingest_article(session)
    changed = ARTICLE_TEXT.replace("12.5 million", "13 million")
    result = articles.ingest(
        session,
        extraction=make_extraction(changed),
        actor=EDITOR,
        new_version_of=first.article.id,
        min_score=0.0,
    )
    assert result.created and result.article.id == first.article.id
    assert result.version.number == 2
    assert articles.get_article(session, first.article.id).version.id == result.version.id  # type: ignore[arg-type]
    event = session.exec(select(Event).where(Event.action == "new_version")).one()
    assert (event.entity_type, event.entity_id) == ("article", first.article.id)
    assert event.actor_label == "editor@desk.test" and event.actor_type == "user"
    assert event.before == {"version": 1}
    assert event.after is not None and event.after["version"] == 2


def test_explicit_new_version_of_the_current_text_changes_nothing(session: Session) -> None:
    first = ingest_article(session)
    again = articles.ingest(
        session, extraction=make_extraction(), actor=EDITOR, new_version_of=first.article.id
    )
    assert not again.created and again.version.id == first.version.id
    assert session.exec(select(Event).where(Event.action == "new_version")).all() == []


def test_explicit_new_version_of_an_unknown_article_is_refused(session: Session) -> None:
    with pytest.raises(articles.ArticleNotFound):
        articles.ingest(session, extraction=make_extraction(), actor=EDITOR, new_version_of=987654)
    assert session.exec(select(Article)).all() == []


def test_pasting_an_articles_exact_text_finds_it_and_adds_no_version(session: Session) -> None:
    first = ingest_article(session, url="https://example.org/budget")
    pasted = articles.ingest(session, extraction=make_extraction(), actor=EDITOR)
    assert not pasted.created
    assert pasted.article.id == first.article.id
    assert len(versions(session, first.article.id)) == 1


def test_pasting_changed_text_never_makes_a_new_version(session: Session) -> None:
    first = ingest_article(session, url="https://example.org/budget")
    changed = make_extraction(ARTICLE_TEXT.replace("12.5", "99"))
    meta = {**changed.metadata, "canonical_url": "https://example.org/budget"}
    extraction = Extraction(changed.title, changed.text, changed.claims, meta)
    pasted = articles.ingest(session, extraction=extraction, actor=EDITOR)
    assert pasted.created and pasted.article.id != first.article.id
    assert len(versions(session, first.article.id)) == 1


def test_text_with_a_nul_character_is_refused_and_nothing_is_stored(session: Session) -> None:
    extraction = make_extraction(ARTICLE_TEXT.replace("budget", "bud\x00get"))
    with pytest.raises(InputError, match="NUL"):
        articles.ingest(session, extraction=extraction, actor=SYSTEM)
    assert session.exec(select(Article)).all() == []
