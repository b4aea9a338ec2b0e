"""The database handle the CLI and the web app share: an engine plus sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlmodel import Session

from claimdesk.store import migrate
from claimdesk.store.engine import make_engine


@dataclass
class Database:
    engine: Engine

    @classmethod
    def open(cls, url: str) -> Database:
        """Open ``url``, upgrading its schema to the newest migration."""
        db = cls(make_engine(url))
        migrate.upgrade(db.engine)
        return db

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    def close(self) -> None:
        self.engine.dispose()
