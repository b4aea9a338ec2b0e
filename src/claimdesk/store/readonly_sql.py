"""Run one researcher's query on a read-only connection, with a time limit and a row limit.

Every query is first checked by ``claimdesk.core.sql_guard`` (one SELECT; no writes,
ATTACH, PRAGMA or settings). Then the database itself keeps it to reading the views its
reader may see:

- SQLite: a connection of its own to the file opened read-only (``file:…?mode=ro``),
  ``PRAGMA query_only``, an authorizer that allows SELECT, reading the allowed views and
  functions and denies everything else (base tables, ATTACH, PRAGMA, writes), and a
  progress handler that interrupts the query when its time is up.
- PostgreSQL: a read-only transaction with ``SET LOCAL statement_timeout`` that runs as
  the reader's NOLOGIN role (``SET LOCAL ROLE``, see ``research_views.PG_ROLES``), which
  may SELECT from its views and nothing else of the desk's. The statement goes through the
  extended protocol (a prepared statement), which refuses several statements at once, and
  the connection is closed afterwards rather than returned to the pool. When the role
  cannot be used (the migrating user could not create roles), a weaker check stands in:
  the query may not name any base table, catalog or view it was not given.
"""

from __future__ import annotations

import base64
import sqlite3
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from claimdesk.core.sql_guard import (
    FUNCTIONS_REFUSED,
    POSTGRESQL,
    SQLITE,
    SqlRefused,
    check_no_shadowing,
    check_query,
    identifiers,
)
from claimdesk.store.engine import sqlite_path
from claimdesk.store.research_views import ResearchView

TIME_LIMIT_SECONDS = 3.0
ROW_LIMIT = 1000
MAX_RESULT_BYTES = 20_000_000
"""Fewer rows come back (``truncated``) when their text and bytes pass this size; on
SQLite no single value may be longer (a query making one fails in words)."""
_BATCH = 100
_PROGRESS_STEPS = 1000  # SQLite virtual machine steps between looks at the clock


class QueryTimedOut(Exception):
    """The query ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The query was stopped after {seconds:g} seconds, its time limit. "
            "Narrow it (a WHERE clause, a LIMIT) and try again."
        )


class QueryFailed(ValueError):
    """The database could not run the query (a mistake in it, a type error, …)."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool  # more rows than the row limit: only the first ones are here


def not_a_view_message(name: str) -> str:
    return (
        f"Only the research views can be read here, and {name} is not one of them: "
        "choose from the list of views."
    )


def run_readonly(
    engine: Engine,
    sql: str,
    *,
    views: Sequence[ResearchView],
    pg_role: str | None,
    time_limit: float = TIME_LIMIT_SECONDS,
    row_limit: int = ROW_LIMIT,
) -> QueryResult:
    """Run ``sql`` reading only ``views``; at most ``row_limit`` rows come back.

    Raises SqlRefused (not a single read-only query, or it reaches beyond ``views``),
    QueryTimedOut (stopped after ``time_limit`` seconds) or QueryFailed (the database
    could not run it). ``pg_role`` is the PostgreSQL role to run as.
    """
    dialect = engine.dialect.name
    statement = check_query(sql, dialect)
    check_no_shadowing(statement, dialect, {v.name for v in views})
    if dialect == SQLITE:
        return _run_sqlite(engine, statement, views, time_limit, row_limit)
    if dialect == POSTGRESQL:
        return _run_postgresql(engine, statement, views, pg_role, time_limit, row_limit)
    raise QueryFailed(f"SQL queries are not supported on {dialect}.")  # pragma: no cover


# --- SQLite -------------------------------------------------------------------------------


_SQLITE_INTERNALS = ("sqlite_", "pragma_", "dbstat")
"""Schema tables, PRAGMA functions and page statistics: never for the console."""


def _authorizer(
    views: Sequence[ResearchView], schema: set[str], denied: list[str]
) -> Callable[..., int]:
    """Allow reading ``views`` (and WITH queries and table functions such as json_each,
    which are not in the ``schema``); deny every other table and every other action."""
    allowed = {v.name for v in views}
    countable = {table for v in views for table in v.whole_tables}

    def authorize(
        action: int, arg1: str | None, arg2: str | None, _db: str | None, source: str | None
    ) -> int:
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION:
            if (arg2 or "").lower() in FUNCTIONS_REFUSED:
                denied.append(f"The function {arg2} is not allowed here.")
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            # Through an allowed view (``source``), the view itself, or count(*) over a
            # plain view, which SQLite reports as a read of no column of its table.
            table = (arg1 or "").lower()
            if table.startswith(_SQLITE_INTERNALS):
                denied.append(f"{arg1} is not allowed: only the research views can be read.")
                return sqlite3.SQLITE_DENY
            if source in allowed or table in allowed or table not in schema:
                return sqlite3.SQLITE_OK
            if arg2 == "" and table in countable:
                return sqlite3.SQLITE_OK
            denied.append(not_a_view_message(str(arg1)))
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA:
            denied.append("PRAGMA is not allowed: settings cannot be read or changed here.")
        else:
            denied.append("Only reading the research views is allowed here.")
        return sqlite3.SQLITE_DENY

    return authorize


def _run_sqlite(
    engine: Engine,
    sql: str,
    views: Sequence[ResearchView],
    time_limit: float,
    row_limit: int,
) -> QueryResult:
    path = sqlite_path(str(engine.url))
    if path is None:
        raise QueryFailed("SQL queries need a database file, not an in-memory database.")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=time_limit, check_same_thread=False)
    denied: list[str] = []
    try:
        conn.execute("PRAGMA query_only=1")
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_RESULT_BYTES)
        schema = {str(row[0]).lower() for row in conn.execute("SELECT name FROM sqlite_schema")}
        # JSON table functions set themselves up on first use by writing SQLite's own
        # schema, which the authorizer would refuse: have them ready before it.
        conn.execute("SELECT * FROM json_each('[]'), json_tree('[]')").fetchall()
        conn.set_authorizer(_authorizer(views, schema, denied))
        deadline = time.monotonic() + time_limit
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)
        cursor = conn.execute(sql)
        columns = [d[0] for d in cursor.description or ()]
        rows, more = _fetch(cursor, row_limit)
    except (sqlite3.Error, sqlite3.Warning) as exc:
        if denied:
            raise SqlRefused(denied[0]) from None
        if isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc):
            raise QueryTimedOut(time_limit) from None
        raise QueryFailed(f"The database could not run the query: {exc}.") from None
    finally:
        conn.close()
    return _result(columns, rows, more)


# --- PostgreSQL ---------------------------------------------------------------------------

_ROLE_USABLE = text(
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :role)"
    " THEN pg_has_role(:role, CASE WHEN current_setting('server_version_num')::int >= 160000"
    " THEN 'SET' ELSE 'MEMBER' END)"  # PostgreSQL 16: membership without SET is not enough
    " AND has_table_privilege(:role, :view, 'SELECT')"
    " ELSE false END"
)
_BASE_NAMES = text(
    "SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace"
    " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
)


def role_usable(conn: Connection, role: str, view: str) -> bool:
    """May this connection act as ``role``, and may the role read ``view``?"""
    return bool(conn.execute(_ROLE_USABLE, {"role": role, "view": view}).scalar())


def _check_names(conn: Connection, sql: str, views: Sequence[ResearchView]) -> None:
    """The fallback without a role: the query names no relation but its views, no
    catalog (``pg_*``, ``information_schema``). Raises SqlRefused."""
    allowed = {v.name for v in views}
    relations = {str(name).lower() for name in conn.execute(_BASE_NAMES).scalars()}
    for name in sorted(identifiers(sql, POSTGRESQL)):
        lowered = name.lower()
        if lowered in allowed:
            continue
        if lowered in relations or lowered.startswith("pg_") or lowered == "information_schema":
            raise SqlRefused(not_a_view_message(name))


def _run_postgresql(
    engine: Engine,
    sql: str,
    views: Sequence[ResearchView],
    pg_role: str | None,
    time_limit: float,
    row_limit: int,
) -> QueryResult:
    conn = engine.connect()
    try:
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(time_limit * 1000))}")
        if pg_role and views and role_usable(conn, pg_role, views[0].name):
            conn.exec_driver_sql(f'SET LOCAL ROLE "{pg_role}"')
        else:
            _check_names(conn, sql, views)
        raw: Any = conn.connection.dbapi_connection  # a psycopg Connection
        # A server-side cursor (DECLARE … CURSOR FOR, sent by the extended protocol, which
        # takes one statement only): rows come over as they are fetched, not all at once.
        cursor = raw.cursor(name="claimdesk_sql")
        try:
            cursor.execute(sql)
            columns = [str(d.name) for d in cursor.description or ()]
            rows, more = _fetch(cursor, row_limit)
        finally:
            cursor.close()
    except DBAPIError as exc:  # from SQLAlchemy's own statements above
        raise _pg_error(exc.orig, time_limit) from None
    except Exception as exc:
        if _is_psycopg_error(exc):
            raise _pg_error(exc, time_limit) from None
        raise
    finally:
        conn.invalidate()  # never back to the pool: nothing of this session lives on
        conn.close()
    return _result(columns, rows, more)


def _is_psycopg_error(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc, psycopg.Error)


def _pg_error(exc: BaseException | None, time_limit: float) -> Exception:
    code = getattr(exc, "sqlstate", None)
    diag = getattr(exc, "diag", None)
    message = getattr(diag, "message_primary", None) or str(exc)
    if code == "57014":  # query_canceled: statement_timeout
        return QueryTimedOut(time_limit)
    if code == "42501":  # insufficient_privilege
        return SqlRefused(
            f"Only the research views can be read here ({message}): choose from the list of views."
        )
    if code == "25006":  # read_only_sql_transaction
        return SqlRefused(f"Only reading is allowed here ({message}).")
    if code == "42601" and "multiple commands" in message:
        return SqlRefused("Only one statement at a time.")
    return QueryFailed(f"The database could not run the query: {message}.")


# --- Results ------------------------------------------------------------------------------


def _fetch(cursor: Any, row_limit: int) -> tuple[list[Sequence[Any]], bool]:
    """Up to ``row_limit`` rows, fewer past MAX_RESULT_BYTES; and whether there were more."""
    rows: list[Sequence[Any]] = []
    size = 0
    while len(rows) < row_limit:
        batch = cursor.fetchmany(min(_BATCH, row_limit - len(rows)))
        if not batch:
            return rows, False
        for row in batch:
            rows.append(row)
            size += sum(len(v) for v in row if isinstance(v, str | bytes | memoryview))
            if size > MAX_RESULT_BYTES:
                return rows, True
    return rows, bool(cursor.fetchmany(1))


def _result(columns: list[str], rows: Sequence[Sequence[Any]], more: bool) -> QueryResult:
    kept = [[json_value(value) for value in row] for row in rows]
    return QueryResult(columns, kept, truncated=more)


def json_value(value: Any) -> Any:
    """A database value as JSON can hold it: times as ISO 8601, UUIDs and decimals as
    text, bytes as base64."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, datetime | date | time_of_day):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID | timedelta):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)
