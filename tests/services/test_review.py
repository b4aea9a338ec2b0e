"""The review services on both databases: workflow actions, verdicts, evidence, edits,
tags, comments, history and the optimistic lock."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from claimdesk.core.workflow import ActionRefused, RoleNotAllowed
from claimdesk.services import evidence, rating_scale, review
from claimdesk.services.accounts import Principal
from claimdesk.services.claim_changes import ClaimNotFound, StaleClaim
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, Comment, Event, Evidence, Source, Verdict
from tests.factories import add_person, add_source, ingest_article

WHY = "The adopted budget lists 12.5 million euros, dated 3 March 2026."


class People(dict[str, Principal]):
    """role -> a person with that role, made when first asked for (hashing is slow)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def __missing__(self, role: str) -> Principal:
        self[role] = add_person(self.session, role)
        return self[role]


class Desk:
    """A claim, a source and one person per role, in one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.claim_id = int(ingest_article(session).claims[0].id)  # type: ignore[arg-type]
        self.source_id = add_source(session)
        self.people = People(session)

    @property
    def version(self) -> int:
        return review.get_claim_detail(self.session, self.claim_id).claim.row_version

    def act(self, action: str, role: str = "reviewer", **given: Any) -> review.ClaimDetail:
        return review.act(
            self.session,
            claim_id=self.claim_id,
            action=action,
            row_version=self.version,
            principal=self.people[role],
            **given,
        )

    def link(self, stance: str = "refutes", role: str = "reviewer") -> evidence.EvidenceView:
        return evidence.link_evidence(
            self.session,
            claim_id=self.claim_id,
            source_id=self.source_id,
            stance=stance,
            note="Budget line 4",
            principal=self.people[role],
        )

    def count(self, model: Any) -> int:
        return self.session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def desk(db: Database) -> Any:
    with db.session(write=True) as s:
        yield Desk(s)


def _publish_true(desk: Desk) -> review.ClaimDetail:
    desk.link(stance="supports")
    desk.act("start")
    desk.act("propose", label="True", rationale=WHY)
    desk.act("approve", "editor")
    return desk.act("publish", "editor")


def test_start_propose_approve_publish(desk: Desk) -> None:
    desk.link(stance="supports")
    started = desk.act("start")
    assert started.claim.status == "in_review"
    assert started.claim.assignee_id == desk.people["reviewer"].user_id
    proposed = desk.act("propose", label="true", rationale=f"  {WHY} ")
    assert proposed.claim.status == "proposed"
    verdict = proposed.verdict
    assert verdict is not None
    assert (verdict.label, verdict.rating_value, verdict.best_rating, verdict.worst_rating) == (
        "True",
        5,
        5,
        1,
    )
    assert (verdict.rationale, verdict.state, verdict.proposer) == (
        WHY,
        "proposed",
        "reviewer@review.test",
    )
    approved = desk.act("approve", "editor")
    assert approved.verdict is not None and approved.verdict.state == "approved"
    assert approved.verdict.approver == "editor@review.test"
    published = desk.act("publish", "editor")
    assert published.claim.status == "published"
    assert published.verdict == published.published_verdict
    assert published.verdict is not None and published.verdict.published_at is not None
    assert published.claim.row_version == 6  # 1, then one per change: a link and 4 actions


def test_history_lists_each_step_with_actor_and_time(desk: Desk) -> None:
    _publish_true(desk)
    steps = review.history(desk.session, desk.claim_id)
    assert [(s.action, s.actor) for s in steps] == [
        ("evidence_linked", "reviewer@review.test"),
        ("start", "reviewer@review.test"),
        ("propose", "reviewer@review.test"),
        ("approve", "editor@review.test"),
        ("publish", "editor@review.test"),
    ]
    assert all(s.at is not None and s.actor_type == "user" for s in steps)
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    assert steps[2].after is not None and steps[2].after["label"] == "True"
    assert [s.after["row_version"] for s in steps if s.after] == [2, 3, 4, 5, 6]
    assert steps[3].before == {"status": "proposed"}


def test_a_stale_row_version_changes_nothing_and_says_who_and_when(desk: Desk) -> None:
    desk.act("start", "editor")
    reviewer = desk.people["reviewer"]
    versions, events = desk.version, desk.count(Event)
    with pytest.raises(StaleClaim) as stale:
        review.act(
            desk.session,
            claim_id=desk.claim_id,
            action="propose",
            row_version=versions - 1,
            principal=reviewer,
            label="Unverifiable",
            rationale=WHY,
        )
    assert stale.value.changed_by == "editor@review.test"
    assert stale.value.changed_at is not None
    assert stale.value.row_version == versions
    assert "editor@review.test" in stale.value.message
    detail = review.get_claim_detail(desk.session, desk.claim_id)
    assert (detail.claim.status, detail.claim.row_version, detail.verdicts) == (
        "in_review",
        versions,
        [],
    )
    assert desk.count(Event) == events


def test_unknown_label_and_missing_rationale_are_refused(desk: Desk) -> None:
    desk.act("start")
    with pytest.raises(ActionRefused, match=r"no label 'Pants on fire'.*Unverifiable"):
        desk.act("propose", label="Pants on fire", rationale=WHY)
    with pytest.raises(ActionRefused, match="rationale"):
        desk.act("propose", label="Unverifiable", rationale="  ")
    with pytest.raises(ActionRefused, match="too long"):
        desk.act("propose", label="Unverifiable", rationale="x" * (review.MAX_RATIONALE + 1))
    assert desk.count(Verdict) == 0
    assert review.get_claim_detail(desk.session, desk.claim_id).claim.status == "in_review"


def test_roles_are_checked_by_the_service_too(desk: Desk) -> None:
    desk.act("start")
    desk.act("propose", label="Unverifiable", rationale=WHY)
    with pytest.raises(RoleNotAllowed, match="reviewer"):
        desk.act("approve", "reviewer")
    with pytest.raises(RoleNotAllowed):
        desk.link(role="researcher")
    with pytest.raises(RoleNotAllowed):
        review.add_comment(
            desk.session, claim_id=desk.claim_id, body="hi", principal=desk.people["researcher"]
        )


def test_a_label_needing_evidence_needs_confirmed_evidence(desk: Desk) -> None:
    desk.act("start")
    with pytest.raises(ActionRefused, match="needs evidence"):
        desk.act("propose", label="False", rationale=WHY)
    suggested = evidence.suggest_evidence(
        desk.session, claim_id=desk.claim_id, source_id=desk.source_id, score=0.7
    )
    assert suggested is not None and suggested.state == "suggested"
    with pytest.raises(ActionRefused, match="needs evidence"):
        desk.act("propose", label="False", rationale=WHY)
    evidence.reject_evidence(
        desk.session,
        claim_id=desk.claim_id,
        evidence_id=suggested.id,
        principal=desk.people["reviewer"],
    )
    with pytest.raises(ActionRefused, match="needs evidence"):
        desk.act("propose", label="False", rationale=WHY)
    confirmed = evidence.confirm_evidence(
        desk.session,
        claim_id=desk.claim_id,
        evidence_id=suggested.id,
        stance="refutes",
        principal=desk.people["reviewer"],
    )
    assert (confirmed.state, confirmed.stance) == ("confirmed", "refutes")
    assert desk.act("propose", label="False", rationale=WHY).claim.status == "proposed"


def test_unverifiable_needs_no_evidence(desk: Desk) -> None:
    desk.act("start")
    assert desk.act("propose", label="Unverifiable", rationale=WHY).verdict is not None


def test_return_keeps_the_verdict_and_the_reviewer_may_propose_again(desk: Desk) -> None:
    desk.act("start")
    first = desk.act("propose", label="Unverifiable", rationale=WHY).verdict
    with pytest.raises(ActionRefused, match="comment"):
        desk.act("return", "editor")
    returned = desk.act("return", "editor", comment="Cite the budget page.")
    assert returned.claim.status == "returned"
    assert [v.state for v in returned.verdicts] == ["returned"]
    assert returned.comments[-1].body == "Cite the budget page."
    assert returned.comments[-1].author == "editor@review.test"
    again = desk.act("propose", label="Unverifiable", rationale=WHY + " Page 4.")
    assert [v.state for v in again.verdicts] == ["returned", "proposed"]
    assert first is not None and again.verdict is not None and again.verdict.id != first.id


def test_a_correction_supersedes_and_both_verdicts_stay(desk: Desk) -> None:
    old = _publish_true(desk).published_verdict
    assert old is not None
    with pytest.raises(ActionRefused, match="correct"):
        desk.act("propose", label="Mostly true", rationale=WHY)
    correcting = desk.act("correct", label="Mostly true", rationale="The date was 4 March.")
    assert correcting.claim.status == "proposed"
    assert correcting.verdict is not None and correcting.verdict.supersedes_id == old.id
    assert correcting.published_verdict == old  # the public still sees the old one
    desk.act("approve", "editor")
    done = desk.act("publish", "editor")
    assert [(v.label, v.state) for v in done.verdicts] == [
        ("True", "superseded"),
        ("Mostly true", "published"),
    ]
    assert done.published_verdict is not None and done.published_verdict.label == "Mostly true"
    actions = [s.action for s in review.history(desk.session, desk.claim_id)]
    assert actions[-3:] == ["correct", "approve", "publish"]


def test_dismiss_needs_a_reason_and_reopen_brings_it_back_in_review(desk: Desk) -> None:
    with pytest.raises(ActionRefused, match="reason"):
        desk.act("dismiss")
    dismissed = desk.act("dismiss", comment="An opinion, not a claim.")
    assert dismissed.claim.status == "dismissed"
    assert dismissed.comments[-1].body == "An opinion, not a claim."
    reopened = desk.act("reopen", "editor")
    assert reopened.claim.status == "in_review"
    assert reopened.claim.assignee_id == desk.people["editor"].user_id


def test_linking_evidence(desk: Desk) -> None:
    linked = desk.link()
    assert (linked.state, linked.stance, linked.note) == ("confirmed", "refutes", "Budget line 4")
    assert linked.created_by == "reviewer@review.test"
    assert linked.source_title == "Council budget 2026"
    with pytest.raises(ActionRefused, match="already evidence"):
        desk.link()
    with pytest.raises(ActionRefused, match="Unknown stance"):
        evidence.link_evidence(
            desk.session,
            claim_id=desk.claim_id,
            source_id=desk.source_id,
            stance="agrees",
            principal=desk.people["reviewer"],
        )
    with pytest.raises(ActionRefused, match="no source 999999"):
        evidence.link_evidence(
            desk.session,
            claim_id=desk.claim_id,
            source_id=999999,
            stance="context",
            principal=desk.people["reviewer"],
        )
    assert desk.count(Evidence) == 1
    with pytest.raises(ClaimNotFound):
        evidence.link_evidence(
            desk.session,
            claim_id=999999,
            source_id=desk.source_id,
            stance="context",
            principal=desk.people["reviewer"],
        )


def test_rejected_evidence_is_kept_and_no_longer_suggested(desk: Desk) -> None:
    made = evidence.suggest_evidence(
        desk.session, claim_id=desk.claim_id, source_id=desk.source_id, score=0.5
    )
    assert made is not None
    rejected = evidence.reject_evidence(
        desk.session,
        claim_id=desk.claim_id,
        evidence_id=made.id,
        note="Different budget year.",
        principal=desk.people["reviewer"],
    )
    assert (rejected.state, rejected.note) == ("rejected", "Different budget year.")
    again = evidence.suggest_evidence(
        desk.session, claim_id=desk.claim_id, source_id=desk.source_id
    )
    assert again is None
    assert [e.state for e in review.get_claim_detail(desk.session, desk.claim_id).evidence] == [
        "rejected"
    ]
    with pytest.raises(evidence.EvidenceNotFound):
        evidence.reject_evidence(
            desk.session, claim_id=desk.claim_id, evidence_id=999999, principal=desk.people["admin"]
        )


def test_a_url_not_in_the_library_becomes_a_linked_source(desk: Desk) -> None:
    url = "https://stats.test/trams/2026"
    linked = evidence.link_url_evidence(
        desk.session,
        claim_id=desk.claim_id,
        url=url,
        title="Tram cost report",
        stance="context",
        principal=desk.people["reviewer"],
    )
    source = desk.session.get(Source, linked.source_id)
    assert source is not None
    assert (source.collection, source.url, source.title, source.text) == (
        "linked",
        url,
        "Tram cost report",
        "",
    )
    other_claim = int(
        desk.session.exec(
            select(Claim.id).where(col(Claim.id) != desk.claim_id).order_by(col(Claim.id))
        ).first()
        or 0
    )
    second = evidence.link_url_evidence(
        desk.session,
        claim_id=other_claim,
        url=url,
        title="Another title",
        stance="supports",
        principal=desk.people["editor"],
    )
    assert second.source_id == linked.source_id  # the library's source is reused
    library = evidence.link_url_evidence(
        desk.session,
        claim_id=other_claim,
        url="https://council.test/budget-2026",
        title="ignored",
        stance="supports",
        principal=desk.people["editor"],
    )
    assert library.source_id == desk.source_id
    for bad, message in [
        ("javascript:alert(1)", "http"),
        ("https://x.test/a b", "spaces"),
        ("https://x.test/" + "a" * 2000, "too long"),
    ]:
        with pytest.raises(ActionRefused, match=message):
            evidence.link_url_evidence(
                desk.session,
                claim_id=desk.claim_id,
                url=bad,
                title="t",
                stance="context",
                principal=desk.people["reviewer"],
            )
    with pytest.raises(ActionRefused, match="title is missing"):
        evidence.link_url_evidence(
            desk.session,
            claim_id=desk.claim_id,
            url="https://x.test/new",
            title=" ",
            stance="context",
            principal=desk.people["reviewer"],
        )


def test_edit_claim_statement_and_claimant(desk: Desk) -> None:
    edited = review.edit_claim(
        desk.session,
        claim_id=desk.claim_id,
        row_version=desk.version,
        principal=desk.people["reviewer"],
        statement="The council approved a 12.5 million euro budget.",
        claimant="City  Council",
    )
    assert edited.claim.statement == "The council approved a 12.5 million euro budget."
    assert edited.claimant == "City Council"
    cleared = review.edit_claim(
        desk.session,
        claim_id=desk.claim_id,
        row_version=desk.version,
        principal=desk.people["reviewer"],
        claimant="",
    )
    assert cleared.claimant is None
    with pytest.raises(ActionRefused, match="statement is missing"):
        review.edit_claim(
            desk.session,
            claim_id=desk.claim_id,
            row_version=desk.version,
            principal=desk.people["reviewer"],
            statement="   ",
        )
    _publish_true(desk)
    with pytest.raises(ActionRefused, match="correct the verdict"):
        review.edit_claim(
            desk.session,
            claim_id=desk.claim_id,
            row_version=desk.version,
            principal=desk.people["editor"],
            statement="Something else",
        )
    edits = [s for s in review.history(desk.session, desk.claim_id) if s.action == "edited"]
    assert edits[0].before is not None and edits[0].before["claimant"] is None
    assert edits[1].after is not None and edits[1].after["claimant"] is None


def test_tags_and_comments(desk: Desk) -> None:
    reviewer = desk.people["reviewer"]
    tags = review.add_tag(desk.session, claim_id=desk.claim_id, name=" Budget ", principal=reviewer)
    assert tags == ["budget"]
    review.add_tag(desk.session, claim_id=desk.claim_id, name="Transport", principal=reviewer)
    version = desk.version
    assert review.add_tag(
        desk.session, claim_id=desk.claim_id, name="budget", principal=reviewer
    ) == ["budget", "transport"]
    assert desk.version == version  # nothing to add, nothing changed
    assert review.remove_tag(
        desk.session, claim_id=desk.claim_id, name="BUDGET", principal=reviewer
    ) == ["transport"]
    note = review.add_comment(
        desk.session,
        claim_id=desk.claim_id,
        body="Ask the council press office.",
        principal=reviewer,
    )
    assert note.author == "reviewer@review.test"
    with pytest.raises(ActionRefused, match="NUL"):
        review.add_comment(desk.session, claim_id=desk.claim_id, body="a\x00b", principal=reviewer)
    assert desk.count(Comment) == 1
    actions = [s.action for s in review.history(desk.session, desk.claim_id)]
    assert actions == ["tag_added", "tag_added", "tag_removed", "commented"]


def test_unknown_claim(desk: Desk) -> None:
    with pytest.raises(ClaimNotFound):
        review.get_claim_detail(desk.session, 999999)
    with pytest.raises(ClaimNotFound):
        review.history(desk.session, 999999)
    with pytest.raises(ClaimNotFound):
        review.act(
            desk.session,
            claim_id=999999,
            action="start",
            row_version=1,
            principal=desk.people["editor"],
        )


def test_two_people_acting_at_once_exactly_one_wins(db: Database) -> None:
    with db.session(write=True) as s:
        claim_id = int(ingest_article(s).claims[0].id)  # type: ignore[arg-type]
        people = [add_person(s, "reviewer", "a@review.test"), add_person(s, "editor")]
        rating_scale.active_scale(s)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(person: Principal) -> None:
        with db.session(write=True) as s:
            barrier.wait()
            try:
                review.act(s, claim_id=claim_id, action="start", row_version=1, principal=person)
                outcomes.append("won")
            except StaleClaim as exc:
                outcomes.append(f"stale:{exc.changed_by}")

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes)[1] == "won" and sorted(outcomes)[0].startswith("stale:")
    with db.session() as s:
        steps = review.history(s, claim_id)
        assert [x.action for x in steps] == ["start"]
        assert outcomes.count("won") == 1
        assert f"stale:{steps[0].actor}" in outcomes
        assert review.get_claim_detail(s, claim_id).claim.row_version == 2
