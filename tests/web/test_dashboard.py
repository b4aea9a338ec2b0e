"""The dashboard page and its CSVs on both databases: counts on a desk with claims in every
status, each claim counted once by its current verdict; researchers and reviewers never
count unpublished verdicts; hostile names escaped in the page and defused in the CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import col

from claimdesk.core.extraction import ClaimSpan, Extraction
from claimdesk.core.workflow import Status
from claimdesk.services import articles, evidence, review
from claimdesk.services.dashboard import CHARTS
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, Verdict
from tests.factories import add_source
from tests.research_desk import ResearchDesk, build

HOSTILE_PUBLISHER = '=HYPERLINK("http://evil.test")<b>bold</b>'
HOSTILE_CLAIMANT = '<img src=x onerror="alert(1)"> Dr. Evil'
EXTRA_TEXT = (
    "The mayor said the river is cleaner than ever. "
    "The port handled 9 million tonnes last year. "
    "Unemployment fell to 4 percent. "
    "Rents doubled in ten years."
)
FERRY_CREATED = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
FERRY_PUBLISHED = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # late: the month is UTC's


def _spans(names: list[str]) -> list[ClaimSpan]:
    sentences = [s + "." for s in EXTRA_TEXT.rstrip(".").split(". ")]
    spans = []
    for name, sentence in zip(names, sentences, strict=True):
        start = EXTRA_TEXT.index(sentence)
        who = HOSTILE_CLAIMANT if name == "corrected" else None
        spans.append(ClaimSpan(start, start + len(sentence), sentence, sentence, who, 0.9, ()))
    return spans


def _desk(db: Database) -> ResearchDesk:
    """The research desk (budget: False published, then Mostly false approved; tram:
    Unverifiable proposed by the second reviewer; wonderful: new; ferry: Unverifiable
    published, in January 2026), plus a hostile publisher's article with ``corrected``
    (Unverifiable published, corrected to False and published: the first is superseded),
    ``returned``, ``dismissed`` and ``in_review``."""
    with db.session(write=True) as s:
        desk = build(s)
        names = ["corrected", "returned", "dismissed", "in_review"]
        extra = Extraction(
            title="Extra",
            text=EXTRA_TEXT,
            claims=_spans(names),
            metadata={"publisher": HOSTILE_PUBLISHER},
        )
        result = articles.ingest(s, extraction=extra, actor=SYSTEM, min_score=0.0)
        for name, claim in zip(names, result.claims, strict=True):
            desk.claims[name] = int(claim.id)  # type: ignore[arg-type]
        source = add_source(s, url="https://council.test/dashboard")
        evidence.link_evidence(
            s,
            claim_id=desk.claims["corrected"],
            source_id=source,
            stance="refutes",
            principal=desk.reviewer,
        )
        why = "A rationale long enough for the desk."
        desk.act("corrected", "start", desk.reviewer)
        desk.act("corrected", "propose", desk.reviewer, label="Unverifiable", rationale=why)
        desk.act("corrected", "approve", desk.editor)
        desk.act("corrected", "publish", desk.editor)
        desk.act("corrected", "correct", desk.reviewer, label="False", rationale=why)
        desk.act("corrected", "approve", desk.editor)
        desk.act("corrected", "publish", desk.editor)
        desk.act("returned", "start", desk.reviewer)
        desk.act("returned", "propose", desk.reviewer, label="Unverifiable", rationale=why)
        desk.act("returned", "return", desk.editor, comment="Needs a source.")
        desk.act("dismissed", "dismiss", desk.reviewer, comment="Not check-worthy.")
        desk.act("in_review", "start", desk.reviewer)
        ferry = desk.claims["ferry"]
        s.exec(
            update(Claim).where(col(Claim.id) == ferry).values(created_at=FERRY_CREATED)  # type: ignore[call-overload]
        )
        s.exec(
            update(Verdict)
            .where(col(Verdict.claim_id) == ferry)
            .values(  # type: ignore[call-overload]
                proposed_at=FERRY_CREATED, approved_at=FERRY_CREATED, published_at=FERRY_PUBLISHED
            )
        )
        s.commit()
        statuses = {review.get_claim_detail(s, cid).claim.status for cid in desk.claims.values()}
        assert statuses == {status.value for status in Status}
        return desk


@pytest.fixture
def desk(db: Database) -> ResearchDesk:
    return _desk(db)


def _csv(client: TestClient, chart: str) -> list[list[str]]:
    response = client.get(f"/dashboard/{chart}.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        f'attachment; filename="claimdesk-{chart}-'
    )
    return list(csv.reader(io.StringIO(response.text)))


def _table(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header, *body = rows
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in body}


NOW_MONTH = datetime.now(UTC).strftime("%Y-%m")


def test_editors_count_each_claims_current_verdict_work_in_progress_included(
    desk: ResearchDesk, login: Callable[[str], TestClient]
) -> None:
    editor = login("editor")
    months = _table(_csv(editor, "verdicts-by-month"))
    order = list(months)
    assert (order[0], order[-1]) == ("2026-01", NOW_MONTH)
    assert len(order) == int(NOW_MONTH[5:]) + 12 * (int(NOW_MONTH[:4]) - 2026)  # no gaps
    assert months["2026-01"] == {
        "Mostly false": "0",
        "False": "0",
        "Unverifiable": "1",
        "Total": "1",
    }
    now = months[NOW_MONTH]
    assert (now["Mostly false"], now["False"], now["Unverifiable"], now["Total"]) == (
        "1",
        "1",
        "1",
        "3",
    )
    assert sum(int(row["Total"]) for row in months.values()) == 4  # returned etc. left out
    publishers = _table(_csv(editor, "verdicts-by-publisher"))
    assert publishers["Gazette"] == {
        "False": "0",
        "Mostly false": "1",
        "Unverifiable": "1",
        "Total": "2",
    }
    assert publishers["Herald"]["Unverifiable"] == "1"
    assert publishers["'" + HOSTILE_PUBLISHER] == {
        "False": "1",
        "Mostly false": "0",
        "Unverifiable": "0",
        "Total": "1",
    }
    claimants = _table(_csv(editor, "verdicts-by-claimant"))
    assert {k: v["Total"] for k, v in claimants.items()} == {
        "Councillor Ana Ruiz": "1",
        "Harbour Board": "1",
        HOSTILE_CLAIMANT: "1",
    }
    assert claimants[HOSTILE_CLAIMANT]["False"] == "1"
    throughput = _table(_csv(editor, "reviewer-throughput"))
    assert throughput == {
        "reviewer@review.test": {"Proposed": "3", "Approved": "0"},
        "editor@review.test": {"Proposed": "0", "Approved": "3"},
        "second@review.test": {"Proposed": "1", "Approved": "0"},
    }
    days = _table(_csv(editor, "time-to-verdict"))
    assert days["0"]["Claims"] == "3" and days["15–30"]["Claims"] == "1"
    assert sum(int(v["Claims"]) for v in days.values()) == 4


@pytest.mark.parametrize("role", ["researcher", "reviewer"])
def test_researchers_and_reviewers_count_published_verdicts_only(
    role: str, desk: ResearchDesk, login: Callable[[str], TestClient]
) -> None:
    client = login(role)
    months = _table(_csv(client, "verdicts-by-month"))
    assert months["2026-01"]["Unverifiable"] == "1"
    now = months[NOW_MONTH]
    assert (now["False"], now["Total"]) == ("2", "2")  # budget's and the correction's
    assert "Mostly false" not in months[NOW_MONTH]  # approved, not published
    publishers = _table(_csv(client, "verdicts-by-publisher"))
    assert publishers["Gazette"] == {"False": "1", "Unverifiable": "0", "Total": "1"}
    assert publishers["'" + HOSTILE_PUBLISHER]["False"] == "1"
    claimants = _table(_csv(client, "verdicts-by-claimant"))
    assert set(claimants) == {"Harbour Board", HOSTILE_CLAIMANT}  # tram's is unpublished
    throughput = _table(_csv(client, "reviewer-throughput"))
    assert throughput == {
        "editor@review.test": {"Proposed": "0", "Approved": "3"},
        "reviewer@review.test": {"Proposed": "3", "Approved": "0"},
    }
    days = _table(_csv(client, "time-to-verdict"))
    assert (days["0"]["Claims"], days["15–30"]["Claims"]) == ("2", "1")
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Mostly false" not in page.text
    assert "second@review.test" not in page.text
    assert "Published verdicts only." in page.text


def test_page_draws_every_chart_escaped_without_inline_styles(
    desk: ResearchDesk, login: Callable[[str], TestClient]
) -> None:
    page = login("editor").get("/dashboard")
    assert page.status_code == 200
    html = page.text
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == len(CHARTS)
    assert html.count('role="img"') == len(CHARTS)
    for chart in CHARTS:
        assert f'href="/dashboard/{chart}.csv"' in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<img" not in html and "&lt;img src=x" in html
    assert not re.search(r"\sstyle=", html)
    assert "<details" in html and "The numbers" in html
    assert '<a href="/dashboard">Dashboard</a>' in html
    assert "content-security-policy" in page.headers


def test_csv_cells_a_spreadsheet_would_run_are_defused(
    desk: ResearchDesk, login: Callable[[str], TestClient]
) -> None:
    rows = _csv(login("researcher"), "verdicts-by-publisher")
    assert rows[0] == ["Publisher", "False", "Unverifiable", "Total"]
    cells = [row[0] for row in rows[1:]]
    assert "'" + HOSTILE_PUBLISHER in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for row in rows for c in row)


def test_an_unknown_chart_is_404_and_changes_nothing(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    client = login("researcher")
    for name in ("nope", "verdicts-by-month.csv", "VERDICTS-BY-MONTH", "%3Cscript%3E"):
        response = client.get(f"/dashboard/{name}.csv")
        assert response.status_code == 404, name
        assert "There is no chart called" in response.text
    assert client.get("/dashboard/verdicts-by-month").status_code == 404


def test_an_empty_desk_says_no_data_yet(db: Database, login: Callable[[str], TestClient]) -> None:
    client = login("editor")
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert page.text.count("No data yet") == len(CHARTS)
    assert "<svg" not in page.text
    for chart in CHARTS:
        rows = _csv(client, chart)
        if chart == "time-to-verdict":  # fixed ranges: every one is there, at 0
            assert {row[1] for row in rows[1:]} == {"0"}
        else:
            assert len(rows) == 1
