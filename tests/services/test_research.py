"""The research query layer on both databases: each filter, sorts, pages, counts, and what
a researcher may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from claimdesk.core import research as rules
from claimdesk.core.research import CursorError, FilterError
from claimdesk.services import research
from claimdesk.store.database import Database
from tests.research_desk import DRAFT, ResearchDesk, build

TODAY = datetime.now(UTC).date()
YESTERDAY = str(TODAY - timedelta(days=1))
ALL = {"budget", "tram", "wonderful", "ferry"}

# filters -> (what an editor finds, what a researcher finds), written out by hand
CASES: list[tuple[dict[str, Any], set[str], set[str]]] = [
    ({}, ALL, ALL),
    ({"q": "tram line"}, {"tram"}, {"tram"}),
    ({"q": "Harbour PASSENGERS"}, {"ferry"}, {"ferry"}),
    ({"q": "tram harbour"}, set(), set()),
    ({"q": "the of"}, ALL, ALL),  # stop words only: nothing to search for
    ({"verdict": "mostly false"}, {"budget"}, set()),
    ({"verdict": "False"}, set(), {"budget"}),
    ({"verdict": "Unverifiable"}, {"tram", "ferry"}, {"ferry"}),
    ({"status": "new"}, {"wonderful"}, {"wonderful"}),
    ({"status": ["new", "published"]}, {"wonderful", "ferry"}, {"wonderful", "ferry"}),
    ({"status": "proposed,approved"}, {"tram", "budget"}, {"tram", "budget"}),
    ({"publisher": "  herald "}, {"ferry"}, {"ferry"}),
    ({"publisher": "Gazette"}, {"budget", "tram", "wonderful"}, {"budget", "tram", "wonderful"}),
    ({"claimant": "councillor ana ruiz"}, {"tram"}, {"tram"}),
    ({"reviewer": "second@review.test"}, {"tram"}, set()),
    ({"reviewer": "Reviewer@Review.test"}, {"budget", "ferry"}, {"budget", "ferry"}),
    ({"tag": "TRANSPORT"}, {"tram", "ferry"}, {"tram", "ferry"}),
    ({"tag": "opinion"}, {"wonderful"}, {"wonderful"}),
    ({"article": "gazette"}, {"budget", "tram", "wonderful"}, {"budget", "tram", "wonderful"}),
    ({"since": str(TODAY)}, {"budget", "tram", "ferry"}, {"budget", "ferry"}),
    ({"until": YESTERDAY}, set(), set()),
    ({"since": YESTERDAY, "until": str(TODAY)}, {"budget", "tram", "ferry"}, {"budget", "ferry"}),
    ({"claimed_since": "2025-06-01"}, {"ferry"}, {"ferry"}),
    ({"claimed_until": "2025-05-31"}, set(), set()),
    ({"tag": "transport", "publisher": "gazette"}, {"tram"}, {"tram"}),
]


@pytest.fixture
def desk(db: Database) -> ResearchDesk:
    with db.session() as s:
        return build(s)


def _names(desk: ResearchDesk, session: Session, role: str, **given: Any) -> set[str]:
    if "article" in given:
        given["article"] = desk.articles[given["article"]]
    filters = rules.build_filters(**given)
    page = research.list_claims(session, filters, role=role, limit=500)
    by_id = {v: k for k, v in desk.claims.items()}
    return {by_id[int(i.claim.id or 0)] for i in page.items}


@pytest.mark.parametrize(("given", "editor", "researcher"), CASES)
def test_each_filter(
    db: Database, desk: ResearchDesk, given: dict[str, Any], editor: set[str], researcher: set[str]
) -> None:
    with db.session() as s:
        assert _names(desk, s, "editor", **given) == editor
        assert _names(desk, s, "researcher", **given) == researcher
        assert _names(desk, s, "reviewer", **given) == researcher  # as on the dashboard


def test_researchers_see_only_published_verdicts(db: Database, desk: ResearchDesk) -> None:
    with db.session() as s:
        items = research.list_claims(s, rules.ClaimFilters(), role="researcher").items
        shown = {i.claim.id: i for i in items}
        budget = shown[desk.claims["budget"]]
        assert budget.verdict is not None and budget.verdict.label == "False"
        assert budget.verdict.state == "published"
        assert budget.verdict.rationale == "Published budget rationale"
        assert shown[desk.claims["tram"]].verdict is None
        for item in items:
            for v in (item.verdict, item.published_verdict):
                assert v is None or (v.state == "published" and DRAFT not in v.rationale)

        staff = {
            i.claim.id: i
            for i in research.list_claims(s, rules.ClaimFilters(), role="editor").items
        }
        seen = staff[desk.claims["budget"]]
        assert seen.verdict is not None and seen.verdict.label == "Mostly false"
        assert seen.verdict.state == "approved"
        assert seen.published_verdict is not None and seen.published_verdict.label == "False"
        tram = staff[desk.claims["tram"]]
        assert tram.verdict is not None and tram.verdict.proposer == "second@review.test"
        assert tram.tags == ["transport"] and tram.claimant == "Councillor Ana Ruiz"
        assert staff[desk.claims["ferry"]].publisher == "Herald"


def test_stats_count_what_each_role_may_see(db: Database, desk: ResearchDesk) -> None:
    with db.session() as s:
        mine = research.stats(s, role="researcher")
        staff = research.stats(s, role="admin")
    statuses = {"approved": 1, "proposed": 1, "new": 1, "published": 1}
    assert mine.claims == staff.claims == 4
    assert mine.by_status == staff.by_status == statuses
    assert mine.by_verdict == {"False": 1, "Unverifiable": 1}
    assert staff.by_verdict == {"Mostly false": 1, "Unverifiable": 2}


def test_facets_count_the_matching_claims(db: Database, desk: ResearchDesk) -> None:
    month = TODAY.strftime("%Y-%m")
    with db.session() as s:
        mine = research.facet_counts(s, rules.ClaimFilters(), role="researcher")
        staff = research.facet_counts(s, rules.build_filters(tag="transport"), role="editor")
    assert mine["verdict"] == [("False", 1), ("Unverifiable", 1)]
    assert mine["month"] == [(month, 2)]
    assert mine["publisher"] == [("Gazette", 3), ("Herald", 1)]
    assert mine["tag"] == [("transport", 2), ("opinion", 1)]
    assert mine["claimant"] == [("Councillor Ana Ruiz", 1), ("Harbour Board", 1)]
    assert staff["verdict"] == [("Unverifiable", 2)]
    assert staff["status"] == [("proposed", 1), ("published", 1)]
    assert staff["month"] == [(month, 2)]


def test_sorts_and_pages(db: Database, desk: ResearchDesk) -> None:
    c = desk.claims
    with db.session() as s:

        def walk(sort: str) -> list[int]:
            seen, cursor = [], None
            while True:
                page = research.list_claims(
                    s, rules.ClaimFilters(), role="editor", sort=sort, limit=1, cursor=cursor
                )
                seen += [int(i.claim.id or 0) for i in page.items]
                if page.next_cursor is None:
                    return seen
                cursor = page.next_cursor

        assert walk("score") == [c["budget"], c["tram"], c["ferry"], c["wonderful"]]
        assert walk("oldest") == sorted(c.values())  # ingested in id order
        assert walk("newest") == sorted(c.values(), reverse=True)
        every = list(research.iter_claims(s, rules.ClaimFilters(), role="editor", page_size=3))
        assert [int(i.claim.id or 0) for i in every] == sorted(c.values(), reverse=True)


def test_articles_are_paged_with_their_claim_counts(db: Database, desk: ResearchDesk) -> None:
    with db.session() as s:
        first = research.list_articles(s, limit=1)
        assert first.next_cursor is not None
        second = research.list_articles(s, limit=1, cursor=first.next_cursor)
    assert second.next_cursor is None
    (herald,), (gazette,) = first.items, second.items
    assert herald.article.publisher == "Herald" and (herald.claims, herald.published_claims) == (
        1,
        1,
    )
    assert (gazette.claims, gazette.published_claims) == (3, 0)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"status": "pending"}, "Unknown status 'pending'"),
        ({"since": "2026-13-01"}, "since date must be a date like 2026-03-31"),
        ({"until": "yesterday"}, "until date must be a date"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "ends (2026-03-01) before it starts"),
        ({"article": "12a"}, "article must be an article id"),
        ({"article": "0"}, "article must be an article id"),
        ({"tag": "a\x00b"}, "cannot hold a NUL"),
        ({"q": "x" * 501}, "too long (at most 500"),
    ],
)
def test_bad_filters_are_refused_in_words(given: dict[str, Any], says: str) -> None:
    with pytest.raises(FilterError) as refused:
        rules.build_filters(**given)
    assert says in str(refused.value)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "WyJuZXdlc3QiXQ",  # ["newest"]
        rules.encode_cursor(rules.PageCursor("score", 0.5, 3)),  # another sort
        rules.encode_cursor(rules.PageCursor("newest", 0.5, 3)),  # a key of the wrong kind
        "eyJhIjoxfQ",  # {"a":1}
        "x" * 401,
    ],
)
def test_a_cursor_not_ours_is_refused(db: Database, cursor: str) -> None:
    with db.session() as s, pytest.raises(CursorError):
        research.list_claims(s, rules.ClaimFilters(), role="editor", sort="newest", cursor=cursor)


def test_sort_and_limit_are_checked(db: Database) -> None:
    with db.session() as s:
        with pytest.raises(FilterError, match="Unknown sort 'random'"):
            research.list_claims(s, rules.ClaimFilters(), role="editor", sort="random")
        with pytest.raises(FilterError, match="from 1 to 500"):
            research.list_claims(s, rules.ClaimFilters(), role="editor", limit=501)
