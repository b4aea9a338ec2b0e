"""One engine factory for SQLite (embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

SQLITE_BUSY_TIMEOUT_MS = 10_000  # the web app: a request waits this long for the write lock
CLI_BUSY_TIMEOUT_MS = 120_000  # batch commands wait for each other much longer


class DatabaseUrlError(ValueError):
    """The database URL names a backend claimdesk does not support."""


def normalise_url(url: str) -> str:
    """Map ``postgresql://`` (and ``postgres://``) to psycopg 3; leave SQLite as it is."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        return url
    raise DatabaseUrlError(f"unsupported database URL {parsed!r}: use sqlite:/// or postgresql://")


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINTs and DDL; SQLAlchemy emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")  # before WAL: it may wait
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


WRITE_OPTION = "claimdesk_write"


def _sqlite_begin(conn: Any) -> None:
    # A transaction that will write takes SQLite's write lock up front (BEGIN IMMEDIATE), so
    # writers queue on the busy timeout instead of failing when a read turns into a write
    # (a deferred transaction cannot wait for the lock: SQLite answers "database is locked").
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: Engine) -> Engine:
    """``engine`` for transactions that write: on SQLite they begin IMMEDIATE; on
    PostgreSQL nothing changes (row locks and unique keys do the work there)."""
    return engine.execution_options(**{WRITE_OPTION: True})


def make_engine(
    url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> Engine:
    """Create an engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout
    (how long a writer waits for another one before giving up)."""
    url = normalise_url(url)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


# SQLite's "database is locked"/"busy"; PostgreSQL's serialization failure, deadlock,
# lock-not-available and the cancel a lock_timeout or statement_timeout gives.
_PG_CONTENTION_CODES = frozenset({"40001", "40P01", "55P03", "57014"})


def is_contention(exc: BaseException) -> bool:
    """Did a statement fail only because other writers held the database (try again later),
    rather than because of what it asked?"""
    if not isinstance(exc, DBAPIError):
        return False
    code = getattr(exc.orig, "sqlstate", None)
    if code in _PG_CONTENTION_CODES:
        return True
    message = str(exc.orig).lower()
    return isinstance(exc, OperationalError) and (
        "database is locked" in message
        or "database table is locked" in message
        or "busy" in message
    )
