"""How every change to a claim is made: one optimistic lock, one event, one commit.

A change reads the claim, checks the ``row_version`` the person saw, then runs
``UPDATE claim SET ..., row_version = row_version + 1 WHERE id = :id AND row_version = :seen``.
When no row changes, someone else changed the claim first: the transaction is rolled back
and ``StaleClaim`` says who and when (from the claim's latest event). The claim's events all
have ``entity_type = "claim"`` and ``entity_id = claim.id`` (verdict, evidence, comment and
tag changes too, with their own ids in ``after``), so its history is one indexed query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from claimdesk.core.permissions import Permission, allows
from claimdesk.core.workflow import ActionRefused, RoleNotAllowed
from claimdesk.services import events
from claimdesk.services.accounts import Principal
from claimdesk.services.events import Actor
from claimdesk.store.models import Claim, Event
from claimdesk.store.types import utcnow

CLAIM = "claim"
"""The ``entity_type`` of every event in a claim's history."""


class ClaimNotFound(LookupError):
    """No claim has that id (HTTP 404)."""


class StaleClaim(Exception):
    """The claim changed since the person loaded it (HTTP 409). Nothing was saved.

    ``row_version`` is the claim's current version; ``changed_by``/``changed_at`` come from
    its latest event (None when it has none).
    """

    def __init__(
        self,
        *,
        claim_id: int,
        row_version: int,
        changed_by: str | None,
        changed_at: datetime | None,
    ) -> None:
        who = changed_by or "someone"
        when = f" at {changed_at.isoformat(timespec='seconds')}" if changed_at else ""
        super().__init__(
            f"The claim was changed by {who}{when} after you loaded it."
            " Reload it to see the change, then try again."
        )
        self.message = str(self)
        self.claim_id = claim_id
        self.row_version = row_version
        self.changed_by = changed_by
        self.changed_at = changed_at


@dataclass
class ClaimChange:
    """A change in progress: the claim as read and the version it must still have."""

    session: Session
    claim: Claim
    expected_version: int
    actor: Actor
    user_id: int | None  # the person acting, None for the system

    def write(self, **values: Any) -> int:
        """Update the claim (``values`` plus a fresh ``updated_at``) if nobody changed it
        meanwhile, and bump its version; returns the new version. Call this before writing
        anything else that belongs to the change, so the claim's row is locked first.

        Raises StaleClaim (after rolling back) when the claim moved on.
        """
        claim_id = self.claim.id
        assert claim_id is not None
        statement = (
            update(Claim)
            .where(col(Claim.id) == claim_id, col(Claim.row_version) == self.expected_version)
            .values(**values, updated_at=utcnow(), row_version=col(Claim.row_version) + 1)
        )
        result = self.session.connection().execute(statement)
        if result.rowcount != 1:
            raise stale(self.session, claim_id)
        self.session.expire(self.claim)
        return self.expected_version + 1

    def record(self, action: str, *, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        """Add the change's event to the claim's history (same transaction)."""
        events.record(
            self.session,
            actor=self.actor,
            entity_type=CLAIM,
            entity_id=self.claim.id,
            action=action,
            before=before,
            after=after,
        )


def load_claim(session: Session, claim_id: int) -> Claim:
    """The claim as stored now (not a copy cached in the session); raises ClaimNotFound."""
    claim = session.get(Claim, claim_id, populate_existing=True)
    if claim is None:
        raise ClaimNotFound(f"There is no claim {claim_id}.")
    return claim


def require(principal: Principal, permission: Permission, doing: str) -> None:
    """Raises RoleNotAllowed unless ``principal``'s role holds ``permission``."""
    if not allows(principal.role, permission):
        raise RoleNotAllowed(f"Your role ({principal.role}) may not {doing}.")


def begin(
    session: Session,
    *,
    claim_id: int,
    row_version: int | None,
    principal: Principal,
    permission: Permission,
    doing: str,
) -> ClaimChange:
    """Start a change: the role must hold ``permission``, the claim must exist and, when
    ``row_version`` is given, still be at that version (None: whatever version is read now,
    still guarded against a change landing between this read and the write).

    Raises RoleNotAllowed, ClaimNotFound, StaleClaim.
    """
    require(principal, permission, doing)
    claim = load_claim(session, claim_id)
    if row_version is not None and claim.row_version != row_version:
        raise stale(session, claim_id)
    return ClaimChange(session, claim, claim.row_version, principal.actor, principal.user_id)


def stale(session: Session, claim_id: int) -> StaleClaim:
    """Roll back and describe who changed the claim last, for raising."""
    session.rollback()
    version = session.exec(select(Claim.row_version).where(Claim.id == claim_id)).one()
    last = latest_event(session, claim_id)
    return StaleClaim(
        claim_id=claim_id,
        row_version=version,
        changed_by=last.actor_label if last else None,
        changed_at=last.created_at if last else None,
    )


def latest_event(session: Session, claim_id: int) -> Event | None:
    query = (
        select(Event)
        .where(Event.entity_type == CLAIM, Event.entity_id == claim_id)
        .order_by(col(Event.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def bounded_text(value: str | None, *, what: str, limit: int, required: bool = False) -> str | None:
    """``value`` stripped, or None when blank; raises ActionRefused when it is required and
    blank, longer than ``limit`` characters, or holds a NUL character."""
    if value is None or not value.strip():
        if required:
            raise ActionRefused(f"{what} is missing.")
        return None
    if "\x00" in value:
        raise ActionRefused(f"{what} contains a NUL character (\\0), which cannot be stored.")
    if len(value) > limit:
        raise ActionRefused(f"{what} is too long (at most {limit} characters).")
    return value.strip()
