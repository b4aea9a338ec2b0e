"""The health check (the other pages live in one router module per resource)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from claimdesk.web.deps import DatabaseDep

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz(db: DatabaseDep) -> JSONResponse:
    try:
        ok = db.ping()
    except SQLAlchemyError:
        ok = False
    status = 200 if ok else 503
    return JSONResponse({"status": "ok" if ok else "database unreachable"}, status_code=status)
