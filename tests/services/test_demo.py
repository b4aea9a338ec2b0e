"""The demo desk on both databases: every review status out of the box, made through the
review services by the demo accounts, and a second load that changes nothing."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from claimdesk.core.workflow import Status
from claimdesk.services import demo, review
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, ClaimTag, Comment, Event, Evidence, Verdict
from tests.factories import add_person

DEMO_REVIEWER = f"reviewer@{demo.DEMO_DOMAIN}"
DEMO_EDITOR = f"editor@{demo.DEMO_DOMAIN}"


def _load(db: Database) -> demo.DemoResult:
    with db.session(write=True) as session:
        return demo.load_demo(session, actor=SYSTEM)


def _claims(session: Session) -> dict[str, list[review.ClaimDetail]]:
    """status -> the claims in it, with their details."""
    found: dict[str, list[review.ClaimDetail]] = {}
    for claim_id in session.exec(select(Claim.id).order_by(col(Claim.id))):
        assert claim_id is not None
        detail = review.get_claim_detail(session, claim_id)
        found.setdefault(detail.claim.status, []).append(detail)
    return found


def _the_one(found: dict[str, list[review.ClaimDetail]], status: Status) -> review.ClaimDetail:
    assert len(found.get(status, [])) == 1, (status, found.keys())
    return found[status][0]


def test_the_demo_has_a_claim_in_every_status(db: Database) -> None:
    result = _load(db)
    assert result.claims_reviewed == 6
    with db.session() as session:
        found = _claims(session)
        assert set(found) == set(Status)
        assert len(found[Status.NEW]) == result.claims_created - 6

        published = _the_one(found, Status.PUBLISHED)
        assert published.published_verdict is not None
        assert published.published_verdict.label == "True"
        assert published.published_verdict.proposer == DEMO_REVIEWER
        assert published.published_verdict.approver == DEMO_EDITOR
        assert "Anne Boillon" in published.published_verdict.rationale
        confirmed = [e for e in published.evidence if e.state == "confirmed"]
        assert [e.source_title for e in confirmed] == [
            "French foreign ministry statement on Azerbaijan"
        ]
        assert confirmed[0].stance == "supports" and confirmed[0].passage_id is not None
        assert published.tags == ["azerbaijan", "diplomacy", "france"]

        approved = _the_one(found, Status.APPROVED)
        assert approved.verdict is not None and approved.verdict.state == "approved"
        assert approved.verdict.approver == DEMO_EDITOR

        proposed = _the_one(found, Status.PROPOSED)
        assert proposed.verdict is not None and proposed.verdict.state == "proposed"
        assert proposed.verdict.label == "Mostly true"

        returned = _the_one(found, Status.RETURNED)
        assert returned.verdict is not None and returned.verdict.state == "returned"
        assert [(c.author, "PGM" in c.body) for c in returned.comments] == [(DEMO_EDITOR, True)]
        assert returned.claimant == "the French defence ministry"

        in_review = _the_one(found, Status.IN_REVIEW)
        assert [e.state for e in in_review.evidence] == ["suggested"]
        assert in_review.claim.assignee_id is not None

        dismissed = _the_one(found, Status.DISMISSED)
        assert dismissed.comments and dismissed.comments[0].author == DEMO_REVIEWER

        actors = {e.actor_label for e in session.exec(select(Event))}
        assert {DEMO_REVIEWER, DEMO_EDITOR} <= actors
        for detail in found[Status.PUBLISHED] + found[Status.RETURNED]:
            done = [(h.actor, h.action) for h in review.history(session, detail.claim.id or 0)]
            assert (DEMO_REVIEWER, "propose") in done
            assert any(who == DEMO_EDITOR for who, _ in done)


def _counts(session: Session) -> dict[str, object]:
    counted = {
        model.__name__: session.exec(select(func.count()).select_from(model)).one()
        for model in (Claim, Verdict, Evidence, Event, Comment, ClaimTag)
    }
    versions = session.exec(select(Claim.id, Claim.row_version, Claim.status)).all()
    return {**counted, "versions": sorted(versions)}


def test_a_second_load_changes_nothing(db: Database) -> None:
    _load(db)
    with db.session() as session:
        before = _counts(session)
    again = _load(db)
    assert (again.articles_created, again.claims_created, again.sources_created) == (0, 0, 0)
    assert again.accounts == [] and again.claims_reviewed == 0
    with db.session() as session:
        assert _counts(session) == before


def test_without_the_demo_accounts_the_claims_stay_new(db: Database) -> None:
    with db.session(write=True) as session:
        add_person(session, "editor")
        session.commit()
    result = _load(db)
    assert result.accounts == [] and result.claims_reviewed == 0
    with db.session() as session:
        assert set(_claims(session)) == {Status.NEW}
        assert session.exec(select(func.count()).select_from(Verdict)).one() == 0
