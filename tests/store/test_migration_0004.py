"""0004 turns the login attempts' succeeded flag into an outcome, keeping every row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from claimdesk.store import migrate
from claimdesk.store.engine import make_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each backend, of its own (not the shared migrated one)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm0004.db'}")
        yield engine
        engine.dispose()
        return
    server: str = request.getfixturevalue("postgres_server_url")
    name = f"{make_url(server).database}_m0004"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(server).set(database=name).render_as_string(False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _alembic(engine: Engine, action: str, revision: str) -> None:
    with engine.connect() as conn:
        getattr(command, action)(migrate.alembic_config(conn), revision)
        conn.commit()


def test_attempts_keep_their_meaning_through_upgrade_and_downgrade(fresh_engine: Engine) -> None:
    _alembic(fresh_engine, "upgrade", "0003")
    with fresh_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO auth_login_attempt (email, client_ip, succeeded, created_at) "
                "VALUES ('a@desk.test', '10.0.0.1', :ok, CURRENT_TIMESTAMP)"
            ),
            [{"ok": True}, {"ok": False}],
        )
    _alembic(fresh_engine, "upgrade", "0004")
    with fresh_engine.connect() as conn:
        outcomes = conn.execute(text("SELECT outcome FROM auth_login_attempt ORDER BY id"))
        assert [row[0] for row in outcomes] == ["succeeded", "failed"]
    _alembic(fresh_engine, "downgrade", "0003")
    with fresh_engine.connect() as conn:
        flags = conn.execute(text("SELECT succeeded FROM auth_login_attempt ORDER BY id"))
        assert [bool(row[0]) for row in flags] == [True, False]
