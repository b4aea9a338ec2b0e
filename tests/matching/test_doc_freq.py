"""Document frequencies stay exact as passages and claims come and go, on both backends.

SQLite reads them from FTS5's vocab tables; PostgreSQL keeps them in ``*_fts_df`` tables
maintained on insert (from Python) and delete (a statement trigger). Each check compares
``doc_freq`` with a count made from the index rows themselves.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from alembic import command
from sqlalchemy import Connection, delete, text, update
from sqlmodel import Session, col, select

from claimdesk.core.sources_records import SourceRecord
from claimdesk.services import matching, sources
from claimdesk.services.events import SYSTEM
from claimdesk.store import migrate, search_index
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, Passage, Source
from tests.factories import ARTICLE_TEXT, ingest_article

WORDS = ["tram", "ferry", "budget", "bridge", "school", "meals", "council", "harbour"]


def _counted(conn: Connection, table: str) -> dict[str, int]:
    """Each term's number of index rows, counted from the rows' terms."""
    key = "rowid" if conn.dialect.name == "sqlite" else f"{table.split('_')[0]}_id"
    counts: Counter[str] = Counter()
    for _, terms in conn.execute(text(f"SELECT {key}, terms FROM {table}")):
        counts.update(set(str(terms).split()))
    return dict(counts)


def _assert_exact(conn: Connection) -> None:
    passages = _counted(conn, "passage_fts")
    claims = _counted(conn, "claim_fts")
    probe = sorted({*passages, *claims, "absent"})
    assert search_index.doc_freq(conn, probe) == passages
    assert search_index.claim_doc_freq(conn, probe) == claims
    assert search_index.stats(conn).documents == sum(
        1 for _ in conn.execute(text("SELECT terms FROM passage_fts"))
    )


def _delete_collection(session: Session, collection: str) -> None:
    ids = select(Source.id).where(col(Source.collection) == collection)
    session.exec(delete(Passage).where(col(Passage.source_id).in_(ids)))
    session.exec(delete(Source).where(col(Source.collection) == collection))


def _records(prefix: str, n: int) -> list[SourceRecord]:
    return [
        SourceRecord(
            text=f"The {WORDS[i % 8]} and the {WORDS[(i * 3) % 8]} report {prefix} {i}.",
            external_id=f"{prefix}-{i}",
        )
        for i in range(n)
    ]


def test_document_frequencies_follow_every_change(db: Database) -> None:
    with db.session() as s:
        sources.import_records(s, _records("a", 30), collection="one", actor=SYSTEM)
        sources.import_records(s, _records("b", 20), collection="two", actor=SYSTEM)
        result = ingest_article(s)
        ingest_article(s, text=ARTICLE_TEXT + "\n\nThe tram line opens in May.")
        _assert_exact(s.connection())

        # a collection's passages deleted in one statement (their index rows go by cascade)
        _delete_collection(s, "two")
        s.commit()
        _assert_exact(s.connection())

        # passages deleted by id
        some = s.exec(Passage.__table__.select().limit(3)).all()  # type: ignore[attr-defined]
        s.exec(delete(Passage).where(col(Passage.id).in_([p.id for p in some])))
        s.commit()
        _assert_exact(s.connection())

        # a claim's statement changed and re-indexed, one removed, one deleted
        tram = result.claims[1]
        new = "The harbour ferry will carry 9000 passengers a day"
        s.exec(update(Claim).where(col(Claim.id) == tram.id).values(statement=new))
        search_index.index_claims(s.connection(), [(tram.id, new)])
        search_index.remove_claims(s.connection(), [result.claims[0].id])
        s.exec(delete(Claim).where(col(Claim.id) == result.claims[2].id))
        s.commit()
        _assert_exact(s.connection())
        assert search_index.doc_freq(s.connection(), ["tram"])["tram"] > 0


def test_concurrent_imports_and_deletes_keep_exact_counts(db: Database) -> None:
    """Writers touching the same terms in different orders queue; none deadlocks or
    loses a count."""
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            records = _records(f"w{n}", 40)
            if n % 2:
                records.reverse()
            with db.session(write=True) as s:
                sources.import_records(s, records, collection=f"c{n}", actor=SYSTEM)
            if n % 3 == 0:
                with db.session(write=True) as s:
                    _delete_collection(s, f"c{n}")
                    s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session() as s:
        _assert_exact(s.connection())


def test_the_migration_counts_what_is_already_indexed(fresh_postgres: str) -> None:
    """PostgreSQL: 0008 fills the frequency tables and the passages' kinds from the index
    rows stored before it, and its downgrade brings back the per-row trigger that keeps
    the counts."""
    check = SourceRecord(
        text="The harbour ferry carried 9000 passengers a day last summer.",
        external_id="fc-ferry",
        kind="fact_check",
        rating_text="False",
    )
    db = Database.open(fresh_postgres)
    try:
        with db.session() as s:
            records = [*_records("a", 25), check]
            sources.import_records(s, records, collection="one", actor=SYSTEM)
            ingest_article(s)
            expected = _counted(s.connection(), "passage_fts")
        with db.engine.connect() as conn:
            command.downgrade(migrate.alembic_config(conn), "0008-1")
            conn.commit()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT to_regclass('passage_fts_df')")).scalar() is None
            conn.execute(text("DELETE FROM passage WHERE id = (SELECT min(id) FROM passage)"))
            conn.commit()
            stored = conn.execute(text("SELECT documents FROM passage_fts_stats")).scalar()
            assert stored == 25  # the restored per-row trigger kept the count
            expected = _counted(conn, "passage_fts")
        migrate.upgrade(db.engine)
        with db.session() as s:
            _assert_exact(s.connection())
            assert search_index.doc_freq(s.connection(), list(expected)) == expected
            found = matching.checked_before(s, "harbour ferry carried 9000 passengers a day")
            assert [m.external_id for m in found.fact_checks] == ["fc-ferry"]
    finally:
        db.close()


def test_a_bulk_import_refreshes_the_planner_statistics(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: after a bulk import the library tables are analysed (autovacuum may be
    off); a small import leaves them be. SQLite: both imports simply succeed."""
    monkeypatch.setattr(sources, "ANALYZE_AFTER", 30)

    def analysed(conn: Connection) -> int:
        if conn.dialect.name == "sqlite":
            return 0
        return int(
            conn.execute(
                text(
                    "SELECT sum(analyze_count) FROM pg_stat_user_tables "
                    "WHERE relname IN ('passage_fts', 'passage_fts_df')"
                )
            ).scalar()
            or 0
        )

    with db.session() as s:
        before = analysed(s.connection())
        sources.import_records(s, _records("small", 10), collection="one", actor=SYSTEM)
        after_small = analysed(s.connection())
        sources.import_records(s, _records("bulk", 40), collection="two", actor=SYSTEM)
        after_bulk = analysed(s.connection())
    assert after_small == before
    if db.engine.dialect.name != "sqlite":
        assert after_bulk == before + 2
