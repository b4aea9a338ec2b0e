"""Article metadata longer than its column, or holding control characters, is stored the same
way on SQLite and PostgreSQL (where it used to fail with a 500 or abort an ingest run)."""

from __future__ import annotations

import dataclasses

from sqlmodel import Session, select

from claimdesk.services import articles, inputs
from claimdesk.services.article_metadata import (
    bounded_content_type,
    bounded_name,
    bounded_url,
)
from claimdesk.services.events import SYSTEM
from claimdesk.store.models import Claimant
from tests.factories import make_extraction
from tests.httpserver import respond, serve

LONG_URL = "https://example.org/" + "a" * 2100
LONG_NAME = "Gazette " * 60  # 480 characters


def test_a_too_long_url_is_dropped_never_cut() -> None:
    assert bounded_url(LONG_URL, 2000) is None
    assert bounded_url(" https://example.org/a\x00 ", 2000) == "https://example.org/a"
    assert bounded_url("", 2000) is None


def test_a_too_long_name_is_cut_with_an_ellipsis() -> None:
    name = bounded_name(LONG_NAME, 300)
    assert name is not None and len(name) <= 300 and name.endswith("…")
    assert bounded_name("Ana\x00 \n Ruiz", 300) == "Ana Ruiz"


def test_a_long_content_type_keeps_its_media_type_and_what_fits() -> None:
    value = "text/html; charset=utf-8; " + "; ".join(f"p{i}={'x' * 30}" for i in range(10))
    kept = bounded_content_type(value, 100)
    assert kept is not None and len(kept) <= 100
    assert kept.startswith("text/html; charset=utf-8")
    assert bounded_content_type("x" * 101, 100) is None


def test_long_metadata_is_stored_on_both_backends(session: Session) -> None:
    base = make_extraction()
    metadata = {
        "canonical_url": LONG_URL,
        "publisher": LONG_NAME,
        "author": "Ana\x00 Ruiz " + "x" * 400,
        "language": "en-" + "x" * 60,
        "encoding": "utf-" + "8" * 60,
        "final_url": LONG_URL,
        "note": "kept\x00 in extra",
    }
    claims = [dataclasses.replace(c, claimant=c.claimant and LONG_NAME) for c in base.claims]
    extraction = dataclasses.replace(
        base, title="Budget\x00 " + "t" * 2000, metadata=metadata, claims=claims
    )
    result = articles.ingest(
        session,
        extraction=extraction,
        actor=SYSTEM,
        url=LONG_URL,
        content_type="text/html; charset=utf-8; " + "q" * 200,
    )
    article, version = result.article, result.version
    assert article.url is None and article.canonical_url is None and version.final_url is None
    assert article.publisher is not None and len(article.publisher) == 300
    assert article.author is not None and article.author.startswith("Ana Ruiz")
    assert len(article.author) <= 300
    assert article.language is None and version.encoding is None
    assert version.content_type == "text/html; charset=utf-8"
    assert article.title is not None and "\x00" not in article.title
    assert version.extra["note"] == "kept in extra"
    claimant = session.exec(select(Claimant)).one()
    assert len(claimant.name) <= 300 and claimant.name.endswith("…")


def test_a_fetched_page_with_a_long_content_type_is_stored(session: Session) -> None:
    content_type = "text/html; charset=utf-8; profile=" + "z" * 300
    body = (
        b"<html><head><title>Port</title></head><body><article><p>The port handled 4.2 "
        b"million containers in 2025, up 6% on the year before.</p></article></body></html>"
    )
    with serve({"/port": respond(200, body, content_type=content_type)}) as site:
        loaded = inputs.load(site.base_url + "/port")
    result = articles.ingest_input(session, loaded, actor=SYSTEM)
    assert result.version.content_type == "text/html; charset=utf-8"
    assert result.article.url == site.base_url + "/port"
