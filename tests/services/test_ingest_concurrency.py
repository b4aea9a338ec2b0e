"""Ingests running at the same time, each in its own writing session, as web workers do."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable

from sqlmodel import Session, select

from claimdesk.core.extraction import Extraction
from claimdesk.services import articles
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Article, ArticleVersion, Claimant
from tests.factories import ARTICLE_TEXT, make_extraction


def together(db: Database, count: int, work: Callable[[Session, int], object]) -> list[str]:
    """Run ``work(session, i)`` in ``count`` threads started at once; their errors."""
    barrier = threading.Barrier(count)
    errors: list[str] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            with db.session(write=True) as session:
                work(session, i)
        except Exception as exc:  # collected and asserted on below
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def unattributed() -> Extraction:
    """The council article with no claimant, so only the article itself is contended."""
    extraction = make_extraction()
    claims = [dataclasses.replace(c, claimant=None) for c in extraction.claims]
    return dataclasses.replace(extraction, claims=claims)


def test_identical_pastes_at_once_store_one_article(db: Database) -> None:
    def paste(session: Session, _: int) -> None:
        articles.ingest(session, extraction=unattributed(), actor=SYSTEM)

    assert together(db, 15, paste) == []
    with db.session() as s:
        assert len(s.exec(select(Article)).all()) == 1
        assert len(s.exec(select(ArticleVersion)).all()) == 1


def test_identical_fetches_at_once_store_one_article(db: Database) -> None:
    def fetch(session: Session, _: int) -> None:
        url = "https://example.org/budget"
        articles.ingest(session, extraction=unattributed(), actor=SYSTEM, url=url)

    assert together(db, 15, fetch) == []
    with db.session() as s:
        assert len(s.exec(select(Article)).all()) == 1


def test_different_articles_naming_one_new_claimant_at_once(db: Database) -> None:
    def paste(session: Session, i: int) -> None:
        text = ARTICLE_TEXT.replace("12.5 million", f"{i}.5 million")
        articles.ingest(session, extraction=make_extraction(text), actor=SYSTEM)

    assert together(db, 18, paste) == []
    with db.session() as s:
        assert [c.name for c in s.exec(select(Claimant))] == ["Councillor Ana Ruiz"]
        assert len(s.exec(select(Article)).all()) == 18


def test_new_versions_of_one_article_at_once_take_distinct_numbers(db: Database) -> None:
    with db.session(write=True) as s:
        first = articles.ingest(
            s, extraction=make_extraction(), actor=SYSTEM, url="https://x.org/a"
        )

    def revise(session: Session, i: int) -> None:
        text = ARTICLE_TEXT.replace("12.5 million", f"{i}.5 million")
        if i % 2:  # half re-fetch the article's URL, half name it explicitly
            articles.ingest(
                session, extraction=make_extraction(text), actor=SYSTEM, url="https://x.org/a"
            )
        else:
            articles.ingest(
                session,
                extraction=make_extraction(text),
                actor=SYSTEM,
                new_version_of=first.article.id,
            )

    assert together(db, 10, revise) == []
    with db.session() as s:
        numbers = s.exec(
            select(ArticleVersion.number).where(ArticleVersion.article_id == first.article.id)
        ).all()
    assert sorted(numbers) == list(range(1, 12))
