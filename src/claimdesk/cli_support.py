"""What every command shares: messages on stderr, exit codes, opening the database.

Start-up stays fast because the CLI modules import the database stack (SQLAlchemy,
SQLModel, the store and the services) inside the commands that use it, never at the top:
`claimdesk --help` and `claimdesk extract` load none of it (tests/test_cli_startup.py).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlmodel import Session

    from claimdesk.store.database import Database

BUSY = "the database stayed busy with other writers; nothing was changed, try again"


def err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str) -> typer.Exit:
    """Say what went wrong on stderr; the caller raises the returned exit (code 1)."""
    err(f"error: {message}")
    return typer.Exit(1)


def open_database() -> Database:
    """The configured database, migrated to the newest schema. On SQLite a command waits up
    to CLI_BUSY_TIMEOUT_MS for other writers (another ingest, the web app) to finish."""
    from claimdesk.config import Settings
    from claimdesk.store.database import Database
    from claimdesk.store.engine import CLI_BUSY_TIMEOUT_MS, DatabaseUrlError

    settings = Settings.from_env()
    try:
        return Database.open(settings.database_url, busy_timeout_ms=CLI_BUSY_TIMEOUT_MS)
    except DatabaseUrlError as exc:
        raise fail(str(exc)) from None


@contextmanager
def database_session(*expected: type[Exception]) -> Iterator[Session]:
    """A writing session on the configured database, closed afterwards; an ``expected``
    error becomes a clear message and exit code 1, and so does a database still busy after
    the wait (nothing of the command's transaction is kept)."""
    from sqlalchemy.exc import DBAPIError

    from claimdesk.store.engine import is_contention

    db = open_database()
    try:
        with db.session(write=True) as session:
            yield session
    except expected as exc:
        raise fail(str(exc)) from None
    except DBAPIError as exc:
        if is_contention(exc):
            raise fail(BUSY) from None
        raise
    finally:
        db.close()
