"""The claim search page /claims on both databases: facets narrow and count, the URL holds
every state, researchers never see work in progress (page, facets, downloads), htmx
fragments, paging and the CSV download."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import col

from claimdesk.services import review
from claimdesk.store.database import Database
from claimdesk.store.models import Claim
from claimdesk.web import research_pages
from tests.research_desk import DRAFT, ResearchDesk, build

Login = Callable[[str], TestClient]


@pytest.fixture
def desk(db: Database) -> ResearchDesk:
    with db.session() as s:
        return build(s)


def _shown(desk: ResearchDesk, html: str) -> set[str]:
    """The names of the claims listed in the results."""
    ids = {int(i) for i in re.findall(r'id="result-(\d+)"', html)}
    return {name for name, cid in desk.claims.items() if cid in ids}


def _facet(html: str, name: str) -> dict[str, tuple[int, str, bool]]:
    """A facet's values: value -> (count, link, selected)."""
    section = re.search(rf'<section class="facet" id="facet-{name}">(.*?)</section>', html, re.S)
    if section is None:
        return {}
    out = {}
    for href, attrs, label, count in re.findall(
        r'<li><a href="([^"]+)"([^>]*)>(.*?)</a> <span class="count">(\d+)</span></li>',
        section.group(1),
    ):
        value = unescape(re.sub(r"<[^>]+>|✓ |Remove filter: ", "", label)).strip()
        out[value] = (int(count), unescape(href), "selected" in attrs)
    return out


def _total(html: str) -> int:
    found = re.search(r'<p class="result-count" role="status"><strong>(\d+)</strong>', html)
    assert found, html
    return int(found.group(1))


# facet -> (value as shown to an editor, claims it holds for an editor)
EDITOR_FACETS = {
    "verdict": ("Mostly false", {"budget"}),
    "status": ("new", {"wonderful"}),
    "publisher": ("Herald", {"ferry"}),
    "claimant": ("Councillor Ana Ruiz", {"tram"}),
    "reviewer": ("second@review.test", {"tram"}),
    "tag": ("transport", {"tram", "ferry"}),
}


@pytest.mark.parametrize("facet", sorted(EDITOR_FACETS))
def test_each_facet_counts_right_and_its_link_narrows(
    db: Database, login: Login, desk: ResearchDesk, facet: str
) -> None:
    editor = login("editor")
    page = editor.get("/claims")
    assert page.status_code == 200
    assert _shown(desk, page.text) == set(desk.claims) and _total(page.text) == 4
    value, expected = EDITOR_FACETS[facet]
    found = _facet(page.text, facet)
    match = {v: c for v, c in found.items() if v.lower() == value.lower()}
    assert match, found
    count, link, selected = next(iter(match.values()))
    assert count == len(expected) and not selected
    narrowed = editor.get(link)
    assert _shown(desk, narrowed.text) == expected
    assert _total(narrowed.text) == len(expected)
    # the chosen value is shown selected, and its link takes the filter off again
    again = next(c for v, c in _facet(narrowed.text, facet).items() if v.lower() == value.lower())
    assert again[0] == len(expected) and again[2]
    assert _shown(desk, editor.get(again[1]).text) == set(desk.claims)


def test_month_facet_and_date_range(db: Database, login: Login, desk: ResearchDesk) -> None:
    editor = login("editor")
    months = _facet(editor.get("/claims").text, "month")
    assert len(months) == 1  # every verdict of the fixture is from this month
    (month, (count, link, _)), *_ = months.items()
    assert count == 3  # budget, tram, ferry carry a verdict
    assert _shown(desk, editor.get(link).text) == {"budget", "tram", "ferry"}
    year = int(month[:4])
    before = editor.get("/claims", params={"until": f"{year - 1}-12-31"})
    assert _shown(desk, before.text) == set() and _total(before.text) == 0
    outside = editor.get("/claims", params={"month": month, "until": f"{year - 1}-12-31"})
    assert _shown(desk, outside.text) == set()


def test_status_facet_toggles_several_values(
    db: Database, login: Login, desk: ResearchDesk
) -> None:
    editor = login("editor")
    one = editor.get(_facet(editor.get("/claims").text, "status")["new"][1])
    two = editor.get(_facet(one.text, "status")["published"][1])
    assert _shown(desk, two.text) == {"wonderful", "ferry"}
    assert sorted(v for k, v in parse_qsl(urlsplit(str(two.url)).query) if k == "status") == [
        "new",
        "published",
    ]
    back = editor.get(_facet(two.text, "status")["new"][1])
    assert _shown(desk, back.text) == {"ferry"}


def test_search_finds_statements_quotes_rationales_and_typos(
    db: Database, login: Login, desk: ResearchDesk
) -> None:
    with db.session(write=True) as s:  # the tram claim's statement no longer holds its quote
        claim = s.get(Claim, desk.claims["tram"])
        assert claim is not None
        review.edit_claim(
            s,
            claim_id=desk.claims["tram"],
            row_version=claim.row_version,
            principal=desk.reviewer,
            statement="Light rail overspend",
            claimant="Councillor Ana Ruiz",
        )
    editor, researcher = login("editor"), login("researcher")
    assert _shown(desk, editor.get("/claims?q=overspend").text) == {"tram"}  # statement
    assert _shown(desk, editor.get("/claims?q=planned+tram").text) == {"tram"}  # quote only
    assert _shown(desk, editor.get("/claims?q=ferry+rationale").text) == {"ferry"}  # rationale
    typo = editor.get("/claims?q=pasengers")  # fuzzy: one letter off
    assert _shown(desk, typo.text) == {"ferry"}
    assert "passenger" in typo.text and "Also matching" in typo.text
    # a researcher finds published rationales, never unpublished ones
    assert _shown(desk, researcher.get("/claims?q=published+ferry").text) == {"ferry"}
    assert _shown(desk, researcher.get("/claims?q=budget+rationale").text) == {"budget"}
    draft = DRAFT.split("-")[0].lower()
    assert _shown(desk, editor.get(f"/claims?q={draft}").text) == {"budget", "tram"}
    assert _shown(desk, researcher.get(f"/claims?q={draft}").text) == set()


def test_researchers_never_see_unpublished_work(
    db: Database, login: Login, desk: ResearchDesk
) -> None:
    researcher = login("researcher")
    page = researcher.get("/claims")
    assert page.status_code == 200 and _total(page.text) == 4
    assert DRAFT not in page.text
    assert "Mostly false" not in page.text and "second@review.test" not in page.text
    verdicts = _facet(page.text, "verdict")
    assert {v: c[0] for v, c in verdicts.items()} == {"False": 1, "Unverifiable": 1}
    assert set(_facet(page.text, "reviewer")) == {"reviewer@review.test"}
    # asking for the unpublished verdict or its reviewer finds nothing
    for params in ({"verdict": "Mostly false"}, {"reviewer": "second@review.test"}):
        found = researcher.get("/claims", params=params)
        assert _shown(desk, found.text) == set() and DRAFT not in found.text
    csv_body = researcher.get("/claims?format=csv").text
    assert DRAFT not in csv_body and "Mostly false" not in csv_body
    assert "Published budget rationale" in csv_body
    json_link = unescape(re.search(r'href="(/api/claims\?[^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    lines = researcher.get(json_link).text.splitlines()
    assert len(lines) == 4 and all(DRAFT not in line for line in lines)
    # an editor sees the work in progress on the same page
    editor_page = login("editor").get("/claims")
    assert DRAFT in editor_page.text and "Mostly false" in editor_page.text


def test_url_state_round_trips(db: Database, login: Login, desk: ResearchDesk) -> None:
    editor = login("editor")
    given = [
        ("q", "tram line"),
        ("tag", "transport"),
        ("publisher", "Gazette"),
        ("since", "2020-01-01"),
        ("status", "proposed"),
        ("sort", "score"),
    ]
    page = editor.get("/claims?" + urlencode(given))
    assert page.status_code == 200
    html = page.text
    assert 'name="q" value="tram line"' in html
    assert '<input type="hidden" name="tag" value="transport">' in html
    assert '<input type="hidden" name="publisher" value="Gazette">' in html
    assert '<input type="hidden" name="status" value="proposed">' in html
    assert 'name="since" value="2020-01-01"' in html
    assert '<option value="score" selected>' in html
    # every facet link keeps the rest of the state
    assert _facet(html, "verdict")
    for _, link, _ in _facet(html, "verdict").values():
        kept = dict(parse_qsl(urlsplit(link).query))
        assert {k: kept[k] for k in ("q", "tag", "publisher", "since", "sort")} == {
            "q": "tram line",
            "tag": "transport",
            "publisher": "Gazette",
            "since": "2020-01-01",
            "sort": "score",
        }
    # downloads carry the same filters
    csv_link = unescape(re.search(r'href="(/claims\?[^"]*format=csv)"', html).group(1))  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(editor.get(csv_link).text)))
    assert [int(r["id"]) for r in rows] == [desk.claims["tram"]]


def test_pages_by_cursor_to_the_end(
    db: Database, login: Login, desk: ResearchDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(research_pages, "PAGE_SIZE", 3)  # four claims: two pages
    researcher = login("researcher")
    seen: list[int] = []
    url: str | None = "/claims?sort=oldest"
    pages = 0
    while url:
        page = researcher.get(url)
        assert page.status_code == 200
        pages += 1
        seen += [int(i) for i in re.findall(r'id="result-(\d+)"', page.text)]
        found = re.search(r'<a class="button" rel="next" href="([^"]+)"', page.text)
        url = unescape(found.group(1)) if found else None
        if url:
            assert "sort=oldest" in url and "cursor=" in url
    assert pages == 2
    assert seen == sorted(desk.claims.values())


def test_htmx_gets_the_fragment_and_a_browser_the_page(
    db: Database, login: Login, desk: ResearchDesk
) -> None:
    editor = login("editor")
    full = editor.get("/claims?tag=transport")
    fragment = editor.get("/claims?tag=transport", headers={"HX-Request": "true"})
    restore = editor.get(
        "/claims?tag=transport",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    for response in (full, fragment, restore):
        assert response.headers["vary"] == "HX-Request"
        assert _shown(desk, response.text) == {"tram", "ferry"}
    assert "<html" in full.text and 'href="/claims">Claims</a>' in full.text
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section class="page claim-search" id="search">')
    assert "<html" in restore.text


def test_csv_download(db: Database, login: Login, desk: ResearchDesk) -> None:
    with db.session(write=True) as s:  # a claimant a spreadsheet would run as a formula
        s.exec(
            update(Claim)
            .where(col(Claim.id) == desk.claims["wonderful"])
            .values(statement="=HYPERLINK(1) wonderful")  # type: ignore[call-overload]
        )
        s.commit()
    editor = login("editor")
    response = editor.get("/claims?format=csv&sort=oldest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["id"]) for r in rows] == sorted(desk.claims.values())
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[desk.claims["wonderful"]]["statement"] == "'=HYPERLINK(1) wonderful"
    budget = by_id[desk.claims["budget"]]
    assert budget["verdict"] == "Mostly false" and budget["verdict_state"] == "approved"
    ferry = by_id[desk.claims["ferry"]]
    assert ferry["publisher"] == "Herald" and ferry["tags"] == "transport"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"status": "lost"}, "Unknown status"),
        ({"since": "yesterday"}, "must be a date"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "ends (2026-01-01) before"),
        ({"month": "2026-13"}, "month like 2026-03"),
        ({"sort": "random"}, "Unknown sort"),
        ({"cursor": "not-ours"}, "cursor"),
        ({"q": "x" * 501}, "too long"),
        ({"q": "a\x00b"}, "NUL"),
        ({"format": "xlsx"}, "Unknown format"),
    ],
)
def test_bad_input_is_said_in_words(
    db: Database, login: Login, desk: ResearchDesk, params: dict[str, Any], words: str
) -> None:
    researcher = login("researcher")
    response = researcher.get("/claims", params=params)
    assert response.status_code == 422
    assert words in unescape(response.text)
    assert 'id="q"' in response.text  # the search form is still there
    json.dumps(params)  # the params were plain values
