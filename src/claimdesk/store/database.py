"""The database handle the CLI and the web app share: an engine plus sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, text
from sqlmodel import Session

from claimdesk.store import migrate
from claimdesk.store.engine import SQLITE_BUSY_TIMEOUT_MS, make_engine, writer


@dataclass
class Database:
    engine: Engine
    write_engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.write_engine = writer(self.engine)

    @classmethod
    def open(cls, url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Database:
        """Open ``url``, upgrading its schema to the newest migration."""
        db = cls(make_engine(url, busy_timeout_ms=busy_timeout_ms))
        migrate.upgrade(db.engine)
        return db

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session; ``write=True`` for a unit of work that writes, so that on SQLite its
        transactions take the write lock when they begin and concurrent writers wait for
        each other (up to the busy timeout) instead of failing halfway."""
        bind = self.write_engine if write else self.engine
        with Session(bind, expire_on_commit=False) as session:
            yield session

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    def close(self) -> None:
        self.engine.dispose()
