"""Read-only SQL for researchers and admins: the ``/sql`` page and ``/api/sql``.

``GET /api/sql?sql=…``, or ``POST /api/sql`` with a ``sql`` form field or a JSON body
``{"sql": "…"}``, answers ``{"columns": [...], "rows": [[...]], "truncated": bool}``
(``truncated``: there were more rows than the row limit). A query that is refused (not one
read-only SELECT over the reader's views), that the database cannot run, or that is
stopped by the time limit is 422 with ``{"detail": "…"}`` saying which; 422 rather than
408 for the time limit, since browsers and proxies may repeat a request answered 408.
Reviewers and editors get 403. The page runs the same queries from a form (GET, so a
query has a URL; POST too), and lists the views with their columns.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from claimdesk.core.permissions import Permission
from claimdesk.core.sql_guard import MAX_SQL_LENGTH
from claimdesk.services import sql_console
from claimdesk.services.accounts import Principal
from claimdesk.web.auth import Require
from claimdesk.web.deps import DatabaseDep
from claimdesk.web.rendering import render

router = APIRouter()
Querier = Annotated[Principal, Depends(Require(Permission.QUERY_SQL))]
SqlParam = Annotated[str | None, Query(max_length=MAX_SQL_LENGTH)]

EXAMPLE = (
    "SELECT v.label, count(*) AS claims\n"
    "FROM research_verdicts AS v\n"
    "WHERE v.state = 'published'\n"
    "GROUP BY v.label\n"
    "ORDER BY claims DESC"
)
_RESULT_EXAMPLE: dict[str, Any] = {
    "columns": ["label", "claims"],
    "rows": [["False", 12]],
    "truncated": False,
}
_REFUSED_EXAMPLE = {"detail": "Only one statement at a time: remove everything after …"}


class SqlResult(BaseModel):
    """The rows of a query: values are JSON numbers, text (times in ISO 8601, UUIDs, blobs
    in base64), JSON for JSON columns, or null."""

    model_config = ConfigDict(json_schema_extra={"examples": [_RESULT_EXAMPLE]})
    columns: list[str] = Field(description="The result's column names, in order.")
    rows: list[list[Any]] = Field(description="At most 1000 rows, each a list of values.")
    truncated: bool = Field(description="There were more rows than came back.")


class SqlError(BaseModel):
    detail: str = Field(description="Why the query was refused, failed or stopped, in words.")


_POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["sql"],
                    "properties": {"sql": {"type": "string", "maxLength": MAX_SQL_LENGTH}},
                    "additionalProperties": False,
                },
                "example": {"sql": EXAMPLE},
            },
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["sql"],
                    "properties": {"sql": {"type": "string", "maxLength": MAX_SQL_LENGTH}},
                }
            },
        },
    }
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": SqlError, "description": "Not signed in (send a Bearer token)."},
    403: {"model": SqlError, "description": "Only researchers and admins may query."},
    422: {
        "model": SqlError,
        "description": "Refused (not one read-only query over your views), failed, or "
        "stopped by the time limit.",
        "content": {"application/json": {"example": _REFUSED_EXAMPLE}},
    },
}


def _run(db: DatabaseDep, principal: Principal, sql: str) -> sql_console.QueryResult:
    """Raises HTTPException 422 with the reason for a query that did not give rows."""
    try:
        return sql_console.run_query(db.engine, principal, sql)
    except (
        sql_console.SqlRefused,
        sql_console.QueryFailed,
        sql_console.QueryTimedOut,
    ) as exc:
        raise HTTPException(422, str(exc)) from None


def _json(result: sql_console.QueryResult) -> dict[str, Any]:
    return {"columns": result.columns, "rows": result.rows, "truncated": result.truncated}


@router.get(
    "/api/sql",
    summary="Run a read-only SQL query (GET)",
    response_model=SqlResult,
    responses=_RESPONSES,
)
async def get_api_sql(
    db: DatabaseDep,
    principal: Querier,
    sql: Annotated[
        str, Query(max_length=MAX_SQL_LENGTH, description="One SELECT over your views.")
    ],
) -> dict[str, Any]:
    """Run one read-only query over your research views; at most 1000 rows, 3 seconds."""
    return _json(await run_in_threadpool(_run, db, principal, sql))


async def _posted_sql(request: Request) -> str:
    """The ``sql`` of a JSON body or a form; raises HTTPException 422 saying what is wrong."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise HTTPException(422, "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise HTTPException(422, 'Send a JSON object: {"sql": "SELECT …"}.')
        extra = sorted(set(body) - {"sql"})
        if extra:
            raise HTTPException(422, f"The field {extra[0]!r} is not expected here.")
        value = body.get("sql")
    else:
        form = await request.form()
        value = form.get("sql")
    if value is None:
        raise HTTPException(422, "The field 'sql' is missing.")
    if not isinstance(value, str):
        raise HTTPException(422, "The field 'sql' must be text.")
    return value


@router.post(
    "/api/sql",
    summary="Run a read-only SQL query (POST, form or JSON)",
    response_model=SqlResult,
    responses=_RESPONSES,
    openapi_extra=_POST_BODY,
)
async def post_api_sql(request: Request, db: DatabaseDep, principal: Querier) -> dict[str, Any]:
    """Run one read-only query sent as a ``sql`` form field or a JSON ``{"sql": …}``."""
    sql = await _posted_sql(request)
    return _json(await run_in_threadpool(_run, db, principal, sql))


async def _page(
    request: Request, db: DatabaseDep, principal: Principal, sql: str | None
) -> HTMLResponse:
    context: dict[str, Any] = {
        "sql": sql if sql is not None else EXAMPLE,
        "ran": bool(sql and sql.strip()),
        "views": sql_console.views(principal),
        "time_limit": sql_console.TIME_LIMIT_SECONDS,
        "row_limit": sql_console.ROW_LIMIT,
        "result": None,
        "error": None,
        "api_url": None,
    }
    status = 200
    if context["ran"]:
        assert sql is not None
        try:
            context["result"] = await run_in_threadpool(_run, db, principal, sql)
            context["api_url"] = "/api/sql?" + urlencode({"sql": sql})
        except HTTPException as exc:
            context["error"], status = exc.detail, exc.status_code
    return render(request, "sql/index.html", context, block="result", status_code=status)


@router.get("/sql", response_class=HTMLResponse)
async def sql_page(
    request: Request, db: DatabaseDep, principal: Querier, sql: SqlParam = None
) -> HTMLResponse:
    """The SQL console; with ``?sql=`` it runs the query (htmx: the result block only)."""
    return await _page(request, db, principal, sql)


@router.post("/sql", response_class=HTMLResponse)
async def sql_page_post(request: Request, db: DatabaseDep, principal: Querier) -> HTMLResponse:
    """The SQL console run from a posted form (a long query); nothing is changed."""
    form = await request.form()
    value = form.get("sql")
    return await _page(request, db, principal, value if isinstance(value, str) else "")
