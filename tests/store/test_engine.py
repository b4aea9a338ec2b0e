from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from claimdesk.store.database import Database
from claimdesk.store.engine import DatabaseUrlError, make_engine, normalise_url
from claimdesk.store.models import Article


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("postgres://u:p@h/db", "postgresql+psycopg"),
    ],
)
def test_postgres_urls_select_psycopg3(given: str, driver: str) -> None:
    assert normalise_url(given).startswith(driver + "://")


def test_password_survives_normalisation() -> None:
    assert ":secret@" in normalise_url("postgresql://u:secret@h/db")


def test_unsupported_backend_is_refused() -> None:
    with pytest.raises(DatabaseUrlError, match="unsupported database URL"):
        normalise_url("mysql://root@localhost/x")


def test_sqlite_gets_wal_foreign_keys_and_busy_timeout(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    engine.dispose()


def test_timestamps_come_back_as_utc(db: Database) -> None:
    paris = timezone(timedelta(hours=1))
    when = datetime(2026, 3, 1, 12, 30, tzinfo=paris)
    with db.session() as s:
        article = Article(title="t", created_at=when, updated_at=when)
        s.add(article)
        s.commit()
        article_id = article.id
    with db.session() as s:
        stored = s.get(Article, article_id)
        assert stored is not None
        assert stored.created_at.tzinfo is not None
        assert stored.created_at.utcoffset() == timedelta(0)
        assert stored.created_at == datetime(2026, 3, 1, 11, 30, tzinfo=UTC)


def test_naive_timestamps_are_refused(db: Database) -> None:
    with db.session() as s:
        s.add(Article(title="t", created_at=datetime(2026, 1, 1), updated_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            s.commit()


def test_foreign_keys_are_enforced(db: Database) -> None:
    from claimdesk.store.models import ArticleVersion

    with db.session() as s:
        s.add(ArticleVersion(article_id=999_999, text="x", content_hash="h"))
        with pytest.raises(Exception, match=r"(?i)foreign key"):
            s.commit()
