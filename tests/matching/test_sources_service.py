"""Importing sources on SQLite and PostgreSQL: idempotent, atomic per source, interruptible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from claimdesk.core.sources_records import RecordError, SourceRecord
from claimdesk.services import matching, sources
from claimdesk.services.events import SYSTEM
from claimdesk.store import search_index
from claimdesk.store.database import Database
from claimdesk.store.models import Event, Passage, Source
from tests.conftest import shared_path
from tests.matching.library import CLAIMREVIEW_FEED, CSV_LIBRARY, JSONL_LIBRARY


def _import(db: Database, path: Path, **kwargs: object) -> sources.ImportReport:
    with db.session() as session:
        return sources.import_records(
            session,
            sources.iter_path(str(path), **kwargs),  # type: ignore[arg-type]
            actor=SYSTEM,
            origin=path.name,
        )


def _counts(db: Database) -> tuple[int, int, int]:
    with db.engine.connect() as conn:
        n_sources = conn.execute(select(func.count()).select_from(Source)).scalar_one()
        n_passages = conn.execute(select(func.count()).select_from(Passage)).scalar_one()
        indexed = search_index.stats(conn).documents
    return n_sources, n_passages, indexed


@pytest.mark.parametrize(
    ("name", "content", "options", "expected"),
    [
        ("lib.csv", CSV_LIBRARY, {}, 8),
        ("lib.jsonl", JSONL_LIBRARY, {"mapping": {"id": "vclaim_id", "text": "vclaim"}}, 3),
        ("feed.jsonld", CLAIMREVIEW_FEED, {}, 2),
    ],
)
def test_reimport_is_idempotent(
    db: Database,
    tmp_path: Path,
    name: str,
    content: str,
    options: dict[str, object],
    expected: int,
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    first = _import(db, path, **options)
    assert (first.created, first.updated, first.unchanged) == (expected, 0, 0)
    before = _counts(db)
    second = _import(db, path, **options)
    assert (second.created, second.updated, second.unchanged) == (0, 0, expected)
    assert _counts(db) == before == (expected, expected, expected)


def test_changed_source_is_updated_in_place(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "lib.csv"
    path.write_text(CSV_LIBRARY, encoding="utf-8")
    _import(db, path)
    path.write_text(CSV_LIBRARY.replace("every winter", "every spring"), encoding="utf-8")
    report = _import(db, path)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 7)
    assert _counts(db) == (8, 8, 8)
    with db.session() as session:
        [top] = matching.match(session, "Old Mill bridge closes every spring", limit=1)
        assert top.external_id == "fc-2" and "spring" in top.passage


def test_identity_falls_back_to_url_then_text_hash(db: Database) -> None:
    records = [
        SourceRecord(text="Same text", external_id="", url="https://x.test/a"),
        SourceRecord(text="Same text", url="https://x.test/a", title="Renamed"),
        SourceRecord(text="No id, no url"),
        SourceRecord(text="No id, no url"),
    ]
    with db.session() as session:
        report = sources.import_records(session, records, actor=SYSTEM, batch_size=1)
        found = session.exec(select(Source.identity).order_by(Source.identity)).all()
    assert report.created == 2 and report.updated == 1 and report.unchanged == 1
    assert found[0].startswith("sha256:") and found[1] == "url:https://x.test/a"


def test_malformed_lines_are_reported_and_nothing_is_half_written(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [
        '{"id": "ok-1", "text": "First good line."}',
        "{broken",
        '{"id": "' + "x" * 600 + '", "text": "Id too long."}',
        '{"id": "ok-2", "text": "Second good\\u0000 line."}',
        '{"id": "empty", "text": "", "title": ""}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _import(db, path)
    assert report.created == 2
    assert sorted(e.line or 0 for _origin, e in report.errors) == [2, 3, 5]
    assert _counts(db) == (2, 2, 2)


def test_interrupt_keeps_committed_batches_and_no_half_source(db: Database) -> None:
    def records() -> Iterator[SourceRecord | RecordError]:
        for i in range(5):
            yield SourceRecord(text=f"Claim number {i} about tides.", external_id=f"t-{i}")
        raise KeyboardInterrupt

    with db.session() as session, pytest.raises(sources.ImportInterrupted) as caught:
        sources.import_records(session, records(), actor=SYSTEM, batch_size=2)
    assert caught.value.report.created == 4
    assert _counts(db) == (4, 4, 4)
    with db.engine.connect() as conn:
        orphans = conn.execute(
            text("SELECT count(*) FROM source WHERE id NOT IN (SELECT source_id FROM passage)")
        ).scalar_one()
    assert orphans == 0


def test_one_event_per_batch(db: Database) -> None:
    records = [SourceRecord(text=f"Statement {i}", external_id=str(i)) for i in range(25)]
    with db.session() as session:
        sources.import_records(session, records, actor=SYSTEM, batch_size=10, collection="ev")
        events = session.exec(select(Event).where(Event.entity_type == "source_import")).all()
    assert len(events) == 3 and sum(e.after["created"] for e in events) == 25  # type: ignore[index]


def test_schema_org_examples_import_with_their_ratings(db: Database) -> None:
    folder = shared_path("conformance", "claimreview", "jsonld")
    for path in sorted(folder.glob("eg-*.jsonld")):
        assert not _import(db, path).errors
    with db.session() as session:
        rows = {s.external_id: s for s in session.exec(select(Source)).all()}
    assert len(rows) == 3 and all(s.kind == "fact_check" for s in rows.values())
    perry = next(s for s in rows.values() if s.claim_reviewed and "3,000" in s.claim_reviewed)
    assert (perry.rating_text, perry.rating_value, perry.rating_best) == ("True", 1.0, 6.0)
    assert perry.identity == f"id:{perry.url}"


def test_session_is_usable_after_import(session: Session) -> None:
    report = sources.import_records(session, [SourceRecord(text="Hello tides")], actor=SYSTEM)
    assert report.created == 1
    assert session.exec(select(func.count()).select_from(Source)).one() == 1


def test_documents_are_extracted_and_split_into_passages(db: Database, tmp_path: Path) -> None:
    doc = tmp_path / "statement.md"
    paragraphs = [f"Paragraph {i} says the harbour dredging ended in week {i}." for i in range(3)]
    doc.write_text("# Harbour statement\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    assert _import(db, doc).created == 1
    assert _import(db, doc).unchanged == 1
    with db.session() as session:
        [top] = matching.match(session, "dredging ended in week 2", limit=1)
    assert "week 2" in top.passage[top.match_start : top.match_end]
