"""Orphaned claims on the review screen, on both databases: listed and explained, never
highlighted, re-attached by selecting words (a plain form post, or htmx), refused in words
when stale or wrong; the JSON API gives them no span."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, Event
from tests.factories import ARTICLE_TEXT, ingest_article

Login = Callable[[str], TestClient]
URL = "https://gazette.test/budget"
TRAM = "the new tram line will cost 40% more than planned"
ESTIMATE = "A new estimate puts the extra cost of the tram at 45 percent."
CHANGED = (
    ARTICLE_TEXT.replace(
        f"Councillor Ana Ruiz said {TRAM}.\n\n", "Budget talks continue next week.\n\n"
    )
    + f"\n\n{ESTIMATE}"
)
WORDS = "the extra cost of the tram at 45 percent"


@pytest.fixture
def orphan(db: Database) -> dict[str, Any]:
    """The council article corrected: the tram sentence is gone, its claim an orphan."""
    assert TRAM not in CHANGED
    with db.session(write=True) as s:
        first = ingest_article(s, url=URL)
        tram = next(c.id for c in first.claims if c.quote == TRAM)
        second = ingest_article(s, text=CHANGED, url=URL)
        claim = s.get(Claim, tram)
        assert claim is not None and claim.anchor_state == "orphaned"
        return {
            "article": first.article.id,
            "claim": tram,
            "version": second.version.id,
            "row_version": claim.row_version,
        }


def stored(db: Database, claim_id: int) -> Claim:
    with db.session() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None
        s.expunge(claim)
        return claim


def reattach_form(orphan: dict[str, Any], **given: Any) -> dict[str, Any]:
    start = CHANGED.index(WORDS)
    form = {
        "row_version": orphan["row_version"],
        "quote": WORDS,
        "start": start,
        "end": start + len(WORDS),
    }
    return {**form, **given}


def test_the_article_page_lists_the_orphan_and_does_not_highlight_it(
    login: Login, orphan: dict[str, Any]
) -> None:
    page = login("reviewer").get(f"/articles/{orphan['article']}")
    assert page.status_code == 200
    html = page.text
    assert 'id="orphaned-claims"' in html and "Orphaned claims" in html
    section = html[html.index('id="orphaned-claims"') : html.index('id="claim-list-panel"')]
    assert TRAM in section and 'class="badge orphan"' in section
    assert f'href="/articles/{orphan["article"]}/claims/{orphan["claim"]}"' in section
    highlighted = re.findall(r'<a class="claim-hl[^"]*"[^>]*data-claim-id="(\d+)"', html)
    assert highlighted and str(orphan["claim"]) not in highlighted


@pytest.mark.parametrize("htmx", [False, True])
def test_the_claim_panel_explains_the_orphan_and_offers_to_reattach_it(
    login: Login, orphan: dict[str, Any], htmx: bool
) -> None:
    headers = {"HX-Request": "true"} if htmx else {}
    url = f"/articles/{orphan['article']}/claims/{orphan['claim']}"
    page = login("reviewer").get(url, headers=headers)
    assert page.status_code == 200
    html = page.text
    assert 'id="orphan-notice"' in html and "no longer in it" in html
    assert f'action="/claims/{orphan["claim"]}/reattach"' in html
    assert f'data-reattach="{orphan["claim"]}"' in html
    assert "none in this version" in html
    assert (f'action="/claims/{orphan["claim"]}/span"' in html) is False  # no edge tools
    assert ('id="article-text"' in html) is not htmx  # htmx: the panel only


def test_a_researcher_sees_the_orphan_but_no_reattach_form(
    login: Login, orphan: dict[str, Any]
) -> None:
    page = login("researcher").get(f"/articles/{orphan['article']}/claims/{orphan['claim']}")
    assert page.status_code == 200
    assert 'id="orphan-notice"' in page.text and "/reattach" not in page.text


def test_reattach_without_javascript_anchors_the_claim_on_the_selected_words(
    db: Database, login: Login, orphan: dict[str, Any]
) -> None:
    browser = login("reviewer")
    response = browser.post(f"/claims/{orphan['claim']}/reattach", data=reattach_form(orphan))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/articles/{orphan['article']}/claims/{orphan['claim']}"
    claim = stored(db, orphan["claim"])
    assert (claim.anchor_state, claim.version_id) == ("anchored", orphan["version"])
    assert CHANGED[claim.start : claim.end] == claim.quote == WORDS
    assert claim.prefix == CHANGED[max(0, claim.start - 32) : claim.start]
    assert claim.row_version == orphan["row_version"] + 1
    with db.session() as s:
        event = s.exec(
            select(Event)
            .where(Event.entity_type == "claim", Event.entity_id == orphan["claim"])
            .order_by(col(Event.id).desc())
        ).first()
    assert event is not None and event.action == "reattached"
    assert event.before is not None and event.after is not None
    assert (event.before["quote"], event.before["anchor_state"]) == (TRAM, "orphaned")
    assert (event.after["quote"], event.after["anchor_state"]) == (WORDS, "anchored")
    page = browser.get(response.headers["location"]).text
    assert 'id="orphaned-claims"' not in page
    highlighted = re.findall(r'<a class="claim-hl[^"]*"[^>]*data-claim-id="(\d+)"', page)
    assert str(orphan["claim"]) in highlighted


def test_reattach_with_htmx_redirects_the_whole_page(
    db: Database, login: Login, orphan: dict[str, Any]
) -> None:
    response = login("reviewer").post(
        f"/claims/{orphan['claim']}/reattach",
        data=reattach_form(orphan, start="", end=""),  # no offsets: the quote is found
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["HX-Redirect"] == (
        f"/articles/{orphan['article']}/claims/{orphan['claim']}"
    )
    assert stored(db, orphan["claim"]).anchor_state == "anchored"


@pytest.mark.parametrize(
    ("given", "status", "says"),
    [
        ({"quote": "words that are nowhere"}, 422, "not in this version of the article"),
        ({"quote": "   "}, 422, "only spaces"),
        ({"row_version": 0}, 409, "changed by"),
    ],
)
def test_a_wrong_or_stale_reattach_is_refused_and_changes_nothing(
    db: Database,
    login: Login,
    orphan: dict[str, Any],
    given: dict[str, Any],
    status: int,
    says: str,
) -> None:
    response = login("reviewer").post(
        f"/claims/{orphan['claim']}/reattach", data=reattach_form(orphan, **given)
    )
    assert response.status_code == status
    assert says in response.text
    claim = stored(db, orphan["claim"])
    assert (claim.anchor_state, claim.start, claim.end, claim.quote) == ("orphaned", 0, 0, TRAM)
    assert claim.row_version == orphan["row_version"]


def test_an_orphan_has_no_edges_to_move_and_an_anchored_claim_is_not_reattached(
    db: Database, login: Login, orphan: dict[str, Any]
) -> None:
    browser = login("reviewer")
    moved = browser.post(
        f"/claims/{orphan['claim']}/span",
        data={"row_version": orphan["row_version"], "edge": "end", "direction": 1},
    )
    assert moved.status_code == 422 and "re-attach it" in moved.text
    with db.session() as s:
        other = s.exec(
            select(Claim).where(
                Claim.version_id == orphan["version"], Claim.anchor_state != "orphaned"
            )
        ).first()
        assert other is not None
    response = browser.post(
        f"/claims/{other.id}/reattach",
        data={"row_version": other.row_version, "quote": WORDS},
    )
    assert response.status_code == 422 and "not an orphan" in response.text


def test_researchers_may_not_reattach(login: Login, orphan: dict[str, Any]) -> None:
    response = login("researcher").post(
        f"/claims/{orphan['claim']}/reattach", data=reattach_form(orphan)
    )
    assert response.status_code == 403


def test_the_api_gives_an_orphan_no_span(
    db: Database, client: TestClient, users: dict[str, str], orphan: dict[str, Any]
) -> None:
    with db.session(write=True) as s:
        user = accounts.get_user(s, users["researcher"])
        _, secret = accounts.create_token(s, user=user, name="api", actor=SYSTEM)
    response = client.get(
        f"/api/claims/{orphan['claim']}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["start"], body["end"], body["anchor_state"]) == (None, None, "orphaned")
    assert (body["quote"], body["version_id"]) == (TRAM, orphan["version"])
