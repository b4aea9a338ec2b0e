"""A desk for research tests: two articles (two publishers), claims with published
verdicts, work in progress on top of a published verdict, work in progress alone, tags,
claimants and claim dates.

Everything goes through the real services (ingest, review, evidence, tags), except the
claim dates: only an annotation import sets those, so they are written directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from claimdesk.core.extraction import ClaimSpan, Extraction
from claimdesk.services import articles, evidence, review
from claimdesk.services.accounts import Principal
from claimdesk.services.events import SYSTEM
from claimdesk.store.models import Claim
from tests.factories import add_person, add_source, make_extraction

DRAFT = "DRAFT-RATIONALE"
"""Every unpublished rationale holds this; researchers must never see it."""
FERRY_TEXT = "The harbour ferry carried 3 million passengers in 2025, the board said."


@dataclass
class ResearchDesk:
    session: Session
    reviewer: Principal
    second_reviewer: Principal
    editor: Principal
    claims: dict[str, int] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)

    def act(self, name: str, action: str, who: Principal, **given: Any) -> None:
        claim_id = self.claims[name]
        version = review.get_claim_detail(self.session, claim_id).claim.row_version
        review.act(
            self.session,
            claim_id=claim_id,
            action=action,
            row_version=version,
            principal=who,
            **given,
        )


def build(session: Session) -> ResearchDesk:
    """Claims by name:

    - ``budget`` (Gazette, score 0.9): False published ("Published budget rationale"),
      then a correction to Mostly false proposed and approved, not published.
    - ``tram`` (Gazette, 0.8, claimant Councillor Ana Ruiz, tag transport): Unverifiable
      proposed by the second reviewer, nothing published.
    - ``wonderful`` (Gazette, 0.1, tag opinion): new.
    - ``ferry`` (Herald, 0.7, claimant Harbour Board, tag transport, claim date
      2025-06-01): Unverifiable published ("Published ferry rationale").
    """
    desk = ResearchDesk(
        session,
        add_person(session, "reviewer"),
        add_person(session, "reviewer", "second@review.test"),
        add_person(session, "editor"),
    )
    gazette = articles.ingest(session, extraction=make_extraction(), actor=SYSTEM, min_score=0.0)
    desk.articles["gazette"] = int(gazette.article.id)  # type: ignore[arg-type]
    for name, claim in zip(("budget", "tram", "wonderful"), gazette.claims, strict=True):
        desk.claims[name] = int(claim.id)  # type: ignore[arg-type]
    ferry = Extraction(
        title="Ferry numbers",
        text=FERRY_TEXT,
        claims=[ClaimSpan(0, len(FERRY_TEXT), FERRY_TEXT, FERRY_TEXT, "Harbour Board", 0.7, ())],
        metadata={"publisher": "Herald"},
    )
    herald = articles.ingest(session, extraction=ferry, actor=SYSTEM, min_score=0.0)
    desk.articles["herald"] = int(herald.article.id)  # type: ignore[arg-type]
    desk.claims["ferry"] = int(herald.claims[0].id)  # type: ignore[arg-type]

    source_id = add_source(session)
    evidence.link_evidence(
        session,
        claim_id=desk.claims["budget"],
        source_id=source_id,
        stance="refutes",
        principal=desk.reviewer,
    )
    desk.act("budget", "start", desk.reviewer)
    desk.act(
        "budget", "propose", desk.reviewer, label="False", rationale="Published budget rationale"
    )
    desk.act("budget", "approve", desk.editor)
    desk.act("budget", "publish", desk.editor)
    desk.act("budget", "correct", desk.reviewer, label="Mostly false", rationale=f"{DRAFT} one")
    desk.act("budget", "approve", desk.editor)

    review.add_tag(session, claim_id=desk.claims["tram"], name="Transport", principal=desk.reviewer)
    desk.act("tram", "start", desk.second_reviewer)
    desk.act(
        "tram", "propose", desk.second_reviewer, label="Unverifiable", rationale=f"{DRAFT} two"
    )

    review.add_tag(
        session, claim_id=desk.claims["wonderful"], name="opinion", principal=desk.reviewer
    )

    review.add_tag(
        session, claim_id=desk.claims["ferry"], name="transport", principal=desk.reviewer
    )
    desk.act("ferry", "start", desk.reviewer)
    desk.act(
        "ferry",
        "propose",
        desk.reviewer,
        label="Unverifiable",
        rationale="Published ferry rationale",
    )
    desk.act("ferry", "approve", desk.editor)
    desk.act("ferry", "publish", desk.editor)
    session.exec(
        update(Claim)
        .where(col(Claim.id) == desk.claims["ferry"])
        .values(claim_date=date(2025, 6, 1))  # type: ignore[call-overload]
    )
    session.commit()
    return desk
