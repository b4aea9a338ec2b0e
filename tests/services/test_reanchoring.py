"""Re-anchoring on both databases: when an article is ingested again with changed text, its
claims move to the new version on the right words (or become orphans), keep their
verdicts, evidence and comments, get an event each, and the re-extraction adds no
duplicates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, col, select

from claimdesk.core.extraction import Extraction
from claimdesk.services import articles, evidence, review
from claimdesk.services.claim_changes import StaleClaim
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, Comment, Event, Verdict
from tests.factories import add_person, span

URL = "https://gazette.test/council"
BUDGET = "The city council approved a budget of 12.5 million euros on 3 March 2026."
TRAM = "the new tram line will cost 40% more than planned"
MAY = "Unemployment rose to 5.1% in May"
JUNE = "Unemployment rose to 5.4% in June"
DAY = "What a wonderful day for the city."
OLD = (
    f"{BUDGET}\n\n"
    f"Councillor Ana Ruiz said {TRAM}.\n\n"
    f"{MAY}, the statistics office said. {JUNE}, the statistics office said.\n\n"
    f"{DAY}"
)
BUDGET_NOW = "The city council approved a budget of 13 million euros on 3 March 2026."
MEETING = "Officials met on Monday to discuss the 2027 transport budget."
NEW = (
    "Correction: an earlier version of this story misstated the budget. "
    f"{MEETING}\n\n"
    f"{BUDGET_NOW}\n\n"
    f"Councillor Ana Ruiz said {TRAM}.\n\n"
    f"{JUNE}, the statistics office said.\n\n"
    f"{DAY}"
)
WHY = "The adopted budget lists the amount, dated 3 March 2026."


def extraction(text: str) -> Extraction:
    """What the extractor finds in ``text``: each sentence-like claim that is there."""
    quotes = [BUDGET, BUDGET_NOW, MEETING, TRAM, MAY, JUNE, DAY]
    found = [span(text, q, 0.8) for q in quotes]
    return Extraction(title="Council", text=text, claims=[c for c in found if c is not None])


class Story:
    """The council story, reviewed: the budget claim approved, evidence on June, a comment
    on the tram claim; then the story is corrected."""

    def __init__(self, session: Session) -> None:
        self.session = session
        first = articles.ingest(session, extraction=extraction(OLD), actor=SYSTEM, url=URL)
        self.article_id = first.article.id
        self.first_version = first.version.id
        self.ids = {c.quote: int(c.id) for c in first.claims}  # type: ignore[arg-type]
        assert set(self.ids) == {BUDGET, TRAM, MAY, JUNE, DAY}
        self.reviewer = add_person(session, "reviewer")
        self.editor = add_person(session, "editor")
        budget = self.ids[BUDGET]
        self.act(budget, "start", self.reviewer)
        self.act(budget, "propose", self.reviewer, label="Unverifiable", rationale=WHY)
        self.act(budget, "approve", self.editor)
        evidence.link_url_evidence(
            session,
            claim_id=self.ids[JUNE],
            url="https://stats.test/june",
            title="June labour figures",
            stance="supports",
            principal=self.reviewer,
        )
        review.add_comment(
            session, claim_id=self.ids[TRAM], body="Ask the council.", principal=self.reviewer
        )
        self.before = {i: self.claim(i).row_version for i in self.ids.values()}

    def claim(self, claim_id: int) -> Claim:
        found = self.session.get(Claim, claim_id, populate_existing=True)
        assert found is not None
        return found

    def act(self, claim_id: int, action: str, who: object, **given: object) -> None:
        review.act(
            self.session,
            claim_id=claim_id,
            action=action,
            row_version=self.claim(claim_id).row_version,
            principal=who,  # type: ignore[arg-type]
            **given,  # type: ignore[arg-type]
        )

    def correct(self, text: str = NEW) -> articles.IngestResult:
        return articles.ingest(self.session, extraction=extraction(text), actor=SYSTEM, url=URL)


@pytest.fixture
def story(db: Database) -> Iterator[Story]:
    with db.session(write=True) as s:
        yield Story(s)


def test_a_corrected_article_keeps_every_surviving_claim_on_its_words(story: Story) -> None:
    result = story.correct()
    assert result.created and result.version.number == 2
    text = result.version.text
    expected = {BUDGET: BUDGET_NOW, TRAM: TRAM, JUNE: JUNE, DAY: DAY}
    for old_quote, new_quote in expected.items():
        claim = story.claim(story.ids[old_quote])
        assert claim.version_id == result.version.id
        assert text[claim.start : claim.end] == claim.quote == new_quote
        assert claim.prefix == text[max(0, claim.start - 32) : claim.start]
        assert claim.suffix == text[claim.end : claim.end + 32]
        assert claim.row_version == story.before[claim.id] + 1  # type: ignore[index]
    states = {q: story.claim(story.ids[q]).anchor_state for q in expected}
    assert states == {BUDGET: "changed", TRAM: "moved", JUNE: "moved", DAY: "moved"}


def test_the_deleted_sentences_claim_is_an_orphan_with_its_old_quote(story: Story) -> None:
    result = story.correct()
    may = story.claim(story.ids[MAY])
    assert (may.anchor_state, may.start, may.end) == ("orphaned", 0, 0)
    assert may.quote == MAY and may.statement == MAY
    assert may.version_id == result.version.id  # still listed with the article
    assert may.prefix == OLD[OLD.index(MAY) - 32 : OLD.index(MAY)]
    view = articles.get_article(story.session, story.article_id)  # type: ignore[arg-type]
    assert may.id in {c.id for c in view.claims}


def test_verdicts_evidence_comments_and_statuses_survive(story: Story) -> None:
    story.correct()
    budget = story.claim(story.ids[BUDGET])
    assert budget.status == "approved"
    assert budget.statement == BUDGET  # the statement is what was checked; it stays
    verdicts = story.session.exec(select(Verdict).where(Verdict.claim_id == budget.id)).all()
    assert [v.state for v in verdicts] == ["approved"]
    linked = evidence.evidence_of(story.session, story.ids[JUNE])
    assert [e.source_title for e in linked] == ["June labour figures"]
    comments = story.session.exec(select(Comment).where(Comment.claim_id == story.ids[TRAM]))
    assert [c.body for c in comments] == ["Ask the council."]


def test_each_claim_gets_an_event_with_its_spans_before_and_after(story: Story) -> None:
    result = story.correct()
    for quote, claim_id in story.ids.items():
        event = story.session.exec(
            select(Event)
            .where(Event.entity_type == "claim", Event.entity_id == claim_id)
            .order_by(col(Event.id).desc())
        ).first()
        assert event is not None
        assert event.action == ("orphaned" if quote == MAY else "reanchored")
        assert event.before is not None and event.after is not None
        assert event.before["version_id"] == story.first_version
        assert event.before["quote"] == quote
        assert (event.before["start"], event.before["end"]) == (
            OLD.index(quote),
            OLD.index(quote) + len(quote),
        )
        assert event.after["version_id"] == result.version.id
        claim = story.claim(claim_id)
        assert (event.after["start"], event.after["end"]) == (claim.start, claim.end)
        assert event.after["anchor_state"] == claim.anchor_state
        assert event.after["row_version"] == claim.row_version
    article_event = story.session.exec(
        select(Event).where(Event.entity_type == "article").order_by(col(Event.id).desc())
    ).first()
    assert article_event is not None and article_event.after is not None
    assert (article_event.after["reanchored"], article_event.after["orphaned"]) == (4, 1)


def test_the_re_extraction_adds_only_claims_on_new_words(story: Story) -> None:
    result = story.correct()
    on_new = story.session.exec(select(Claim).where(Claim.version_id == result.version.id)).all()
    assert len(on_new) == 6  # the five carried over and the new sentence's claim
    spans = [(c.start, c.end) for c in on_new if c.anchor_state != "orphaned"]
    assert len(spans) == len(set(spans))
    [fresh] = [c for c in on_new if c.id not in story.ids.values()]
    assert (fresh.quote, fresh.anchor_state, fresh.status) == (MEETING, "anchored", "new")
    assert {c.id for c in result.claims} == {c.id for c in on_new}
    first = story.session.exec(select(Claim).where(Claim.version_id == story.first_version))
    assert first.all() == []  # nothing is left behind on the old version


def test_a_reviewer_working_on_the_old_version_gets_a_conflict(story: Story) -> None:
    seen = story.claim(story.ids[TRAM]).row_version
    story.correct()
    with pytest.raises(StaleClaim):
        review.act(
            story.session,
            claim_id=story.ids[TRAM],
            action="start",
            row_version=seen,
            principal=story.reviewer,
        )


def test_an_orphan_whose_words_come_back_is_anchored_again(story: Story) -> None:
    story.correct()
    third = story.correct(OLD.replace("12.5 million", "13 million"))
    may = story.claim(story.ids[MAY])
    assert may.version_id == third.version.id
    assert may.anchor_state == "moved"
    assert third.version.text[may.start : may.end] == MAY
    claims = story.session.exec(select(Claim).where(Claim.version_id == third.version.id)).all()
    assert sorted(c.quote for c in claims).count(MAY) == 1  # not extracted a second time
