"""Serialising a unit of work by a key, on both backends.

On PostgreSQL, ``serialise`` takes a transaction-scoped advisory lock per key, so two
transactions doing get-or-create on the same key run one after the other and the second
sees what the first committed. On SQLite a writing session (``Database.session(write=True)``)
already holds the database's single write lock from its first statement, so there is
nothing more to take.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlmodel import Session


def lock_id(key: str) -> int:
    """A stable signed 64-bit id for ``key`` (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big", signed=True)


def serialise(session: Session, *keys: str) -> None:
    """Hold a lock on each key until the session's transaction ends (sorted, so two callers
    with overlapping keys cannot deadlock)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(key)})
