"""The audit log: every state change writes an Event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from claimdesk.store.models import Event


@dataclass(frozen=True)
class Actor:
    """Who does something: a user, a token, or ``system`` (the CLI unless it names a user)."""

    kind: str = "system"
    id: int | None = None
    label: str = "system"


SYSTEM = Actor()


def record(
    session: Session,
    *,
    actor: Actor,
    entity_type: str,
    entity_id: int | None,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    event = Event(
        actor_type=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
    )
    session.add(event)
    return event
