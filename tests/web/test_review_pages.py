"""The review screen through the real app: every write as a plain form post (no JavaScript),
htmx fragments, conflicts that keep the person's input, and the live-changes poller."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from claimdesk.core.sources_records import SourceRecord
from claimdesk.services import sources
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, Evidence, Verdict
from tests.factories import ingest_article

Browser = Callable[[str], TestClient]


def _desk(db: Database) -> tuple[int, int]:
    with db.session(write=True) as s:
        result = ingest_article(s)
        sources.import_records(
            s,
            [
                SourceRecord(
                    external_id="minutes",
                    title="Council minutes, 3 March 2026",
                    text="The city council approved a budget of 11.9 million euros on "
                    "3 March 2026, not 12.5 million.",
                    url="https://example.org/minutes",
                )
            ],
            collection="library",
            actor=SYSTEM,
        )
        return result.article.id, result.claims[0].id  # type: ignore[return-value]


def _row_version(db: Database, claim_id: int) -> int:
    with db.session() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None
        return claim.row_version


def _post(browser: TestClient, url: str, **data: object) -> str:
    response = browser.post(url, data=data)
    assert response.status_code == 303, response.text[:2000]
    return response.headers["location"]


def test_a_claim_goes_from_new_to_published_with_plain_forms(db: Database, login: Browser) -> None:
    article_id, claim_id = _desk(db)
    reviewer, editor = login("reviewer"), login("editor")
    panel = f"/articles/{article_id}/claims/{claim_id}"
    page = reviewer.get(panel)
    assert 'name="q"' in page.text and "Council minutes, 3 March 2026" in page.text
    source_id = int(re.search(r'name="source_id" value="(\d+)"', page.text).group(1))  # type: ignore[union-attr]

    assert (
        _post(
            reviewer,
            f"/claims/{claim_id}/actions",
            action="start",
            row_version=_row_version(db, claim_id),
        )
        == panel
    )
    _post(
        reviewer,
        f"/claims/{claim_id}/evidence",
        source_id=source_id,
        stance="refutes",
        note="The minutes give 11.9 million.",
        row_version=_row_version(db, claim_id),
    )
    # proposing without a rationale is refused in words, with the chosen label kept
    refused = reviewer.post(
        f"/claims/{claim_id}/actions",
        data={
            "action": "propose",
            "label": "False",
            "rationale": "",
            "row_version": _row_version(db, claim_id),
        },
    )
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and "rationale" in refused.text.lower()
    assert re.search(r'value="False"\s+data-key="\d"\s+checked', refused.text)
    _post(
        reviewer,
        f"/claims/{claim_id}/actions",
        action="propose",
        label="False",
        rationale="The council minutes record 11.9 million euros.",
        row_version=_row_version(db, claim_id),
    )
    _post(
        editor,
        f"/claims/{claim_id}/actions",
        action="return",
        comment="Quote the minutes' page number.",
        row_version=_row_version(db, claim_id),
    )
    _post(
        reviewer,
        f"/claims/{claim_id}/actions",
        action="propose",
        label="False",
        rationale="Minutes, page 4: the approved budget was 11.9 million euros.",
        row_version=_row_version(db, claim_id),
    )
    _post(
        editor,
        f"/claims/{claim_id}/actions",
        action="approve",
        row_version=_row_version(db, claim_id),
    )
    _post(
        editor,
        f"/claims/{claim_id}/actions",
        action="publish",
        row_version=_row_version(db, claim_id),
    )

    with db.session() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None and claim.status == "published"
        evidence = s.exec(Evidence.__table__.select().where(Evidence.claim_id == claim_id)).all()  # type: ignore[attr-defined]
        assert [(e.state, e.stance) for e in evidence] == [("confirmed", "refutes")]
        states = sorted(v.state for v in s.exec(Verdict.__table__.select()).all())  # type: ignore[attr-defined]
        assert states == ["published", "returned"]
    history = reviewer.get(panel).text.split('id="history"')[1]
    for step in ("start", "evidence linked", "propose", "return", "approve", "publish"):
        assert step in history.replace("_", " "), step
    assert "reviewer@desk.test" in history and "editor@desk.test" in history


def test_a_stale_form_gets_409_with_who_and_the_input_kept(db: Database, login: Browser) -> None:
    _article_id, claim_id = _desk(db)
    first, second = login("reviewer"), login("editor")
    version = _row_version(db, claim_id)
    _post(
        second,
        f"/claims/{claim_id}/edit",
        statement="Edited by the editor.",
        claimant="",
        row_version=version,
    )
    stale = first.post(
        f"/claims/{claim_id}/edit",
        data={
            "statement": "My careful rewording.",
            "claimant": "The council",
            "row_version": version,
        },
    )
    assert stale.status_code == 409
    assert "editor@desk.test changed this claim" in stale.text
    assert ">My careful rewording.</textarea>" in stale.text
    assert 'value="The council"' in stale.text
    with db.session() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None and claim.statement == "Edited by the editor."


def test_htmx_gets_the_panel_and_search_gets_its_results(db: Database, login: Browser) -> None:
    article_id, claim_id = _desk(db)
    reviewer = login("reviewer")
    htmx = {"HX-Request": "true"}
    fragment = reviewer.post(
        f"/claims/{claim_id}/comments", data={"body": "Checking the minutes."}, headers=htmx
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section id="claim-detail"')
    assert "Checking the minutes." in fragment.text
    assert fragment.headers["vary"] == "HX-Request"
    results = reviewer.get(
        f"/articles/{article_id}/claims/{claim_id}?q=approved+budget+minutes",
        headers={**htmx, "HX-Target": "source-results"},
    )
    assert results.text.lstrip().startswith('<div id="source-results">')
    assert "<mark>" in results.text and "Council minutes" in results.text


def test_the_live_poller_reports_other_peoples_changes(db: Database, login: Browser) -> None:
    article_id, claim_id = _desk(db)
    reviewer, editor = login("reviewer"), login("editor")

    def poll(since: int = 0) -> str:
        version = _row_version(db, claim_id) if since == 0 else 0
        url = f"/articles/{article_id}/changes?since={since}&claim={claim_id}"
        return reviewer.get(f"{url}&row_version={version}").text

    assert "Someone else changed" not in poll() and "live-note" not in poll()
    _post(reviewer, f"/claims/{claim_id}/comments", body="mine")
    assert "live-note" not in poll()  # one's own changes are not news
    seen = _row_version(db, claim_id)
    _post(editor, f"/claims/{claim_id}/actions", action="start", row_version=seen)
    news = reviewer.get(
        f"/articles/{article_id}/changes?since=0&claim={claim_id}&row_version={seen}"
    ).text
    assert "Someone else changed this claim" in news
    assert "editor@desk.test" in news and 'data-status="in_review"' in news
    advanced = int(re.search(r"since=(\d+)", news).group(1))  # type: ignore[union-attr]
    later = reviewer.get(f"/articles/{article_id}/changes?since={advanced}").text
    assert "live-note" not in later


def test_researchers_read_the_panel_but_cannot_write(db: Database, login: Browser) -> None:
    article_id, claim_id = _desk(db)
    researcher = login("researcher")
    page = researcher.get(f"/articles/{article_id}/claims/{claim_id}")
    assert page.status_code == 200 and "Propose verdict" not in page.text
    refused = researcher.post(
        f"/claims/{claim_id}/actions",
        data={"action": "start", "row_version": _row_version(db, claim_id)},
    )
    assert refused.status_code == 403
    assert _row_version(db, claim_id) == 1
