"""Typed dependencies that keep route signatures readable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from claimdesk.store.database import Database


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request, db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    """The request's session: a writing one (SQLite: BEGIN IMMEDIATE) for unsafe methods."""
    with db.session(write=request.method not in SAFE_METHODS) as session:
        yield session


DatabaseDep = Annotated[Database, Depends(get_db)]
SessionDep = Annotated[Session, Depends(get_session)]
