"""The read-only SQL console: a researcher's or admin's query over the research views.

Researchers query the ``research_*`` views, admins those and the ``admin_*`` views
(``claimdesk.store.research_views``); nobody else may. The query runs on a read-only
connection of its own with a time limit and a row limit (``claimdesk.store.readonly_sql``).
"""

from __future__ import annotations

from sqlalchemy import Engine

from claimdesk.core.sql_guard import SqlRefused
from claimdesk.core.workflow import RoleNotAllowed
from claimdesk.services.accounts import Principal
from claimdesk.store.readonly_sql import (
    ROW_LIMIT,
    TIME_LIMIT_SECONDS,
    QueryFailed,
    QueryResult,
    QueryTimedOut,
    run_readonly,
)
from claimdesk.store.research_views import PG_ROLES, ResearchView, views_for

__all__ = [
    "ROW_LIMIT",
    "TIME_LIMIT_SECONDS",
    "QueryFailed",
    "QueryResult",
    "QueryTimedOut",
    "SqlRefused",
    "run_query",
    "views",
]


def views(principal: Principal) -> tuple[ResearchView, ...]:
    """The views ``principal`` may query (none for reviewers and editors)."""
    return views_for(principal.role)


def run_query(
    engine: Engine,
    principal: Principal,
    sql: str,
    *,
    time_limit: float = TIME_LIMIT_SECONDS,
    row_limit: int = ROW_LIMIT,
) -> QueryResult:
    """Run ``sql`` as ``principal`` may: over their views only, reading, within the limits.

    Raises RoleNotAllowed (not a researcher or admin), SqlRefused (not one read-only
    query over their views), QueryTimedOut or QueryFailed.
    """
    allowed = views(principal)
    if not allowed:
        raise RoleNotAllowed(f"Your role ({principal.role}) may not run SQL queries.")
    return run_readonly(
        engine,
        sql,
        views=allowed,
        pg_role=PG_ROLES.get(principal.role),
        time_limit=time_limit,
        row_limit=row_limit,
    )
