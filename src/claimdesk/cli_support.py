"""What every command shares: messages on stderr, exit codes, opening the database."""

from __future__ import annotations

import sys

import typer

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
