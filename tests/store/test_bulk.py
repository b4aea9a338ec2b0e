"""Bulk inserts: ids in the rows' order, every column kept, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from claimdesk.store import bulk
from claimdesk.store.database import Database
from claimdesk.store.models import Source
from claimdesk.store.types import new_uuid, utcnow

SOURCE = Source.__table__  # type: ignore[attr-defined]


def _row(n: int, **extra: object) -> dict[str, object]:
    now = utcnow()
    return {
        "uuid": new_uuid(),
        "kind": "fact_check" if n % 2 else "document",
        "collection": "bulk",
        "identity": f"id:{n}",
        "external_id": str(n),
        "title": f"Title {n} with 'quotes', a tab\there, a backslash \\ and é",
        "published_at": date(2026, 1, 1 + n % 28),
        "rating_value": n / 3,
        "sensitive": False,
        "text": f"Text {n}\nsecond line\\N not a null",
        "content_hash": f"{n:064d}",
        "extra": {"n": n, "nested": {"list": [1, "two", None]}, "quote": "\"'"},
        "created_at": now,
        "updated_at": now,
        **extra,
    }


def test_ids_come_back_in_order_and_every_value_is_kept(db: Database) -> None:
    rows = [_row(n) for n in range(250)]
    with db.session(write=True) as s:
        ids = bulk.insert_returning_ids(s.connection(), SOURCE, rows)
        s.commit()
        assert len(set(ids)) == 250
        stored = {r.id: r for r in s.connection().execute(select(SOURCE))}
    for new_id, row in zip(ids, rows, strict=True):
        got = stored[new_id]
        for key, value in row.items():
            assert getattr(got, key) == value, key


def test_a_failing_batch_leaves_nothing(db: Database) -> None:
    rows = [_row(1), _row(2), _row(1)]  # the third breaks (collection, identity)
    with db.session(write=True) as s:
        with pytest.raises(IntegrityError):
            bulk.insert_returning_ids(s.connection(), SOURCE, rows)
        s.rollback()
        assert s.connection().execute(select(SOURCE.c.id)).all() == []
        assert bulk.insert_returning_ids(s.connection(), SOURCE, []) == []
