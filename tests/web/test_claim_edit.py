"""Claim editing from the browser, on both databases: plain form posts with 303 back to the
claim, 409 with who and when on a stale row_version, 422 in words, 403 for researchers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from claimdesk.services import claim_edit, review
from claimdesk.services.accounts import Principal
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, Event
from claimdesk.web.rendering import make_templates
from tests.factories import ARTICLE_TEXT, ingest_article

Login = Callable[[str], TestClient]


@pytest.fixture
def article(db: Database) -> dict[str, Any]:
    with db.session(write=True) as s:
        result = ingest_article(s)
        return {
            "id": result.article.id,
            "version_id": result.version.id,
            "claims": [c.id for c in result.claims],
        }


def stored(db: Database, claim_id: int) -> Claim:
    with db.session() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None
        s.expunge(claim)
        return claim


def counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        claims = s.exec(select(func.count()).select_from(Claim)).one()
        events = s.exec(select(func.count()).select_from(Event)).one()
        return claims, events


def selection(quote: str, **extra: Any) -> dict[str, Any]:
    start = ARTICLE_TEXT.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote, **extra}


def test_create_claim_from_a_selection_redirects_to_it(
    db: Database, login: Login, article: dict[str, Any]
) -> None:
    browser = login("reviewer")
    form = selection("Councillor Ana Ruiz", version_id=article["version_id"])
    response = browser.post(f"/articles/{article['id']}/claims", data=form)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    match = re.fullmatch(rf"/articles/{article['id']}/claims/(\d+)", location)
    assert match is not None
    claim = stored(db, int(match.group(1)))
    assert (claim.quote, claim.status) == ("Councillor Ana Ruiz", "new")
    assert ARTICLE_TEXT[claim.start : claim.end] == claim.quote
    page = browser.get(location)
    assert page.status_code == 200 and "Councillor Ana Ruiz" in page.text
    # htmx: the whole page is loaded again (the highlights change)
    again = browser.post(
        f"/articles/{article['id']}/claims",
        data=selection("Ana Ruiz said"),  # no version_id: the newest version
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 200
    assert re.fullmatch(r"/articles/\d+/claims/\d+", again.headers["HX-Redirect"])


def test_a_quote_not_in_the_text_is_refused_in_words(
    db: Database, login: Login, article: dict[str, Any]
) -> None:
    browser = login("reviewer")
    before = counts(db)
    form = {"start": 0, "end": 8, "quote": "The town", "version_id": article["version_id"]}
    response = browser.post(f"/articles/{article['id']}/claims", data=form)
    assert response.status_code == 422
    assert "not in this version of the article" in response.text
    assert counts(db) == before


def test_researchers_may_not_edit_claims(
    db: Database, login: Login, article: dict[str, Any]
) -> None:
    browser = login("researcher")
    before = counts(db)
    claim_id = article["claims"][0]
    posts = [
        (f"/articles/{article['id']}/claims", selection("Ana Ruiz")),
        (f"/claims/{claim_id}/span", {"row_version": 1, "edge": "end", "direction": -1}),
        (f"/claims/{claim_id}/split", {"row_version": 1, "at": 20}),
        (
            f"/claims/{claim_id}/merge",
            {"row_version": 1, "other_id": article["claims"][1], "other_row_version": 1},
        ),
    ]
    for url, form in posts:
        assert browser.post(url, data=form).status_code == 403, url
    assert counts(db) == before


def test_span_split_and_merge_by_form(db: Database, login: Login, article: dict[str, Any]) -> None:
    browser = login("reviewer")
    budget, tram = article["claims"][0], article["claims"][1]
    back = f"/articles/{article['id']}/claims/{budget}"
    narrowed = browser.post(
        f"/claims/{budget}/span", data={"row_version": 1, "edge": "end", "direction": -1}
    )
    assert (narrowed.status_code, narrowed.headers["location"]) == (303, back)
    claim = stored(db, budget)
    assert claim.quote == "The city council approved a budget of 12.5 million euros on 3 March"
    at = ARTICLE_TEXT.index(" of 12.5")
    split = browser.post(f"/claims/{budget}/split", data={"row_version": 2, "at": at})
    assert (split.status_code, split.headers["location"]) == (303, back)
    assert stored(db, budget).quote == "The city council approved a budget"
    merged = browser.post(
        f"/claims/{tram}/merge",
        data={"row_version": 1, "other_id": budget, "other_row_version": 3},
    )
    assert merged.status_code == 303, merged.text
    survivor, absorbed = stored(db, tram), stored(db, budget)
    assert survivor.start == 0 and survivor.quote.endswith("more than planned")
    assert ARTICLE_TEXT[survivor.start : survivor.end] == survivor.quote
    assert absorbed.status == "dismissed"


def test_a_stale_row_version_is_409_with_who_and_when(
    db: Database, login: Login, article: dict[str, Any], users: dict[str, str]
) -> None:
    budget = article["claims"][0]
    editor = login("editor")
    assert (
        editor.post(
            f"/claims/{budget}/span", data={"row_version": 1, "edge": "end", "direction": -1}
        ).status_code
        == 303
    )
    reviewer = login("reviewer")
    before, events = stored(db, budget).model_dump(), counts(db)
    for url, form in [
        (f"/claims/{budget}/span", {"row_version": 1, "start": 0, "end": 8}),
        (f"/claims/{budget}/split", {"row_version": 1, "at": 20}),
        (
            f"/claims/{article['claims'][1]}/merge",
            {"row_version": 1, "other_id": budget, "other_row_version": 1},
        ),
    ]:
        response = reviewer.post(url, data=form)
        assert response.status_code == 409, url
        assert users["editor"] in response.text
        assert re.search(r"at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", response.text)
        assert f'href="/articles/{article["id"]}/claims/' in response.text
    assert stored(db, budget).model_dump() == before
    assert counts(db) == events


def test_invalid_spans_and_locked_claims_are_422(
    db: Database, login: Login, article: dict[str, Any], users: dict[str, str]
) -> None:
    budget = article["claims"][0]
    browser = login("editor")
    cases = [
        (f"/claims/{budget}/span", {"row_version": 1, "start": 5, "end": 5}, "not inside"),
        (f"/claims/{budget}/span", {"row_version": 1, "edge": "start", "direction": -1}, "begin"),
        (f"/claims/{budget}/split", {"row_version": 1, "at": 0}, "Split inside the claim"),
        (f"/claims/{budget}/span", {"row_version": 1, "edge": "side", "direction": 1}, "edge"),
    ]
    for url, form, says in cases:
        response = browser.post(url, data=form)
        assert response.status_code == 422, (url, form)
        assert says in response.text, (url, form)
    assert stored(db, budget).row_version == 1
    with db.session(write=True) as s:
        from tests.factories import add_person

        reviewer, editor = add_person(s, "reviewer"), add_person(s, "editor", "ed2@desk.test")
        for action, who, given in [
            ("start", reviewer, {}),
            ("propose", reviewer, {"label": "Unverifiable", "rationale": "No source yet."}),
            ("approve", editor, {}),
        ]:
            version = review.get_claim_detail(s, budget).claim.row_version
            review.act(
                s, claim_id=budget, action=action, row_version=version, principal=who, **given
            )
    version = stored(db, budget).row_version
    response = browser.post(
        f"/claims/{budget}/span", data={"row_version": version, "edge": "end", "direction": -1}
    )
    assert response.status_code == 422 and "approved" in response.text
    assert stored(db, budget).row_version == version


def test_span_tools_post_to_the_routes(db: Database, login: Login, article: dict[str, Any]) -> None:
    """The partial the review panel includes: every form it shows works as posted."""
    browser = login("reviewer")
    tram = article["claims"][1]
    with db.session() as s:
        claim = s.get(Claim, tram)
        assert claim is not None
        near = claim_edit.neighbours(s, claim)
        assert near.previous is not None and near.previous.id == article["claims"][0]
        assert near.next is not None and near.next.id == article["claims"][2]
        person = Principal(user_id=1, email="r@x", role="reviewer", via="session", credential_id=1)
        html = (
            make_templates()
            .env.get_template("review/_span_tools.html")
            .render(claim=claim, neighbours=near, principal=person)
        )
    forms = re.findall(r'<form method="post" action="([^"]+)"', html)
    assert forms.count(f"/claims/{tram}/span") == 4
    assert f"/claims/{tram}/split" in forms and f"/claims/{tram}/merge" in forms
    merge_fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', html.split("span-merge")[1]))
    response = browser.post(f"/claims/{tram}/merge", data=merge_fields)
    assert response.status_code == 303, response.text
    assert stored(db, article["claims"][2]).status == "dismissed"


def test_every_page_loads_the_selection_script(login: Login, article: dict[str, Any]) -> None:
    browser = login("researcher")
    page = browser.get(f"/articles/{article['id']}")
    assert '<script src="http://testserver/static/select.js" defer>' in page.text
    script = browser.get("/static/select.js")
    assert script.status_code == 200 and "data-new-claim" in script.text
