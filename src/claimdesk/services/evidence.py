"""Evidence on a claim: sources from the library (or a URL someone gives) that support it,
refute it or give context.

A person's link is ``confirmed`` at once. The matching engine's finds are stored as
``suggested`` until someone confirms them (with a stance) or rejects them; rejected evidence
is kept, so the same suggestion is not made again and the history shows who rejected it.
Each change bumps the claim's ``row_version`` like any other change to the claim (see
``claim_changes``); ``row_version`` is optional here: give it to be told (StaleClaim) when
the claim changed since it was loaded. Errors: ClaimNotFound 404, EvidenceNotFound 404,
RoleNotAllowed 403, ActionRefused 422, StaleClaim 409.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from claimdesk.core.permissions import Permission
from claimdesk.core.workflow import ActionRefused
from claimdesk.services import claim_changes, sources
from claimdesk.services.accounts import Principal
from claimdesk.services.claim_changes import ClaimChange, bounded_text
from claimdesk.services.events import SYSTEM, Actor
from claimdesk.store import locks
from claimdesk.store.models import Evidence, Passage, Source, User
from claimdesk.store.types import new_uuid, utcnow

STANCES = ("supports", "refutes", "context")
STATES = ("suggested", "confirmed", "rejected")
LINKED_COLLECTION = "linked"
"""The collection of sources made from URLs people link by hand."""
MAX_NOTE = 4_000
MAX_URL = 1_990
MAX_TITLE = 500


class EvidenceNotFound(LookupError):
    """The claim has no evidence with that id (HTTP 404)."""


@dataclass(frozen=True)
class EvidenceView:
    id: int
    uuid: str
    source_id: int
    source_title: str | None
    source_url: str | None
    source_collection: str
    passage_id: int | None
    stance: str | None
    note: str | None
    state: str
    score: float | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime


def evidence_of(session: Session, claim_id: int) -> list[EvidenceView]:
    """All the claim's evidence (suggested, confirmed and rejected), oldest first."""
    # only the source columns shown: a source's whole text can be long
    rows = session.execute(
        sa_select(
            Evidence, col(Source.title), col(Source.url), col(Source.collection), col(User.email)
        )
        .join(Source, col(Source.id) == col(Evidence.source_id))
        .outerjoin(User, col(User.id) == col(Evidence.created_by_id))
        .where(col(Evidence.claim_id) == claim_id)
        .order_by(col(Evidence.id))
    ).all()
    return [_view(e, _SourceLabel(t, u, c), email) for e, t, u, c, email in rows]


@dataclass(frozen=True)
class _SourceLabel:
    title: str | None
    url: str | None
    collection: str


def _view(evidence: Evidence, source: _SourceLabel, created_by: str | None) -> EvidenceView:
    return EvidenceView(
        id=evidence.id or 0,
        uuid=str(evidence.uuid),
        source_id=evidence.source_id,
        source_title=source.title,
        source_url=source.url,
        source_collection=source.collection,
        passage_id=evidence.passage_id,
        stance=evidence.stance,
        note=evidence.note,
        state=evidence.state,
        score=evidence.score,
        created_by=created_by,
        created_at=evidence.created_at,
        updated_at=evidence.updated_at,
    )


def _one(session: Session, claim_id: int, evidence_id: int) -> EvidenceView:
    found = [e for e in evidence_of(session, claim_id) if e.id == evidence_id]
    if not found:
        raise EvidenceNotFound(f"Claim {claim_id} has no evidence {evidence_id}.")
    return found[0]


def _stance(value: str | None, *, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise ActionRefused(f"Choose a stance: {', '.join(STANCES)}.")
        return None
    if value not in STANCES:
        raise ActionRefused(f"Unknown stance {value!r}: choose one of {', '.join(STANCES)}.")
    return value


def _begin(
    session: Session, claim_id: int, row_version: int | None, principal: Principal
) -> ClaimChange:
    return claim_changes.begin(
        session,
        claim_id=claim_id,
        row_version=row_version,
        principal=principal,
        permission=Permission.LINK_EVIDENCE,
        doing="link evidence",
    )


def _existing(session: Session, claim_id: int, source_id: int) -> Evidence | None:
    query = (
        select(Evidence)
        .where(Evidence.claim_id == claim_id, Evidence.source_id == source_id)
        .order_by(col(Evidence.id))
    )
    return session.exec(query).first()


def link_evidence(
    session: Session,
    *,
    claim_id: int,
    source_id: int,
    stance: str,
    principal: Principal,
    note: str | None = None,
    passage_id: int | None = None,
    row_version: int | None = None,
) -> EvidenceView:
    """Link a library source to the claim as confirmed evidence and commit. A source the
    engine suggested (or someone rejected) becomes confirmed with this stance and note.

    Raises ClaimNotFound, StaleClaim, RoleNotAllowed, ActionRefused (unknown stance, source
    or passage; the source is already confirmed evidence; overlong or NUL note).
    """
    chosen = _stance(stance, required=True)
    text = bounded_text(note, what="The note", limit=MAX_NOTE)
    change = _begin(session, claim_id, row_version, principal)
    return _link(change, source_id, chosen, text, passage_id)


def _link(
    change: ClaimChange,
    source_id: int,
    stance: str | None,
    note: str | None,
    passage_id: int | None,
) -> EvidenceView:
    session, claim_id = change.session, change.claim.id
    assert claim_id is not None
    if session.get(Source, source_id) is None:
        raise ActionRefused(f"There is no source {source_id} in the library.")
    if passage_id is not None:
        passage = session.get(Passage, passage_id)
        if passage is None or passage.source_id != source_id:
            raise ActionRefused(f"Source {source_id} has no passage {passage_id}.")
    evidence = _existing(session, claim_id, source_id)
    if evidence is not None and evidence.state == "confirmed":
        raise ActionRefused(f"This source is already evidence on the claim (#{evidence.id}).")
    version = change.write()
    now = utcnow()
    before = None
    if evidence is None:
        evidence = Evidence(
            uuid=new_uuid(),
            claim_id=claim_id,
            source_id=source_id,
            created_by_id=change.user_id,
            created_at=now,
        )
    else:
        before = {"state": evidence.state, "stance": evidence.stance, "note": evidence.note}
    evidence.state, evidence.stance, evidence.note, evidence.updated_at = (
        "confirmed",
        stance,
        note,
        now,
    )
    if passage_id is not None:
        evidence.passage_id = passage_id
    session.add(evidence)
    session.flush()
    after = {"evidence_id": evidence.id, "source_id": source_id, "state": "confirmed"}
    after.update(stance=stance, note=note, row_version=version)
    change.record("evidence_linked", before=before, after=after)
    session.commit()
    return _one(session, claim_id, evidence.id or 0)


def _check_url(url: str) -> str:
    url = url.strip()
    if not url:
        raise ActionRefused("The URL is missing.")
    if len(url) > MAX_URL:
        raise ActionRefused(f"The URL is too long (at most {MAX_URL} characters).")
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise ActionRefused("The URL cannot hold spaces or control characters.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ActionRefused("The URL must be a web address starting with http:// or https://.")
    return url


def link_url_evidence(
    session: Session,
    *,
    claim_id: int,
    url: str,
    title: str,
    stance: str,
    principal: Principal,
    note: str | None = None,
    row_version: int | None = None,
) -> EvidenceView:
    """Link a web page as confirmed evidence and commit. A source with this URL already in
    the library is linked; otherwise a new source is stored in the ``linked`` collection with
    the title the person gave (the page is never fetched: it has no text and no passages).

    Raises ClaimNotFound, StaleClaim, RoleNotAllowed, ActionRefused (URL not http(s) or
    too long; title missing or too long; unknown stance; already evidence; bad note).
    """
    clean_url = _check_url(url)
    clean_title = bounded_text(title, what="The title", limit=MAX_TITLE, required=True)
    chosen = _stance(stance, required=True)
    text = bounded_text(note, what="The note", limit=MAX_NOTE)
    change = _begin(session, claim_id, row_version, principal)
    locks.serialise(session, f"source-collection:{LINKED_COLLECTION}")
    source = session.exec(
        select(Source).where(Source.url == clean_url).order_by(col(Source.id))
    ).first()
    if source is None:
        source = _new_linked_source(session, clean_url, clean_title or "", change.actor)
    return _link(change, source.id or 0, chosen, text, None)


def _new_linked_source(session: Session, url: str, title: str, actor: Actor) -> Source:
    now = utcnow()
    digest = hashlib.sha256(f"{url}\n{title}".encode()).hexdigest()
    source = Source(
        uuid=new_uuid(),
        kind="document",
        collection=LINKED_COLLECTION,
        identity=sources.identity(external_id=None, url=url, text=""),
        url=url,
        title=title,
        text="",
        content_hash=digest,
        extra={"linked_by": actor.label},
        created_at=now,
        updated_at=now,
    )
    session.add(source)
    session.flush()
    return source


def confirm_evidence(
    session: Session,
    *,
    claim_id: int,
    evidence_id: int,
    principal: Principal,
    stance: str | None = None,
    note: str | None = None,
    row_version: int | None = None,
) -> EvidenceView:
    """Confirm a suggested (or rejected) piece of evidence, or change the stance and note of
    a confirmed one, and commit. A stance is needed unless the evidence already has one.

    Raises ClaimNotFound, EvidenceNotFound, StaleClaim, RoleNotAllowed, ActionRefused.
    """
    chosen = _stance(stance, required=False)
    text = bounded_text(note, what="The note", limit=MAX_NOTE)
    change = _begin(session, claim_id, row_version, principal)
    evidence = _row(session, claim_id, evidence_id)
    if chosen is None and evidence.stance is None:
        raise ActionRefused(f"Choose a stance: {', '.join(STANCES)}.")
    return _set_state(change, evidence, "confirmed", chosen or evidence.stance, text)


def reject_evidence(
    session: Session,
    *,
    claim_id: int,
    evidence_id: int,
    principal: Principal,
    note: str | None = None,
    row_version: int | None = None,
) -> EvidenceView:
    """Reject a piece of evidence (suggested or confirmed) and commit; it is kept, marked
    ``rejected``, and no longer counts as confirmed evidence.

    Raises ClaimNotFound, EvidenceNotFound, StaleClaim, RoleNotAllowed, ActionRefused.
    """
    text = bounded_text(note, what="The note", limit=MAX_NOTE)
    change = _begin(session, claim_id, row_version, principal)
    evidence = _row(session, claim_id, evidence_id)
    return _set_state(change, evidence, "rejected", evidence.stance, text)


def _row(session: Session, claim_id: int, evidence_id: int) -> Evidence:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.claim_id != claim_id:
        raise EvidenceNotFound(f"Claim {claim_id} has no evidence {evidence_id}.")
    return evidence


def _set_state(
    change: ClaimChange, evidence: Evidence, state: str, stance: str | None, note: str | None
) -> EvidenceView:
    before = {"state": evidence.state, "stance": evidence.stance, "note": evidence.note}
    version = change.write()
    evidence.state, evidence.stance, evidence.updated_at = state, stance, utcnow()
    if note is not None:
        evidence.note = note
    change.session.add(evidence)
    change.session.flush()
    after: dict[str, Any] = {"evidence_id": evidence.id, "source_id": evidence.source_id}
    after.update(state=state, stance=stance, note=evidence.note, row_version=version)
    action = "evidence_confirmed" if state == "confirmed" else "evidence_rejected"
    change.record(action, before=before, after=after)
    change.session.commit()
    return _one(change.session, evidence.claim_id, evidence.id or 0)


def suggest_evidence(
    session: Session,
    *,
    claim_id: int,
    source_id: int,
    passage_id: int | None = None,
    score: float | None = None,
    match_start: int | None = None,
    match_end: int | None = None,
    actor: Actor = SYSTEM,
) -> EvidenceView | None:
    """Store the matching engine's find as ``suggested`` evidence and commit; None (and no
    change) when the source is already on the claim in any state, rejected included.

    Raises ClaimNotFound, ActionRefused (unknown source).
    """
    claim = claim_changes.load_claim(session, claim_id)
    if session.get(Source, source_id) is None:
        raise ActionRefused(f"There is no source {source_id} in the library.")
    if _existing(session, claim_id, source_id) is not None:
        return None
    change = ClaimChange(session, claim, claim.row_version, actor, actor.id)
    version = change.write()
    now = utcnow()
    evidence = Evidence(
        uuid=new_uuid(),
        claim_id=claim_id,
        source_id=source_id,
        passage_id=passage_id,
        state="suggested",
        score=score,
        match_start=match_start,
        match_end=match_end,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(evidence)
    session.flush()
    after: dict[str, Any] = {"evidence_id": evidence.id, "source_id": source_id}
    after.update(state="suggested")
    after.update(score=score, row_version=version)
    change.record("evidence_suggested", before=None, after=after)
    session.commit()
    return _one(session, claim_id, evidence.id or 0)


def linked_source_ids(session: Session, claim_id: int) -> set[int]:
    """The sources already linked to the claim as evidence (rejected links left out)."""
    rows = session.exec(
        select(Evidence.source_id).where(
            Evidence.claim_id == claim_id, Evidence.state != "rejected"
        )
    )
    return {int(source_id) for source_id in rows}
