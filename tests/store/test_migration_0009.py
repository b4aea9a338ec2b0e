"""0009 makes the research views (and, on PostgreSQL, the roles that may read only them),
and takes the views away again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from claimdesk.store import migrate
from claimdesk.store.engine import make_engine
from claimdesk.store.research_views import ADMIN, PG_ROLES, RESEARCHER, VIEWS


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each backend, of its own (not the shared migrated one)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm0009.db'}")
        yield engine
        engine.dispose()
        return
    server: str = request.getfixturevalue("postgres_server_url")
    name = f"{make_url(server).database}_m0009"
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


def test_views_come_and_go(fresh_engine: Engine) -> None:
    _alembic(fresh_engine, "upgrade", "0009")
    made = set(inspect(fresh_engine).get_view_names())
    assert {view.name for view in VIEWS} <= made
    if fresh_engine.dialect.name == "postgresql":
        with fresh_engine.connect() as conn:
            for view in VIEWS:
                for role in (RESEARCHER, ADMIN):
                    may = conn.execute(
                        text("SELECT has_table_privilege(:role, :view, 'SELECT')"),
                        {"role": PG_ROLES[role], "view": view.name},
                    ).scalar()
                    assert may == (role == ADMIN or view.audience == RESEARCHER), view.name
                may_read_users = conn.execute(
                    text("SELECT has_table_privilege(:role, 'auth_user', 'SELECT')"),
                    {"role": PG_ROLES[ADMIN]},
                ).scalar()
                assert may_read_users is False
    _alembic(fresh_engine, "upgrade", "head")  # later migrations keep them
    assert {view.name for view in VIEWS} <= set(inspect(fresh_engine).get_view_names())
    _alembic(fresh_engine, "downgrade", "0008")
    assert not {view.name for view in VIEWS} & set(inspect(fresh_engine).get_view_names())
    _alembic(fresh_engine, "upgrade", "0009")  # and again: the roles are already there
    assert {view.name for view in VIEWS} <= set(inspect(fresh_engine).get_view_names())
