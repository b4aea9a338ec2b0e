"""Claim editing on both databases: create from a selection, adjust, split and merge; the
spans stay exact, the optimistic lock holds, approved claims keep their span, events are
written."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text as sql
from sqlmodel import Session, col, func, select

from claimdesk.core.match_text import terms
from claimdesk.core.scoring import score_text
from claimdesk.core.spans import SpanRefused
from claimdesk.core.workflow import ActionRefused, RoleNotAllowed
from claimdesk.services import claim_edit, review
from claimdesk.services.accounts import Principal
from claimdesk.services.claim_changes import StaleClaim
from claimdesk.services.claim_edit import VersionNotFound
from claimdesk.store.database import Database
from claimdesk.store.models import ArticleVersion, Claim, ClaimTag, Comment, Event
from tests.factories import ARTICLE_TEXT, add_person, ingest_article

WHY = "The adopted budget lists 12.5 million euros, dated 3 March 2026."


class Desk:
    """The council article (three claims), a reviewer and an editor, in one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        result = ingest_article(session)
        self.article_id = int(result.article.id)  # type: ignore[arg-type]
        self.version_id = int(result.version.id)  # type: ignore[arg-type]
        self.claims = [int(c.id) for c in result.claims]  # type: ignore[arg-type]
        self.reviewer = add_person(session, "reviewer")
        self.editor = add_person(session, "editor")

    def claim(self, claim_id: int) -> Claim:
        found = self.session.get(Claim, claim_id, populate_existing=True)
        assert found is not None
        return found

    def events(self, claim_id: int) -> list[Event]:
        query = (
            select(Event)
            .where(Event.entity_type == "claim", Event.entity_id == claim_id)
            .order_by(col(Event.id))
        )
        return list(self.session.exec(query))

    def count(self, model: Any) -> int:
        return self.session.exec(select(func.count()).select_from(model)).one()

    def create(self, quote: str, start: int | None = None, **given: Any) -> Claim:
        at = ARTICLE_TEXT.index(quote) if start is None else start
        return claim_edit.create_claim(
            self.session,
            version_id=self.version_id,
            start=at,
            end=at + len(quote),
            quote=quote,
            principal=given.pop("principal", self.reviewer),
            **given,
        )

    def act(self, claim_id: int, action: str, who: Principal, **given: Any) -> None:
        review.act(
            self.session,
            claim_id=claim_id,
            action=action,
            row_version=self.claim(claim_id).row_version,
            principal=who,
            **given,
        )

    def approve(self, claim_id: int) -> None:
        self.act(claim_id, "start", self.reviewer)
        self.act(claim_id, "propose", self.reviewer, label="Unverifiable", rationale=WHY)
        self.act(claim_id, "approve", self.editor)


@pytest.fixture
def desk(db: Database) -> Iterator[Desk]:
    with db.session(write=True) as s:
        yield Desk(s)


def exact(claim: Claim, text: str = ARTICLE_TEXT) -> None:
    assert text[claim.start : claim.end] == claim.quote
    assert claim.quote == claim.quote.strip() and claim.quote
    assert claim.prefix == text[max(0, claim.start - 32) : claim.start]
    assert claim.suffix == text[claim.end : claim.end + 32]


def indexed(statement: str) -> str:
    return " ".join(terms(statement))


def indexed_statement_terms(session: Session, claim_id: int) -> str | None:
    key = "rowid" if session.get_bind().dialect.name == "sqlite" else "claim_id"
    row = session.connection().execute(
        sql(f"SELECT terms FROM claim_fts WHERE {key} = :id"),
        {"id": claim_id},
    )
    found = row.first()
    return str(found[0]) if found else None


def test_create_claim_from_a_selection(desk: Desk) -> None:
    quote = "Councillor Ana Ruiz said"
    at = ARTICLE_TEXT.index(quote)
    claim = claim_edit.create_claim(
        desk.session,
        version_id=desk.version_id,
        start=at - 2,  # the selection took the blank line before it
        end=at + len(quote) + 1,
        quote=ARTICLE_TEXT[at - 2 : at + len(quote) + 1],
        principal=desk.reviewer,
        article_id=desk.article_id,
    )
    exact(claim)
    assert (claim.start, claim.quote, claim.statement) == (at, quote, quote)
    assert (claim.status, claim.row_version, claim.article_id) == ("new", 1, desk.article_id)
    assert claim.score == pytest.approx(score_text(quote).value)
    assert claim.reasons == list(score_text(quote).reasons)
    [event] = desk.events(int(claim.id))  # type: ignore[arg-type]
    assert (event.action, event.actor_label) == ("created", "reviewer@review.test")
    assert event.after is not None and event.after["quote"] == quote
    assert indexed_statement_terms(desk.session, int(claim.id)) == indexed(quote)  # type: ignore[arg-type]


def test_create_claim_finds_the_quote_when_the_offsets_are_off(desk: Desk) -> None:
    text = "The rate rose 5%. Later the rate rose 5% again. It rose 5% once more."
    version = ArticleVersion(article_id=desk.article_id, number=2, text=text, content_hash="x")
    desk.session.add(version)
    desk.session.flush()
    repeats = [i for i in range(len(text)) if text.startswith("rose 5%", i)]
    claim = claim_edit.create_claim(
        desk.session,
        version_id=int(version.id),  # type: ignore[arg-type]
        start=repeats[1] + 5,  # counted differently by the page
        end=repeats[1] + 12,
        quote="rose 5%",
        principal=desk.reviewer,
    )
    assert (claim.start, claim.end) == (repeats[1], repeats[1] + 7)
    exact(claim, text)


@pytest.mark.parametrize(
    ("quote", "start", "error", "says"),
    [
        ("The city council refused", 0, SpanRefused, "not in this version"),
        ("   ", 0, SpanRefused, "only spaces"),
    ],
)
def test_create_claim_refuses_a_quote_not_in_the_text(
    desk: Desk, quote: str, start: int, error: type[Exception], says: str
) -> None:
    claims, events = desk.count(Claim), desk.count(Event)
    with pytest.raises(error, match=says):
        desk.create(quote, start)
    assert (desk.count(Claim), desk.count(Event)) == (claims, events)


def test_create_claim_refusals(desk: Desk, db: Database) -> None:
    claims = desk.count(Claim)
    with pytest.raises(RoleNotAllowed):
        desk.create("Ana Ruiz", principal=add_person(desk.session, "researcher"))
    with pytest.raises(ActionRefused, match=f"already claim {desk.claims[2]}"):
        desk.create("What a wonderful day for the city.")
    with pytest.raises(VersionNotFound):
        desk.create("Ana Ruiz", article_id=desk.article_id + 1)
    too_long = "x " * 3000
    version = ArticleVersion(
        article_id=desk.article_id, number=3, text=too_long, content_hash="long"
    )
    desk.session.add(version)
    desk.session.flush()
    with pytest.raises(SpanRefused, match="at most 5,000"):
        claim_edit.create_claim(
            desk.session,
            version_id=int(version.id),  # type: ignore[arg-type]
            quote=too_long,
            start=0,
            end=len(too_long),
            principal=desk.reviewer,
        )
    assert desk.count(Claim) == claims


def test_adjust_span_by_a_word_and_the_statement_follows(desk: Desk) -> None:
    tram = desk.claims[1]  # "the new tram line will cost 40% more than planned"
    claim = claim_edit.adjust_span(
        desk.session,
        claim_id=tram,
        row_version=1,
        principal=desk.reviewer,
        edge="start",
        direction=-1,
    )
    exact(claim)
    assert claim.quote == "said the new tram line will cost 40% more than planned"
    assert claim.statement == claim.quote and claim.row_version == 2
    assert indexed_statement_terms(desk.session, tram) == indexed(claim.statement)
    [event] = desk.events(tram)
    assert event.action == "span_changed" and event.before is not None
    assert event.before["quote"] == "the new tram line will cost 40% more than planned"
    # an edited statement stays as the person wrote it
    review.edit_claim(
        desk.session, claim_id=tram, row_version=2, principal=desk.reviewer, statement="Tram +40%"
    )
    start = ARTICLE_TEXT.index("the new tram")
    claim = claim_edit.adjust_span(
        desk.session,
        claim_id=tram,
        row_version=3,
        principal=desk.reviewer,
        start=start - 1,
        end=start + len("the new tram line"),
    )
    exact(claim)
    assert (claim.quote, claim.statement) == ("the new tram line", "Tram +40%")


def test_a_stale_row_version_changes_nothing_and_says_who(desk: Desk) -> None:
    tram = desk.claims[1]
    desk.act(tram, "start", desk.editor)  # row_version 2 now
    before = desk.claim(tram).model_dump()
    events = desk.count(Event)
    calls = [
        lambda: claim_edit.adjust_span(
            desk.session,
            claim_id=tram,
            row_version=1,
            principal=desk.reviewer,
            edge="end",
            direction=-1,
        ),
        lambda: claim_edit.split_claim(
            desk.session,
            claim_id=tram,
            row_version=1,
            at=before["start"] + 8,
            principal=desk.reviewer,
        ),
        lambda: claim_edit.merge_claims(
            desk.session,
            claim_id=desk.claims[0],
            other_id=tram,
            row_version=1,
            other_row_version=1,
            principal=desk.reviewer,
        ),
    ]
    for call in calls:
        with pytest.raises(StaleClaim) as stale:
            call()
        assert stale.value.changed_by == "editor@review.test"
        assert stale.value.changed_at is not None and stale.value.row_version == 2
    assert desk.claim(tram).model_dump() == before
    assert desk.claim(desk.claims[0]).row_version == 1
    assert desk.count(Event) == events and desk.count(Claim) == 3


def test_approved_and_published_claims_keep_their_span(desk: Desk) -> None:
    budget = desk.claims[0]
    desk.approve(budget)
    version = desk.claim(budget).row_version
    with pytest.raises(ActionRefused, match="approved"):
        claim_edit.adjust_span(
            desk.session,
            claim_id=budget,
            row_version=version,
            principal=desk.editor,
            edge="end",
            direction=-1,
        )
    with pytest.raises(ActionRefused, match="approved"):
        claim_edit.split_claim(
            desk.session, claim_id=budget, row_version=version, at=10, principal=desk.editor
        )
    with pytest.raises(ActionRefused, match="approved"):
        claim_edit.merge_claims(
            desk.session,
            claim_id=desk.claims[1],
            other_id=budget,
            row_version=1,
            other_row_version=version,
            principal=desk.editor,
        )
    assert desk.claim(budget).row_version == version
    assert desk.count(Claim) == 3


def test_split_keeps_the_first_part_and_makes_the_second_a_claim(desk: Desk) -> None:
    budget = desk.claims[0]
    review.add_tag(desk.session, claim_id=budget, name="Budget", principal=desk.reviewer)
    at = ARTICLE_TEXT.index(" on 3 March")
    first, second = claim_edit.split_claim(
        desk.session, claim_id=budget, row_version=2, at=at, principal=desk.reviewer
    )
    exact(first)
    exact(second)
    assert first.quote == "The city council approved a budget of 12.5 million euros"
    assert second.quote == "on 3 March 2026."
    assert (first.id, first.row_version, first.statement) == (budget, 3, first.quote)
    assert (second.status, second.row_version, second.statement) == ("new", 1, second.quote)
    assert second.version_id == first.version_id
    tags = select(ClaimTag.claim_id).where(col(ClaimTag.claim_id).in_([budget, second.id]))
    assert sorted(desk.session.exec(tags)) == sorted([budget, second.id])
    split_event = desk.events(budget)[-1]
    assert split_event.action == "split" and split_event.after is not None
    assert split_event.after["new_claim_id"] == second.id
    [created] = desk.events(int(second.id))  # type: ignore[arg-type]
    assert created.action == "created" and created.after is not None
    assert created.after["split_from"] == budget
    with pytest.raises(SpanRefused, match="between"):
        claim_edit.split_claim(
            desk.session, claim_id=budget, row_version=3, at=0, principal=desk.reviewer
        )


def test_merge_covers_both_and_dismisses_the_other(desk: Desk) -> None:
    budget, tram = desk.claims[0], desk.claims[1]
    review.add_tag(desk.session, claim_id=tram, name="transport", principal=desk.reviewer)
    merged = claim_edit.merge_claims(
        desk.session,
        claim_id=tram,
        other_id=budget,
        row_version=2,
        other_row_version=1,
        principal=desk.reviewer,
    )
    exact(merged)
    assert merged.start == 0 and merged.quote.endswith("more than planned")
    assert merged.statement == merged.quote and merged.row_version == 3
    absorbed = desk.claim(budget)
    assert (absorbed.status, absorbed.row_version) == ("dismissed", 2)
    assert absorbed.quote.startswith("The city council approved")  # kept as it was
    comment = desk.session.exec(select(Comment).where(Comment.claim_id == budget)).one()
    assert comment.body == f"Merged into claim {tram}."
    assert desk.events(tram)[-1].action == "merged"
    assert [e.action for e in desk.events(budget)] == ["dismiss"]
    # the dismissed claim cannot be merged again, nor a claim into itself
    with pytest.raises(ActionRefused, match=f"Claim {budget} cannot be merged away"):
        claim_edit.merge_claims(
            desk.session,
            claim_id=desk.claims[2],
            other_id=budget,
            row_version=1,
            other_row_version=2,
            principal=desk.reviewer,
        )
    with pytest.raises(ActionRefused, match="itself"):
        claim_edit.merge_claims(
            desk.session,
            claim_id=tram,
            other_id=tram,
            row_version=3,
            other_row_version=3,
            principal=desk.reviewer,
        )


def test_merge_refuses_claims_of_different_versions(desk: Desk) -> None:
    text = ARTICLE_TEXT + "\n\nA later paragraph says 7 buses were bought."
    version = ArticleVersion(article_id=desk.article_id, number=2, text=text, content_hash="v2")
    desk.session.add(version)
    desk.session.flush()
    quote = "7 buses were bought."
    later = claim_edit.create_claim(
        desk.session,
        version_id=int(version.id),  # type: ignore[arg-type]
        quote=quote,
        start=text.index(quote),
        end=text.index(quote) + len(quote),
        principal=desk.reviewer,
    )
    with pytest.raises(ActionRefused, match="different versions"):
        claim_edit.merge_claims(
            desk.session,
            claim_id=desk.claims[0],
            other_id=int(later.id),  # type: ignore[arg-type]
            row_version=1,
            other_row_version=1,
            principal=desk.reviewer,
        )
    assert desk.claim(desk.claims[0]).row_version == 1


def test_two_people_selecting_the_same_words_at_once_make_one_claim(db: Database) -> None:
    quote = "Councillor Ana Ruiz said"
    with db.session(write=True) as s:
        version_id = int(ingest_article(s).version.id)  # type: ignore[arg-type]
        people = [add_person(s, "reviewer", f"r{n}@review.test") for n in range(6)]
    at = ARTICLE_TEXT.index(quote)
    start = threading.Barrier(len(people))
    outcomes: list[str] = []

    def select_words(person: Principal) -> None:
        with db.session(write=True) as s:
            start.wait()
            try:
                claim_edit.create_claim(
                    s,
                    version_id=version_id,
                    start=at,
                    end=at + len(quote),
                    quote=quote,
                    principal=person,
                )
                outcomes.append("created")
            except ActionRefused:
                outcomes.append("refused")

    threads = [threading.Thread(target=select_words, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created"] + ["refused"] * (len(people) - 1)
    with db.session() as s:
        same = s.exec(
            select(func.count(col(Claim.id))).where(
                Claim.version_id == version_id, Claim.start == at, Claim.end == at + len(quote)
            )
        ).one()
        assert same == 1
