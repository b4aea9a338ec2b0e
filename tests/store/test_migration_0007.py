"""0007 gives every desk a public_fact_checks setting, off, and takes it away again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from claimdesk.store import migrate
from claimdesk.store.engine import make_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each backend, of its own (not the shared migrated one)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm0007.db'}")
        yield engine
        engine.dispose()
        return
    server: str = request.getfixturevalue("postgres_server_url")
    name = f"{make_url(server).database}_m0007"
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


def test_an_existing_desk_keeps_its_settings_and_is_not_public(fresh_engine: Engine) -> None:
    _alembic(fresh_engine, "upgrade", "0006")
    with fresh_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO desk_settings (organisation_name, organisation_url, updated_at) "
                "VALUES ('Gazette checks', 'https://gazette.test/', CURRENT_TIMESTAMP)"
            )
        )
    _alembic(fresh_engine, "upgrade", "0007")
    with fresh_engine.connect() as conn:
        row = conn.execute(
            text("SELECT organisation_name, public_fact_checks FROM desk_settings")
        ).one()
    assert (row[0], bool(row[1])) == ("Gazette checks", False)
    _alembic(fresh_engine, "downgrade", "0006")
    columns = {c["name"] for c in inspect(fresh_engine).get_columns("desk_settings")}
    assert "public_fact_checks" not in columns
    assert "organisation_name" in columns
