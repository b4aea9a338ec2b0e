"""The claim panel suggests sources and shows the same claim seen in other articles."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from claimdesk.core.sources_records import SourceRecord
from claimdesk.services import sources
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from tests.factories import ARTICLE_TEXT, ingest_article


def test_claim_panel_lists_matching_sources_with_the_match_marked(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    with db.session() as s:
        result = ingest_article(s)
        records = [
            SourceRecord(
                external_id="budget-doc",
                title="Council budget 2026",
                text="Minutes: the city council approved a budget of 12.5 million euros "
                "on 3 March 2026 after a long debate.",
                url="https://example.org/minutes",
            ),
            SourceRecord(external_id="other", title="Weather", text="Rain is expected on Friday."),
        ]
        sources.import_records(s, records, collection="library", actor=SYSTEM)
        article_id, claim_id = result.article.id, result.claims[0].id
    browser = login("researcher")
    html = browser.get(
        f"/articles/{article_id}/claims/{claim_id}", headers={"HX-Request": "true"}
    ).text
    assert 'id="claim-sources"' in html
    assert "Council budget 2026" in html
    assert 'href="https://example.org/minutes"' in html
    assert "<mark>" in html.split('id="claim-sources"')[1]
    assert "Weather" not in html


def test_the_same_claim_in_another_article_is_recognised(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    with db.session() as s:
        first = ingest_article(s, url="https://example.org/one")
        second = ingest_article(
            s, text=ARTICLE_TEXT.replace("What a wonderful", "Such a fine"), url="https://x.org/2"
        )
    assert first.article.id != second.article.id
    browser = login("reviewer")
    html = browser.get(f"/articles/{second.article.id}/claims/{second.claims[0].id}").text
    assert "Seen in other articles" in html
    assert f'href="/articles/{first.article.id}/claims/{first.claims[0].id}"' in html


def test_no_sources_yet_says_how_to_add_them(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    with db.session() as s:
        result = ingest_article(s)
    browser = login("editor")
    html = browser.get(f"/articles/{result.article.id}/claims/{result.claims[0].id}").text
    assert "claimdesk sources import" in html
