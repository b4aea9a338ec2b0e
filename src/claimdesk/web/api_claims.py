"""The review JSON API: a claim with its verdict and evidence, workflow actions, evidence
links and the rating scale.

Errors are JSON ``{"detail": "..."}``: 401 anonymous, 403 the role may not, 404 unknown
claim, 422 invalid transition or input (said in words), 409 stale ``row_version`` (with
``changed_by``, ``changed_at`` and the current ``row_version``). Views only translate: the
rules live in ``services.review``, ``services.evidence`` and ``core.workflow``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from claimdesk.core.permissions import Permission, allows
from claimdesk.core.workflow import ActionRefused, RoleNotAllowed
from claimdesk.services import evidence, rating_scale, review
from claimdesk.services.accounts import Principal
from claimdesk.services.claim_changes import ClaimNotFound, StaleClaim
from claimdesk.services.evidence import EvidenceView
from claimdesk.services.review import ClaimDetail, VerdictView
from claimdesk.web.api_claims_schema import (
    WRITE_ERRORS,
    ClaimDetailOut,
    EvidenceOut,
    HistoryEntryOut,
    RatingScaleOut,
)
from claimdesk.web.auth import Reader, Require, WorkReader
from claimdesk.web.deps import SessionDep
from claimdesk.web.errors import MAX_ID, NoNul

router = APIRouter(prefix="/api")

Linker = Annotated[Principal, Depends(Require(Permission.LINK_EVIDENCE))]
Reviewer = Annotated[Principal, Depends(Require(Permission.PROPOSE_VERDICT))]
"""Workflow actions: the route lets in whoever may propose; each action's own permission
(approve, publish, …) is checked by the workflow (403 in words)."""

RowVersion = Annotated[int, Field(ge=0, le=MAX_ID)]
Note = Annotated[str, Field(max_length=evidence.MAX_NOTE), NoNul]


class EvidenceIn(BaseModel):
    """A source to link: ``source_id`` from the library, or a ``url`` with its ``title``
    (stored as a new source in the ``linked`` collection when the library lacks it)."""

    model_config = ConfigDict(extra="forbid")
    source_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    url: Annotated[str, Field(max_length=evidence.MAX_URL), NoNul] | None = None
    title: Annotated[str, Field(max_length=evidence.MAX_TITLE), NoNul] | None = None
    stance: Literal["supports", "refutes", "context"]
    note: Note | None = None
    row_version: RowVersion | None = None

    @model_validator(mode="after")
    def _one_source(self) -> EvidenceIn:
        if (self.source_id is None) == (self.url is None):
            raise ValueError("give either a source_id or a url (with a title), not both")
        return self


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Annotated[str, Field(max_length=20), NoNul]
    row_version: RowVersion
    label: Annotated[str, Field(max_length=100), NoNul] | None = None
    rationale: Annotated[str, Field(max_length=review.MAX_RATIONALE), NoNul] | None = None
    comment: Annotated[str, Field(max_length=review.MAX_COMMENT), NoNul] | None = None


class StaleResponse(Exception):
    def __init__(self, stale: StaleClaim) -> None:
        self.stale = stale


@contextmanager
def _service_errors() -> Iterator[None]:
    """Service errors as HTTP: 404, 403, 422; a StaleClaim becomes StaleResponse (409)."""
    try:
        yield
    except (ClaimNotFound, evidence.EvidenceNotFound) as exc:
        raise HTTPException(404, str(exc)) from None
    except RoleNotAllowed as exc:
        raise HTTPException(403, exc.message) from None
    except ActionRefused as exc:
        raise HTTPException(422, exc.message) from None
    except StaleClaim as exc:
        raise StaleResponse(exc) from None


def _conflict(stale: StaleClaim) -> JSONResponse:
    return JSONResponse(
        {
            "detail": stale.message,
            "changed_by": stale.changed_by,
            "changed_at": stale.changed_at.isoformat() if stale.changed_at else None,
            "row_version": stale.row_version,
        },
        status_code=409,
    )


def verdict_json(verdict: VerdictView | None) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {
        "id": verdict.id,
        "uuid": verdict.uuid,
        "label": verdict.label,
        "rating_value": verdict.rating_value,
        "best_rating": verdict.best_rating,
        "worst_rating": verdict.worst_rating,
        "rationale": verdict.rationale,
        "state": verdict.state,
        "proposer": verdict.proposer,
        "approver": verdict.approver,
        "supersedes_id": verdict.supersedes_id,
        "proposed_at": verdict.proposed_at.isoformat(),
        "approved_at": verdict.approved_at.isoformat() if verdict.approved_at else None,
        "published_at": verdict.published_at.isoformat() if verdict.published_at else None,
    }


def evidence_json(item: EvidenceView) -> dict[str, Any]:
    return {
        "id": item.id,
        "uuid": item.uuid,
        "source_id": item.source_id,
        "stance": item.stance,
        "note": item.note,
        "state": item.state,
        "source_title": item.source_title,
        "source_url": item.source_url,
        "passage_id": item.passage_id,
        "score": item.score,
        "created_by": item.created_by,
        "created_at": item.created_at.isoformat(),
    }


def claim_json(detail: ClaimDetail) -> dict[str, Any]:
    claim = detail.claim
    return {
        "id": claim.id,
        "uuid": str(claim.uuid),
        "article_id": claim.article_id,
        "status": claim.status,
        "row_version": claim.row_version,
        "statement": claim.statement,
        "quote": claim.quote,
        # an orphan's words are not in its article version: it has no span to give
        "start": None if claim.anchor_state == "orphaned" else claim.start,
        "end": None if claim.anchor_state == "orphaned" else claim.end,
        "anchor_state": claim.anchor_state,
        "version_id": claim.version_id,
        "claimant": detail.claimant,
        "assignee_id": claim.assignee_id,
        "verdict": verdict_json(detail.verdict),
        "published_verdict": verdict_json(detail.published_verdict),
        "evidence": [evidence_json(e) for e in detail.evidence],
        "tags": detail.tags,
    }


@router.get("/claims/{claim_id}", response_model=None, responses={200: {"model": ClaimDetailOut}})
def get_claim(session: SessionDep, principal: Reader, claim_id: int) -> dict[str, Any]:
    """The claim with its latest verdict and all its evidence; for researchers (no work
    in progress) its published verdict and confirmed evidence only."""
    with _service_errors():
        detail = review.get_claim_detail(session, claim_id)
    if not allows(principal.role, Permission.READ_WORK):
        detail = review.published_only(detail)
    return claim_json(detail)


@router.get(
    "/claims/{claim_id}/history",
    response_model=None,
    responses={200: {"model": list[HistoryEntryOut]}},
)
def get_history(session: SessionDep, principal: WorkReader, claim_id: int) -> list[dict[str, Any]]:
    """Every change to the claim, oldest first, with who and when (the desk's own record
    of its work in progress: not for researchers)."""
    with _service_errors():
        entries = review.history(session, claim_id)
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "before": e.before,
            "after": e.after,
        }
        for e in entries
    ]


@router.post(
    "/claims/{claim_id}/evidence",
    status_code=201,
    response_model=None,
    responses={201: {"model": EvidenceOut}, **WRITE_ERRORS},
)
def post_evidence(
    session: SessionDep, principal: Linker, claim_id: int, body: EvidenceIn
) -> dict[str, Any] | JSONResponse:
    """Link a source (or a URL) as confirmed evidence; 201 with the evidence."""
    try:
        with _service_errors():
            if body.source_id is not None:
                made = evidence.link_evidence(
                    session,
                    claim_id=claim_id,
                    source_id=body.source_id,
                    stance=body.stance,
                    note=body.note,
                    principal=principal,
                    row_version=body.row_version,
                )
            else:
                made = evidence.link_url_evidence(
                    session,
                    claim_id=claim_id,
                    url=body.url or "",
                    title=body.title or "",
                    stance=body.stance,
                    note=body.note,
                    principal=principal,
                    row_version=body.row_version,
                )
    except StaleResponse as stale:
        return _conflict(stale.stale)
    return evidence_json(made)


@router.post(
    "/claims/{claim_id}/actions",
    response_model=None,
    responses={200: {"model": ClaimDetailOut}, **WRITE_ERRORS},
)
def post_action(
    session: SessionDep, principal: Reviewer, claim_id: int, body: ActionIn
) -> dict[str, Any] | JSONResponse:
    """Take a workflow action; 200 with the claim, 409 when ``row_version`` is stale."""
    try:
        with _service_errors():
            detail = review.act(
                session,
                claim_id=claim_id,
                action=body.action,
                row_version=body.row_version,
                principal=principal,
                label=body.label,
                rationale=body.rationale,
                comment=body.comment,
            )
    except StaleResponse as stale:
        return _conflict(stale.stale)
    return claim_json(detail)


@router.get("/rating-scale", response_model=None, responses={200: {"model": RatingScaleOut}})
def get_rating_scale(session: SessionDep, principal: Reader) -> dict[str, Any]:
    """The desk's active rating scale and its labels, in order."""
    view = rating_scale.active_scale(session)
    return {
        "name": view.scale.name,
        "best_rating": view.scale.best_rating,
        "worst_rating": view.scale.worst_rating,
        "labels": [
            {
                "id": label.id,
                "name": label.name,
                "rating_value": label.rating_value,
                "needs_evidence": label.requires_evidence,
                "colour": label.colour,
                "position": label.position,
                "description": label.description,
            }
            for label in view.labels
        ],
    }
