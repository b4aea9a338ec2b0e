"""`claimdesk users add` and `tokens create` refuse a NUL character with a message (exit 1).

A shell cannot put a NUL in an argument, but a program calling the CLI in-process can; the
CLI must then say what is wrong rather than fail inside the database (PostgreSQL refuses
NUL in text, SQLite would store it).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from claimdesk.cli import app
from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import ApiToken, User


def _counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        users = s.exec(select(func.count()).select_from(User)).one()
        tokens = s.exec(select(func.count()).select_from(ApiToken)).one()
    return int(users), int(tokens)


def test_nul_in_an_email_or_token_name_is_refused_with_a_message(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CLAIMDESK_DATABASE_URL", url)
    with db.session() as s:
        accounts.add_user(
            s, email="ana@desk.test", role="editor", password="a long password", actor=SYSTEM
        )
    before = _counts(db)
    runner = CliRunner()
    cases = [
        (["users", "add", "bo\x00b@desk.test", "--role", "editor", "--generate"], "the email"),
        (["tokens", "create", "ana@desk.test", "--name", "lap\x00top"], "the token name"),
        (["tokens", "create", "an\x00a@desk.test"], "the email"),
    ]
    for args, field in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert f"error: {field} contains a NUL character" in result.stderr, args
        assert result.stdout == "", args
    assert _counts(db) == before
