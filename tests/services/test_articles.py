from __future__ import annotations

import pytest
from sqlmodel import Session, select

from claimdesk.services import articles
from claimdesk.services.events import SYSTEM
from claimdesk.store.models import Claim, Claimant, Event
from tests.factories import ARTICLE_TEXT, ingest_article


def test_ingest_stores_the_version_and_exact_claim_spans(session: Session) -> None:
    result = ingest_article(session)
    assert result.created
    assert result.version.text == ARTICLE_TEXT
    assert len(result.claims) == 3
    for claim in result.claims:
        assert ARTICLE_TEXT[claim.start : claim.end] == claim.quote
        assert ARTICLE_TEXT[: claim.start].endswith(claim.prefix)
        assert ARTICLE_TEXT[claim.end :].startswith(claim.suffix)
        assert claim.uuid is not None
        assert claim.status == "new"
    claimant = session.exec(select(Claimant)).one()
    assert claimant.name == "Councillor Ana Ruiz"


def test_reingesting_the_same_text_changes_nothing(session: Session) -> None:
    first = ingest_article(session, url="https://example.org/budget")
    second = ingest_article(session, url="https://example.org/budget")
    assert not second.created
    assert second.article.id == first.article.id
    assert len(session.exec(select(Claim)).all()) == 3
    assert len(session.exec(select(Event)).all()) == 1


def test_new_text_for_a_known_url_is_a_new_version(session: Session) -> None:
    first = ingest_article(session, url="https://example.org/budget")
    changed = ARTICLE_TEXT.replace("12.5 million", "13 million")
    second = ingest_article(session, text=changed, url="https://example.org/budget")
    assert second.created
    assert second.article.id == first.article.id
    assert second.version.number == 2
    view = articles.get_article(session, first.article.id)  # type: ignore[arg-type]
    assert view.version.id == second.version.id
    # the claims move to the new version (re-anchored, see test_reanchoring.py)
    old = session.exec(select(Claim).where(Claim.version_id == first.version.id)).all()
    assert old == []
    assert {c.id for c in second.claims} == {c.id for c in first.claims}


def test_ingest_writes_an_audit_event(session: Session) -> None:
    result = ingest_article(session)
    event = session.exec(select(Event)).one()
    assert (event.entity_type, event.entity_id, event.action) == (
        "article",
        result.article.id,
        "ingested",
    )
    assert event.actor_label == "system"
    assert event.after == {"version": 1, "claims": 3, "content_hash": result.version.content_hash}


def test_list_articles_counts_current_claims(session: Session) -> None:
    ingest_article(session)
    rows = articles.list_articles(session)
    assert [(r.article.title, r.claim_count) for r in rows] == [("Council budget", 3)]


def test_get_article_orders_claims_and_raises_for_unknown(session: Session) -> None:
    result = ingest_article(session)
    view = articles.get_article(session, result.article.id)  # type: ignore[arg-type]
    assert [c.start for c in view.claims] == sorted(c.start for c in view.claims)
    with pytest.raises(articles.ArticleNotFound):
        articles.get_article(session, 987654)


def test_only_claims_at_or_above_the_threshold_are_stored(session: Session) -> None:
    from claimdesk.core.extraction import ClaimSpan, Extraction

    text = "Alpha rose 5% in 2024. Beta is nice. Alpha rose 5% in 2024."
    first, dup = 0, text.rindex("Alpha")
    quote = "Alpha rose 5% in 2024."
    claims = [
        ClaimSpan(first, first + len(quote), quote, quote, None, 0.9, ()),
        ClaimSpan(23, 36, "Beta is nice.", "Beta is nice.", None, 0.05, ()),
        ClaimSpan(dup, dup + len(quote), quote, quote, None, 0.9, (), duplicate_of=0),
    ]
    extraction = Extraction(title="t", text=text, claims=claims)
    result = articles.ingest(session, extraction=extraction, actor=SYSTEM, min_score=0.5)
    assert [c.quote for c in result.claims] == [quote, quote]
    assert result.claims[1].duplicate_of_id == result.claims[0].id
    assert result.claims[0].duplicate_of_id is None
