"""What every command shares: messages on stderr, exit codes, opening the database."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlmodel import Session

from claimdesk.config import Settings
from claimdesk.store.database import Database
from claimdesk.store.engine import DatabaseUrlError


def err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str) -> typer.Exit:
    """Say what went wrong on stderr; the caller raises the returned exit (code 1)."""
    err(f"error: {message}")
    return typer.Exit(1)


def open_database() -> Database:
    """The configured database, migrated to the newest schema."""
    settings = Settings.from_env()
    try:
        return Database.open(settings.database_url)
    except DatabaseUrlError as exc:
        raise fail(str(exc)) from None


@contextmanager
def database_session(*expected: type[Exception]) -> Iterator[Session]:
    """A session on the configured database, closed afterwards; an ``expected`` error
    becomes a clear message and exit code 1."""
    db = open_database()
    try:
        with db.session() as session:
            yield session
    except expected as exc:
        raise fail(str(exc)) from None
    finally:
        db.close()
