"""The review queue: counts by status, filters, paging, assigning, My work and /next."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import col, select

from claimdesk.services import accounts, articles, queue, review
from claimdesk.services.accounts import Principal
from claimdesk.services.events import SYSTEM
from claimdesk.services.queue import QueueFilters
from claimdesk.store.database import Database
from claimdesk.store.models import Assignment, Claim, Event
from tests.factories import ARTICLE_TEXT, make_extraction

Login = Callable[[str], TestClient]


def _article(db: Database, n: int = 0, *, publisher: str = "Gazette") -> tuple[int, list[int]]:
    """An article of three claims (in reading order), made through the real ingest path."""
    extraction = make_extraction(f"{ARTICLE_TEXT}\n\nEdition {n}.", title=f"Budget {n}")
    extraction = dataclasses.replace(extraction, metadata={"publisher": publisher})
    with db.session(write=True) as s:
        result = articles.ingest(s, extraction=extraction, actor=SYSTEM, min_score=0.0)
        ids = [c.id for c in sorted(result.claims, key=lambda c: c.start)]
        return int(result.article.id), [int(i) for i in ids if i is not None]  # type: ignore[arg-type]


def _person(db: Database, role: str) -> Principal:
    with db.session() as s:
        user = accounts.get_user(s, f"{role}@desk.test")
        assert user.id is not None
        return Principal(user.id, user.email, user.role, via="session", credential_id=0)


def _act(db: Database, who: Principal, claim_id: int, action: str, **given: str) -> None:
    with db.session(write=True) as s:
        version = s.get(Claim, claim_id).row_version  # type: ignore[union-attr]
        review.act(s, claim_id=claim_id, action=action, row_version=version, principal=who, **given)


def _claim(db: Database, claim_id: int) -> Claim:
    with db.session() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None
        s.expunge(claim)
        return claim


def _row(html: str, article_id: int) -> str:
    found = re.search(rf'<tr id="article-{article_id}">(.*?)</tr>', html, re.S)
    assert found, f"article {article_id} is not in the queue"
    return found.group(1)


def _listed(db: Database, filters: QueueFilters) -> list[int]:
    with db.session() as s:
        return [int(r.article.id) for r in queue.queue_page(s, filters).rows]  # type: ignore[arg-type]


def test_counts_by_status_and_progress_follow_the_actions(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    article_id, (first, second, third) = _article(db)
    reviewer = _person(db, "reviewer")
    browser = login("reviewer")
    before = _row(browser.get("/").text, article_id)
    assert "new <strong>3</strong>" in before
    assert '<progress value="0" max="3"' in before and "0 of 3 done" in before

    _act(db, reviewer, first, "start")
    _act(db, reviewer, second, "dismiss", comment="An opinion, not a checkable claim.")
    row = _row(browser.get("/").text, article_id)
    assert "new <strong>1</strong>" in row
    assert "in review <strong>1</strong>" in row
    assert "dismissed <strong>1</strong>" in row
    assert '<td class="num">3</td>' in row
    assert '<progress value="1" max="3"' in row and "1 of 3 done" in row
    assert third  # still new


def test_each_filter_and_their_combination(db: Database, users: dict[str, str]) -> None:
    gazette, (g1, _, _) = _article(db, 1, publisher="Gazette")
    courier, _ = _article(db, 2, publisher="Courier")
    quiet, _ = _article(db, 3, publisher="Gazette")
    reviewer = _person(db, "reviewer")
    _act(db, reviewer, g1, "start")  # in review, and assigned to whoever starts it

    everything = _listed(db, QueueFilters())
    assert everything == [quiet, courier, gazette]  # newest first
    assert _listed(db, QueueFilters(status=queue.Status.IN_REVIEW)) == [gazette]
    assert _listed(db, QueueFilters(publisher="Courier")) == [courier]
    assert _listed(db, QueueFilters(assignee_id=reviewer.user_id)) == [gazette]
    assert _listed(db, QueueFilters(status=queue.Status.NEW, publisher="Gazette")) == [
        quiet,
        gazette,
    ]
    assert _listed(db, QueueFilters(status=queue.Status.IN_REVIEW, publisher="Courier")) == []
    assert _listed(db, QueueFilters(status=queue.Status.DISMISSED)) == []


def test_filters_come_from_the_url_and_stay_in_the_links(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    made = [_article(db, n, publisher="Gazette")[0] for n in range(queue.PER_PAGE + 1)]
    courier, _ = _article(db, 999, publisher="Courier")
    browser = login("editor")

    first = browser.get("/?status=new&publisher=Gazette")
    assert first.status_code == 200
    assert f'id="article-{courier}"' not in first.text
    assert first.text.count('<tr id="article-') == queue.PER_PAGE
    assert "Page 1 of 2" in first.text
    assert 'href="/?status=new&amp;publisher=Gazette&amp;page=2"' in first.text
    assert 'name="next" value="/?status=new&amp;publisher=Gazette"' in first.text
    assert '<option value="Gazette" selected>' in first.text

    second = browser.get("/?status=new&publisher=Gazette&page=2")
    assert second.text.count('<tr id="article-') == 1
    assert f'id="article-{made[0]}"' in second.text  # the oldest is on the last page
    assert 'href="/?status=new&amp;publisher=Gazette&amp;page=1"' in second.text
    assert "Page 2 of 2" in browser.get("/?publisher=Gazette&page=99").text  # past the end

    refused = browser.get("/?status=finished")
    assert refused.status_code == 422
    assert "Unknown status" in refused.text


def test_htmx_gets_the_queue_block_and_a_browser_the_whole_page(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    article_id, _ = _article(db)
    browser = login("reviewer")
    page = browser.get("/?status=new")
    fragment = browser.get("/?status=new", headers={"HX-Request": "true"})
    assert page.headers["vary"] == fragment.headers["vary"] == "HX-Request"
    assert "<html" in page.text and 'hx-trigger="change"' in page.text
    assert 'hx-push-url="true"' in page.text and 'hx-target="#queue"' in page.text
    assert "<html" not in fragment.text and "queue-filters" not in fragment.text
    assert fragment.text.strip().startswith('<div id="queue"')
    assert f'id="article-{article_id}"' in fragment.text


def _assignments(db: Database, claim_id: int) -> list[Assignment]:
    with db.session() as s:
        rows = list(
            s.exec(
                select(Assignment)
                .where(Assignment.claim_id == claim_id)
                .order_by(col(Assignment.id))
            )
        )
        for row in rows:
            s.expunge(row)
        return rows


def _events(db: Database, entity_type: str, entity_id: int) -> list[Event]:
    """The assignment events of one claim or article, oldest first."""
    with db.session() as s:
        rows = list(
            s.exec(
                select(Event)
                .where(Event.entity_type == entity_type, Event.entity_id == entity_id)
                .where(col(Event.action).in_(("assigned", "unassigned")))
                .order_by(col(Event.id))
            )
        )
        for row in rows:
            s.expunge(row)
        return rows


def test_an_editor_assigns_a_claim_without_javascript(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    _, (claim_id, _, _) = _article(db)
    reviewer, editor = _person(db, "reviewer"), _person(db, "editor")
    browser = login("editor")
    version = _claim(db, claim_id).row_version

    sent = browser.post(
        f"/claims/{claim_id}/assign",
        data={"user_id": str(reviewer.user_id), "next": "/?status=new&page=1"},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/?status=new&page=1"
    claim = _claim(db, claim_id)
    assert claim.assignee_id == reviewer.user_id
    assert claim.row_version == version + 1
    (first,) = _assignments(db, claim_id)
    assert (first.user_id, first.assigned_by_id, first.ended_at) == (
        reviewer.user_id,
        editor.user_id,
        None,
    )

    browser.post(f"/claims/{claim_id}/assign", data={"user_id": str(editor.user_id)})
    ended, current = _assignments(db, claim_id)
    assert ended.ended_at is not None and current.ended_at is None
    assert current.user_id == editor.user_id
    assert _claim(db, claim_id).row_version == version + 2
    gone = browser.post(
        f"/claims/{claim_id}/assign", data={"user_id": "", "next": "https://evil.test/"}
    )
    assert gone.headers["location"] == "/"  # only our own pages
    assert _claim(db, claim_id).assignee_id is None
    assert all(a.ended_at is not None for a in _assignments(db, claim_id))
    actions = [(e.action, e.actor_label, e.after) for e in _events(db, "claim", claim_id)]
    assert actions == [
        ("assigned", "editor@desk.test", {"assignee_id": reviewer.user_id}),
        ("assigned", "editor@desk.test", {"assignee_id": editor.user_id}),
        ("unassigned", "editor@desk.test", {"assignee_id": None}),
    ]


def test_a_reviewer_takes_work_only_for_themselves(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    _, (mine, theirs, _) = _article(db)
    reviewer, editor = _person(db, "reviewer"), _person(db, "editor")
    browser = login("reviewer")

    taken = browser.post(f"/claims/{mine}/assign", data={"user_id": str(reviewer.user_id)})
    assert taken.status_code == 303
    assert _claim(db, mine).assignee_id == reviewer.user_id

    to_other = browser.post(f"/claims/{theirs}/assign", data={"user_id": str(editor.user_id)})
    assert to_other.status_code == 403
    assert "an editor assigns work to others" in to_other.text
    login("editor").post(f"/claims/{theirs}/assign", data={"user_id": str(editor.user_id)})
    version = _claim(db, theirs).row_version
    taking = browser.post(f"/claims/{theirs}/assign", data={"user_id": str(reviewer.user_id)})
    assert taking.status_code == 403
    assert "assigned to someone else" in taking.text
    assert _claim(db, theirs).row_version == version  # refused: nothing changed
    assert _claim(db, theirs).assignee_id == editor.user_id
    assert len(_events(db, "claim", theirs)) == 1

    back = browser.post(f"/claims/{mine}/assign", data={"user_id": "", "next": "/?mine=1"})
    assert back.headers["location"] == "/?mine=1"
    assert _claim(db, mine).assignee_id is None


def test_work_goes_only_to_people_who_review(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    _, (claim_id, _, _) = _article(db)
    researcher = _person(db, "researcher")
    browser = login("admin")
    for value in (str(researcher.user_id), "999999", "me"):
        refused = browser.post(f"/claims/{claim_id}/assign", data={"user_id": value})
        assert refused.status_code == 422, value
    assert _claim(db, claim_id).assignee_id is None
    assert _assignments(db, claim_id) == []


def test_assigning_an_article_gives_its_unassigned_open_claims(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    article_id, (free, held, dropped) = _article(db)
    reviewer, editor = _person(db, "reviewer"), _person(db, "editor")
    _act(db, editor, held, "start")  # now assigned to the editor
    _act(db, editor, dropped, "dismiss", comment="Not a claim.")
    versions = {c: _claim(db, c).row_version for c in (free, held, dropped)}
    browser = login("editor")

    sent = browser.post(
        f"/articles/{article_id}/assign",
        data={"user_id": str(reviewer.user_id), "next": "/?publisher=Gazette"},
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/?publisher=Gazette"
    assert _claim(db, free).assignee_id == reviewer.user_id
    assert _claim(db, free).row_version == versions[free] + 1
    assert _claim(db, held).assignee_id == editor.user_id  # kept its reviewer
    assert _claim(db, dropped).assignee_id is None  # done: not handed out
    assert _claim(db, held).row_version == versions[held]
    assert [a.user_id for a in _assignments(db, free)] == [reviewer.user_id]
    (event,) = _events(db, "article", article_id)
    assert event.action == "assigned"
    assert event.after == {"user_id": reviewer.user_id, "claims": [free]}
    assert _events(db, "claim", free)[-1].action == "assigned"

    row = _row(browser.get("/").text, article_id)
    assert "reviewer@desk.test" in row
    assert "gives its unassigned open claims" in browser.get("/").text

    browser.post(f"/articles/{article_id}/assign", data={"user_id": ""})
    assert [e.action for e in _events(db, "article", article_id)] == ["assigned", "unassigned"]
    assert _claim(db, free).assignee_id == reviewer.user_id  # claims keep their assignee


def test_the_assignee_filter_finds_articles_assigned_as_a_whole(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    article_id, claims = _article(db)
    reviewer, editor = _person(db, "reviewer"), _person(db, "editor")
    for claim_id in claims:  # every claim already held by the editor
        _act(db, editor, claim_id, "start")
    browser = login("reviewer")
    taken = browser.post(f"/articles/{article_id}/assign", data={"user_id": str(reviewer.user_id)})
    assert taken.status_code == 303
    assert all(_claim(db, c).assignee_id == editor.user_id for c in claims)
    assert _listed(db, QueueFilters(assignee_id=reviewer.user_id)) == [article_id]
    assert _listed(db, QueueFilters(assignee_id=editor.user_id)) == [article_id]
    other = login("editor").get(f"/?assignee={editor.user_id}")
    assert f'id="article-{article_id}"' in other.text


def test_assigning_with_htmx_answers_the_queue_block(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    article_id, (claim_id, _, _) = _article(db)
    reviewer = _person(db, "reviewer")
    browser = login("editor")
    htmx = {"HX-Request": "true"}
    block = browser.post(
        f"/articles/{article_id}/assign",
        data={"user_id": str(reviewer.user_id), "next": "/?status=new"},
        headers=htmx,
    )
    assert block.status_code == 200
    assert block.text.strip().startswith('<div id="queue"')
    assert "Article assigned to reviewer@desk.test with 3 open claims." in block.text
    assert 'name="next" value="/?status=new"' in block.text

    refused = browser.post(f"/claims/{claim_id}/assign", data={"user_id": "999999"}, headers=htmx)
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and "There is no user 999999" in refused.text

    elsewhere = browser.post(
        f"/claims/{claim_id}/assign",
        data={"user_id": "", "next": f"/articles/{article_id}/claims/{claim_id}"},
        headers=htmx,
    )
    assert elsewhere.headers["HX-Redirect"] == f"/articles/{article_id}/claims/{claim_id}"


def test_my_work_lists_my_open_claims_oldest_first(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    older, (a1, a2, a3) = _article(db, 1)
    newer, (b1, b2, _) = _article(db, 2)
    reviewer, editor = _person(db, "reviewer"), _person(db, "editor")
    for claim_id in (b1, a2, a1):
        _act(db, reviewer, claim_id, "start")
    _act(db, reviewer, a1, "dismiss", comment="Not check-worthy.")  # done: leaves my work
    _act(db, editor, b2, "start")  # someone else's
    browser = login("reviewer")

    page = browser.get("/?mine=1")
    links = re.findall(r'href="/articles/(\d+)/claims/(\d+)"', page.text)
    assert links == [(str(older), str(a2)), (str(newer), str(b1))]
    assert f"/claims/{a3}" not in page.text
    assert 'aria-current="page">My work' in page.text
    empty = login("admin").get("/?mine=1")
    assert "No open claims are assigned to you" in empty.text


def test_next_opens_my_claims_first_then_unassigned_ones_then_says_all_clear(
    db: Database, login: Login, users: dict[str, str]
) -> None:
    older, (a1, a2, a3) = _article(db, 1)
    newer, (b1, b2, b3) = _article(db, 2)
    reviewer, editor = _person(db, "reviewer"), _person(db, "editor")
    browser = login("reviewer")

    assert browser.get("/next").headers["location"] == f"/articles/{older}/claims/{a1}"
    _act(db, reviewer, b2, "start")  # mine, in a newer article: it comes first
    assert browser.get("/next").headers["location"] == f"/articles/{newer}/claims/{b2}"
    _act(db, reviewer, b2, "dismiss", comment="Duplicate.")
    _act(db, editor, a1, "start")  # held by someone else: skipped
    assert browser.get("/next").headers["location"] == f"/articles/{older}/claims/{a2}"

    for claim_id in (a2, a3, b1, b3):
        _act(db, editor, claim_id, "start")
    done = browser.get("/next")
    assert done.status_code == 303 and done.headers["location"] == "/?all_clear=1"
    assert "Nothing is waiting" in browser.get(done.headers["location"]).text
    assert "<kbd>n</kbd>" in browser.get("/").text
