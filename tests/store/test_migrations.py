"""Migrations are the only way the schema is made, and they match the models exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from claimdesk.store import migrate
from claimdesk.store.database import Database
from claimdesk.store.engine import make_engine
from claimdesk.store.search_index import include_in_schema_comparison


def test_migrations_produce_exactly_the_models_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_in_schema_comparison}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    assert migrate.current_revision(db.engine) == migrate.head_revision()


def test_every_model_table_exists_after_upgrade(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_harmless(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


_RACE = """
import sys
from claimdesk.store.database import Database
Database.open(sys.argv[1]).close()
"""


def _race(url: str, workers: int = 4) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", _RACE, url], stderr=subprocess.PIPE)
        for _ in range(workers)
    ]
    for proc in procs:
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr.decode()


def test_concurrent_upgrades_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    _race(url)
    engine = make_engine(url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_concurrent_upgrades_on_a_fresh_postgres_database(postgres_server_url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = make_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    name = make_url(postgres_server_url).database + "_race"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    try:
        _race(url)
        engine = make_engine(url)
        assert migrate.current_revision(engine) == migrate.head_revision()
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
