"""Reviewing a claim: read it with its verdicts, evidence, tags and comments; take workflow
actions; edit it, tag it, comment on it; read its history.

Every change goes through ``claim_changes``: it checks the ``row_version`` the person saw
(StaleClaim, HTTP 409, when someone changed the claim first), bumps it, writes one Event
and commits. The workflow rules are ``core.workflow``. Errors map to HTTP as:
ClaimNotFound 404, RoleNotAllowed 403, ActionRefused 422, StaleClaim 409.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from claimdesk.core.permissions import Permission
from claimdesk.core.workflow import (
    EDITABLE,
    PERMISSION_FOR,
    Action,
    ActionInput,
    ActionRefused,
    VerdictState,
    VerdictStep,
    parse_action,
    transition,
)
from claimdesk.services import articles, claim_changes, rating_scale
from claimdesk.services.accounts import Principal
from claimdesk.services.claim_changes import (
    CLAIM,
    ClaimChange,
    ClaimNotFound,
    StaleClaim,
    bounded_text,
    load_claim,
)
from claimdesk.services.evidence import EvidenceView, evidence_of
from claimdesk.store import search_index
from claimdesk.store.models import Claim, Claimant, ClaimTag, Comment, Event, Tag, User, Verdict
from claimdesk.store.types import new_uuid, utcnow

__all__ = [
    "ClaimDetail",
    "ClaimNotFound",
    "CommentView",
    "HistoryEntry",
    "StaleClaim",
    "VerdictView",
    "act",
    "add_comment",
    "add_tag",
    "edit_claim",
    "get_claim_detail",
    "history",
    "remove_tag",
]

MAX_RATIONALE = 20_000
MAX_COMMENT = 10_000
MAX_STATEMENT = 5_000
MAX_CLAIMANT = 300
MAX_TAG = 100


@dataclass(frozen=True)
class VerdictView:
    id: int
    uuid: str
    label: str
    rating_value: float | None
    best_rating: float | None
    worst_rating: float | None
    rationale: str
    state: str
    proposer: str | None
    approver: str | None
    supersedes_id: int | None
    proposed_at: datetime
    approved_at: datetime | None
    published_at: datetime | None


@dataclass(frozen=True)
class CommentView:
    id: int
    author: str | None
    body: str
    created_at: datetime


@dataclass(frozen=True)
class ClaimDetail:
    """A claim as the review screen shows it.

    ``verdict`` is the latest verdict (proposed, approved, returned or published);
    ``published_verdict`` the one the public sees now, which differs from ``verdict``
    while a correction is under way. ``verdicts`` holds them all, oldest first.
    """

    claim: Claim
    claimant: str | None
    verdict: VerdictView | None
    published_verdict: VerdictView | None
    verdicts: list[VerdictView]
    evidence: list[EvidenceView]
    tags: list[str]
    comments: list[CommentView]


def published_only(detail: ClaimDetail) -> ClaimDetail:
    """``detail`` as someone who may not see work in progress (researchers) sees it: the
    published verdict only (a correction under way stays hidden), the verdicts that were
    published, confirmed evidence, no comments."""
    shown = [v for v in detail.verdicts if v.published_at is not None]
    return replace(
        detail,
        verdict=detail.published_verdict,
        verdicts=shown,
        evidence=[e for e in detail.evidence if e.state == "confirmed"],
        comments=[],
    )


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    actor: str
    actor_type: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _emails(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.exec(select(User.id, User.email).where(col(User.id).in_(wanted)))
    return {uid: email for uid, email in rows if uid is not None}


def _verdict_rows(session: Session, claim_id: int) -> list[Verdict]:
    query = select(Verdict).where(Verdict.claim_id == claim_id).order_by(col(Verdict.id))
    return list(session.exec(query))


def verdict_views(session: Session, rows: list[Verdict]) -> list[VerdictView]:
    """``rows`` as the views the screens and APIs show (people as emails), in order."""
    emails = _emails(session, {v.proposer_id for v in rows} | {v.approver_id for v in rows})
    return [
        VerdictView(
            id=v.id or 0,
            uuid=str(v.uuid),
            label=v.label_name,
            rating_value=v.rating_value,
            best_rating=v.best_rating,
            worst_rating=v.worst_rating,
            rationale=v.rationale,
            state=v.state,
            proposer=emails.get(v.proposer_id) if v.proposer_id else None,
            approver=emails.get(v.approver_id) if v.approver_id else None,
            supersedes_id=v.supersedes_id,
            proposed_at=v.proposed_at,
            approved_at=v.approved_at,
            published_at=v.published_at,
        )
        for v in rows
    ]


def _tags(session: Session, claim_id: int) -> list[str]:
    query = (
        select(Tag.name)
        .join(ClaimTag, col(ClaimTag.tag_id) == col(Tag.id))
        .where(ClaimTag.claim_id == claim_id)
        .order_by(col(Tag.name))
    )
    return list(session.exec(query))


def _comments(session: Session, claim_id: int) -> list[CommentView]:
    rows = list(
        session.exec(select(Comment).where(Comment.claim_id == claim_id).order_by(col(Comment.id)))
    )
    emails = _emails(session, {c.author_id for c in rows})
    return [
        CommentView(
            id=c.id or 0,
            author=emails.get(c.author_id) if c.author_id else None,
            body=c.body,
            created_at=c.created_at,
        )
        for c in rows
    ]


def get_claim_detail(session: Session, claim_id: int) -> ClaimDetail:
    """The claim with its claimant, verdicts, evidence (rejected too), tags and comments.

    Raises ClaimNotFound.
    """
    claim = load_claim(session, claim_id)
    claimant = session.get(Claimant, claim.claimant_id) if claim.claimant_id else None
    verdicts = verdict_views(session, _verdict_rows(session, claim_id))
    published = [v for v in verdicts if v.state == VerdictState.PUBLISHED]
    return ClaimDetail(
        claim=claim,
        claimant=claimant.name if claimant else None,
        verdict=verdicts[-1] if verdicts else None,
        published_verdict=published[-1] if published else None,
        verdicts=verdicts,
        evidence=evidence_of(session, claim_id),
        tags=_tags(session, claim_id),
        comments=_comments(session, claim_id),
    )


def _latest(rows: list[Verdict], *states: VerdictState) -> Verdict:
    found = [v for v in rows if v.state in states]
    if not found:  # the workflow's statuses keep the verdicts in step; a guard all the same
        raise ActionRefused("The claim has no verdict in a state this action applies to.")
    return found[-1]


def act(
    session: Session,
    *,
    claim_id: int,
    action: str,
    row_version: int,
    principal: Principal,
    label: str | None = None,
    rationale: str | None = None,
    comment: str | None = None,
) -> ClaimDetail:
    """Take a workflow action on a claim (see ``core.workflow`` for the rules) and commit.

    ``propose``/``correct`` make a new Verdict holding a copy of the label (name, rating
    value, the scale's best and worst), the rationale and the proposer; a verdict made while
    one is published supersedes it. ``approve`` and ``publish`` move the latest verdict on
    (publishing a correction marks the verdict it supersedes ``superseded``; both stay).
    ``return`` marks the verdict ``returned`` (kept). The comment of ``return`` and the
    reason of ``dismiss`` are also stored as a comment on the claim. ``start`` and
    ``reopen`` assign the claim to whoever acts.

    Raises ClaimNotFound, StaleClaim (``row_version`` is not the claim's), RoleNotAllowed,
    ActionRefused (unknown action or label, not from this status, missing or overlong input).
    """
    scale = rating_scale.active_scale(session)  # first: it may commit the default scale
    chosen = parse_action(action)
    change = claim_changes.begin(
        session,
        claim_id=claim_id,
        row_version=row_version,
        principal=principal,
        permission=PERMISSION_FOR[chosen],
        doing=f"{chosen.value} a claim",
    )
    claim = change.claim
    verdicts = _verdict_rows(session, claim_id)
    label_row = scale.label_named(label) if label and label.strip() else None
    given = ActionInput(
        label=label,
        rationale=bounded_text(rationale, what="The rationale", limit=MAX_RATIONALE),
        comment=bounded_text(comment, what="The comment", limit=MAX_COMMENT),
        label_needs_evidence=label_row is not None and label_row.requires_evidence,
        has_confirmed_evidence=any(e.state == "confirmed" for e in evidence_of(session, claim_id)),
        has_published_verdict=any(v.state == VerdictState.PUBLISHED for v in verdicts),
    )
    old_status = claim.status
    moved = transition(old_status, chosen.value, principal.role, given)
    if moved.verdict is VerdictStep.PROPOSE and label_row is None:
        names = ", ".join(lb.name for lb in scale.labels)
        raise ActionRefused(f"The rating scale has no label {label!r}: choose one of {names}.")
    values: dict[str, Any] = {"status": moved.status.value}
    if chosen in (Action.START, Action.REOPEN):
        values["assignee_id"] = principal.user_id
    version = change.write(**values)
    after: dict[str, Any] = {"status": moved.status.value, "row_version": version}
    verdict = _apply_verdict_step(change, moved.verdict, verdicts, given, label_row, scale)
    if verdict is not None:
        after.update(verdict_id=verdict.id, label=verdict.label_name, verdict=verdict.state)
    if chosen in (Action.RETURN, Action.DISMISS) and given.comment:
        note = _store_comment(change, given.comment)
        after.update(comment=given.comment, comment_id=note.id)
    if chosen in (Action.PROPOSE, Action.CORRECT):
        after["rationale"] = given.rationale
    change.record(chosen.value, before={"status": old_status}, after=after)
    session.commit()
    return get_claim_detail(session, claim_id)


def _apply_verdict_step(
    change: ClaimChange,
    step: VerdictStep,
    verdicts: list[Verdict],
    given: ActionInput,
    label: Any,
    scale: rating_scale.ScaleView,
) -> Verdict | None:
    session, now = change.session, utcnow()
    if step is VerdictStep.NONE:
        return None
    if step is VerdictStep.PROPOSE:
        published = [v for v in verdicts if v.state == VerdictState.PUBLISHED]
        verdict = Verdict(
            uuid=new_uuid(),
            claim_id=change.claim.id,  # type: ignore[arg-type]
            label_id=label.id,
            label_name=label.name,
            rating_value=label.rating_value,
            best_rating=scale.scale.best_rating,
            worst_rating=scale.scale.worst_rating,
            rationale=given.rationale or "",
            state=VerdictState.PROPOSED.value,
            proposer_id=change.user_id,
            supersedes_id=published[-1].id if published else None,
            proposed_at=now,
        )
        session.add(verdict)
    elif step is VerdictStep.APPROVE:
        verdict = _latest(verdicts, VerdictState.PROPOSED)
        verdict.state = VerdictState.APPROVED.value
        verdict.approver_id = change.user_id
        verdict.approved_at = now
    elif step is VerdictStep.RETURN:
        verdict = _latest(verdicts, VerdictState.PROPOSED, VerdictState.APPROVED)
        verdict.state = VerdictState.RETURNED.value
    else:
        verdict = _latest(verdicts, VerdictState.APPROVED)
        for older in verdicts:
            if older.state == VerdictState.PUBLISHED:
                older.state = VerdictState.SUPERSEDED.value
        verdict.state = VerdictState.PUBLISHED.value
        verdict.published_at = now
    session.flush()
    return verdict


def _store_comment(change: ClaimChange, body: str) -> Comment:
    comment = Comment(
        uuid=new_uuid(),
        claim_id=change.claim.id,  # type: ignore[arg-type]
        author_id=change.user_id,
        body=body,
        created_at=utcnow(),
    )
    change.session.add(comment)
    change.session.flush()
    return comment


def add_comment(
    session: Session,
    *,
    claim_id: int,
    body: str,
    principal: Principal,
    row_version: int | None = None,
) -> CommentView:
    """Add a comment to the claim's discussion and commit.

    Raises ClaimNotFound, StaleClaim, RoleNotAllowed, ActionRefused (blank, overlong, NUL).
    """
    text = bounded_text(body, what="The comment", limit=MAX_COMMENT, required=True)
    change = claim_changes.begin(
        session,
        claim_id=claim_id,
        row_version=row_version,
        principal=principal,
        permission=Permission.COMMENT,
        doing="comment on claims",
    )
    version = change.write()
    comment = _store_comment(change, text or "")
    change.record(
        "commented",
        before=None,
        after={"comment_id": comment.id, "body": text, "row_version": version},
    )
    session.commit()
    return CommentView(comment.id or 0, principal.email, comment.body, comment.created_at)


_UNSET: Any = object()


def edit_claim(
    session: Session,
    *,
    claim_id: int,
    row_version: int,
    principal: Principal,
    statement: str | None = None,
    claimant: str | None = _UNSET,
) -> ClaimDetail:
    """Change the claim's statement and/or claimant (a blank claimant clears it; a new name
    becomes a Claimant) and commit. Only before a verdict is approved.

    Raises ClaimNotFound, StaleClaim, RoleNotAllowed, ActionRefused (not editable in this
    status; blank statement; overlong or NUL input).
    """
    change = claim_changes.begin(
        session,
        claim_id=claim_id,
        row_version=row_version,
        principal=principal,
        permission=Permission.EDIT_CLAIMS,
        doing="edit claims",
    )
    claim = change.claim
    if claim.status not in EDITABLE:
        raise ActionRefused(
            f"The claim is {claim.status.replace('_', ' ')}: its verdict speaks about this"
            " wording, so correct the verdict instead of editing the claim."
        )
    values: dict[str, Any] = {}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if statement is not None:
        text = bounded_text(statement, what="The statement", limit=MAX_STATEMENT, required=True)
        if text != claim.statement:
            values["statement"], before["statement"], after["statement"] = (
                text,
                claim.statement,
                text,
            )
    if claimant is not _UNSET:
        name = bounded_text(claimant, what="The claimant", limit=MAX_CLAIMANT)
        name = " ".join(name.split()) if name else None
        old = session.get(Claimant, claim.claimant_id) if claim.claimant_id else None
        if name != (old.name if old else None):
            values["claimant_id"] = (
                next(iter(articles.claimant_ids(session, [name]).values())) if name else None
            )
            before["claimant"], after["claimant"] = (old.name if old else None), name
    if not values:
        return get_claim_detail(session, claim_id)
    after["row_version"] = change.write(**values)
    if "statement" in values:  # "checked before?" searches statements: keep the index current
        search_index.index_claims(session.connection(), [(claim_id, values["statement"])])
    change.record("edited", before=before, after=after)
    session.commit()
    return get_claim_detail(session, claim_id)


def _insert_ignoring_duplicates(
    session: Session, model: Any, row: dict[str, Any], key: str
) -> None:
    """INSERT ... ON CONFLICT (key) DO NOTHING: safe when two people add one name at once."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.exec(insert(model).values(row).on_conflict_do_nothing(index_elements=[key]))


def _tag_name(name: str) -> str:
    text = bounded_text(name, what="The tag", limit=MAX_TAG, required=True) or ""
    return " ".join(text.split()).lower()


def add_tag(
    session: Session,
    *,
    claim_id: int,
    name: str,
    principal: Principal,
    row_version: int | None = None,
) -> list[str]:
    """Tag the claim (names are kept lower-case, spaces collapsed) and commit; returns the
    claim's tags. Adding a tag it already has changes nothing.

    Raises ClaimNotFound, StaleClaim, RoleNotAllowed, ActionRefused (blank, overlong, NUL).
    """
    tag = _tag_name(name)
    change = claim_changes.begin(
        session,
        claim_id=claim_id,
        row_version=row_version,
        principal=principal,
        permission=Permission.EDIT_CLAIMS,
        doing="tag claims",
    )
    current = _tags(session, claim_id)
    if tag in current:
        return current
    version = change.write()
    _insert_ignoring_duplicates(session, Tag, {"name": tag}, "name")
    tag_id = session.exec(select(Tag.id).where(Tag.name == tag)).one()
    session.add(ClaimTag(claim_id=claim_id, tag_id=tag_id))  # type: ignore[arg-type]
    session.flush()
    change.record("tag_added", before=None, after={"tag": tag, "row_version": version})
    session.commit()
    return _tags(session, claim_id)


def remove_tag(
    session: Session,
    *,
    claim_id: int,
    name: str,
    principal: Principal,
    row_version: int | None = None,
) -> list[str]:
    """Take a tag off the claim and commit; returns the claim's tags. Removing a tag it does
    not have changes nothing.

    Raises ClaimNotFound, StaleClaim, RoleNotAllowed, ActionRefused (blank, overlong, NUL).
    """
    tag = _tag_name(name)
    change = claim_changes.begin(
        session,
        claim_id=claim_id,
        row_version=row_version,
        principal=principal,
        permission=Permission.EDIT_CLAIMS,
        doing="tag claims",
    )
    tag_id = session.exec(select(Tag.id).where(Tag.name == tag)).first()
    current = _tags(session, claim_id)
    if tag_id is None or tag not in current:
        return current
    version = change.write()
    session.exec(
        delete(ClaimTag).where(col(ClaimTag.claim_id) == claim_id, col(ClaimTag.tag_id) == tag_id)
    )
    change.record("tag_removed", before={"tag": tag}, after={"row_version": version})
    session.commit()
    return _tags(session, claim_id)


def history(session: Session, claim_id: int) -> list[HistoryEntry]:
    """Every change to the claim, oldest first, with who made it and when (one indexed
    query on ``event``). Raises ClaimNotFound."""
    if session.get(Claim, claim_id) is None:
        raise ClaimNotFound(f"There is no claim {claim_id}.")
    query = (
        select(Event)
        .where(Event.entity_type == CLAIM, Event.entity_id == claim_id)
        .order_by(col(Event.id))
    )
    return [
        HistoryEntry(
            id=e.id or 0,
            at=e.created_at,
            actor=e.actor_label,
            actor_type=e.actor_type,
            action=e.action,
            before=e.before,
            after=e.after,
        )
        for e in session.exec(query)
    ]
