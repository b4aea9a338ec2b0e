"""Generated secrets, kept in the database so that every worker signs alike."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from claimdesk.store.models import AppSecret

SESSION_SIGNING_KEY = "session_signing_key"


def get_or_create(session: Session, name: str) -> str:
    """The secret called ``name``, generated (256 random bits) the first time it is asked for.

    Two workers asking at once both end up with the one that was stored first.
    """
    row = session.get(AppSecret, name)
    if row is not None:
        return row.value
    session.add(AppSecret(name=name, value=secrets.token_hex(32)))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
    row = session.get(AppSecret, name)
    assert row is not None
    return row.value
