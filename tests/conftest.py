"""Shared fixtures: real SQLite files and a real PostgreSQL database per run.

PostgreSQL is found through CLAIMDESK_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres). A fresh database is created for the run
and dropped after it. Without a server those tests skip, unless CLAIMDESK_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from claimdesk.store.database import Database
from claimdesk.store.engine import make_engine

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")
_backend_counts: dict[str, int] = {}


def shared_path(*parts: str) -> Path:
    """A file in ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data lives beside the repository)")
    return path


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """Create a fresh PostgreSQL database for this run; drop it afterwards."""
    admin_url = os.environ.get("CLAIMDESK_TEST_POSTGRES_URL", DEFAULT_PG)
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("CLAIMDESK_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but did not answer at {admin_url}: {exc}")
        pytest.skip(f"no PostgreSQL server answered at {admin_url}")
    name = f"claimdesk_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_postgres(postgres_server_url: str) -> Iterator[str]:
    """An empty PostgreSQL database of its own (for tests that run servers or commands)."""
    admin = make_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    name = f"claimdesk_fresh_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _migrated() -> Iterator[dict[str, Database]]:
    """The migrated database of each backend, opened once per run."""
    cache: dict[str, Database] = {}
    yield cache
    for db in cache.values():
        db.close()


def _open_backend(
    backend: str, request: pytest.FixtureRequest, cache: dict[str, Database], tmp: Path
) -> Database:
    if backend not in cache:
        if backend == "sqlite":
            url = f"sqlite:///{tmp / 'claimdesk-test.db'}"
        else:
            url = request.getfixturevalue("postgres_server_url")
        cache[backend] = Database.open(url)
    return cache[backend]


def _empty_all_tables(db: Database) -> None:
    from sqlmodel import SQLModel

    with db.engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def db(
    request: pytest.FixtureRequest,
    _migrated: dict[str, Database],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Database]:
    """A migrated database on each backend, emptied before every test."""
    backend: str = request.param
    database = _open_backend(backend, request, _migrated, tmp_path_factory.mktemp(backend))
    _empty_all_tables(database)
    _backend_counts[backend] = _backend_counts.get(backend, 0) + 1
    yield database


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fresh.db'}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _backend_counts:
        parts = ", ".join(f"{name}: {n} tests" for name, n in sorted(_backend_counts.items()))
        terminalreporter.write_line(f"database backends exercised: {parts}")
