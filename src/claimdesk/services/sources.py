"""Use cases for the source library: import collections and documents into sources,
passages and the search index.

A source's identity within its collection is its external id, else its URL, else the
hash of its text. Re-importing a source updates it in place (its passages are re-split and
re-indexed) and never duplicates it; an unchanged source is left alone. Sources are
written in batches, one transaction each, so a failure or an interrupt never leaves a
half-written source; one ``Event`` is recorded per batch, not per source.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlmodel import Session

from claimdesk.core.match_text import terms as index_terms
from claimdesk.core.sources_formats import FormatError, detect_format, iter_file, split_passages
from claimdesk.core.sources_records import RecordError, SourceRecord, parse_date
from claimdesk.services import events
from claimdesk.services.events import Actor
from claimdesk.store import bulk, locks, search_index
from claimdesk.store.models import Passage, Source
from claimdesk.store.types import new_uuid, utcnow

FormatChoice = Literal["auto", "csv", "jsonl", "claimreview"]
BATCH_SIZE = 1000
MAX_COLLECTION = 200
_LIMITS = {"external_id": 500, "url": 1990}
_TRUNCATE = {"publisher": 300, "rating_text": 300, "reviewer": 300}

_SOURCE = Source.__table__  # type: ignore[attr-defined]
_PASSAGE = Passage.__table__  # type: ignore[attr-defined]


class SourceImportError(ValueError):
    """A collection cannot be imported at all (bad name, unreadable file, bad format)."""


class ImportInterrupted(Exception):
    """The import was interrupted; ``report`` counts the batches that were committed."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("import interrupted")
        self.report = report


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    passages: int = 0
    batches: int = 0
    errors: list[tuple[str, RecordError]] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged


def identity(*, external_id: str | None, url: str | None, text: str) -> str:
    """``id:<external id>``, else ``url:<url>``, else ``sha256:<hash of the text>``."""
    if external_id:
        return f"id:{external_id}"
    if url:
        return f"url:{url}"
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _strip(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\x00", "").strip()
        return value or None
    return value


def _row(record: SourceRecord, collection: str) -> dict[str, Any] | str:
    """The ``source`` columns of a record, or why it cannot be stored."""
    values = {
        "kind": record.kind,
        "external_id": _strip(record.external_id),
        "url": _strip(record.url),
        "title": _strip(record.title),
        "publisher": _strip(record.publisher),
        "published_at": record.published_at,
        "claim_reviewed": _strip(record.claim_reviewed),
        "rating_text": _strip(record.rating_text),
        "rating_value": record.rating_value,
        "rating_best": record.rating_best,
        "rating_worst": record.rating_worst,
        "reviewer": _strip(record.reviewer),
        "text": (_strip(record.text) or ""),
        "extra": {k: _strip(v) for k, v in record.extra.items()},
    }
    if not values["text"]:
        return "no text"
    for key, limit in _LIMITS.items():
        if values[key] is not None and len(values[key]) > limit:
            return f"{key} is longer than {limit} characters"
    for key, limit in _TRUNCATE.items():
        if values[key] is not None:
            values[key] = values[key][:limit]
    values["collection"] = collection
    values["identity"] = identity(
        external_id=values["external_id"], url=values["url"], text=values["text"]
    )
    canonical = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    values["content_hash"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return values


ANALYZE_AFTER = 2000
"""Sources created or updated by one import from which the planner statistics are refreshed."""


def import_records(
    session: Session,
    items: Iterable[SourceRecord | RecordError],
    *,
    collection: str = "",
    actor: Actor,
    origin: str = "",
    batch_size: int = BATCH_SIZE,
    report: ImportReport | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> ImportReport:
    """Store records into ``collection``; parse errors are collected, not raised.

    Commits once per batch; after a bulk import (``ANALYZE_AFTER`` sources or more) it
    refreshes the planner's statistics of the library tables (PostgreSQL), so searches are
    planned for the library's new size without relying on autovacuum. Raises
    SourceImportError for a bad collection name and ImportInterrupted (with the committed
    counts) on KeyboardInterrupt; the batch in flight is rolled back, so no source is ever
    half-written.
    """
    collection = collection.strip()
    if len(collection) > MAX_COLLECTION:
        raise SourceImportError(f"collection name is over {MAX_COLLECTION} characters")
    report = report if report is not None else ImportReport()
    batch: dict[str, dict[str, Any]] = {}
    try:
        for item in items:
            if isinstance(item, RecordError):
                report.errors.append((origin, item))
                continue
            row = _row(item, collection)
            if isinstance(row, str):
                report.errors.append((origin, RecordError(item.line, row)))
                continue
            batch[row["identity"]] = row
            if len(batch) >= batch_size:
                _commit_batch(session, batch, collection, actor, origin, report, on_batch)
                batch = {}
        if batch:
            _commit_batch(session, batch, collection, actor, origin, report, on_batch)
        if report.created + report.updated >= ANALYZE_AFTER:
            search_index.refresh_statistics(session.connection())
            session.commit()
    except KeyboardInterrupt:
        session.rollback()
        raise ImportInterrupted(report) from None
    except BaseException:
        session.rollback()
        raise
    return report


def _commit_batch(
    session: Session,
    batch: dict[str, dict[str, Any]],
    collection: str,
    actor: Actor,
    origin: str,
    report: ImportReport,
    on_batch: Callable[[int], None] | None,
) -> None:
    # Two imports into one collection at once: the second waits, then sees the first's rows.
    locks.serialise(session, f"source-collection:{collection}")
    conn = session.connection()
    existing = {
        ident: (sid, digest)
        for sid, ident, digest in conn.execute(
            select(_SOURCE.c.id, _SOURCE.c.identity, _SOURCE.c.content_hash).where(
                _SOURCE.c.collection == collection,
                _SOURCE.c.identity.in_(bindparam("ids", expanding=True)),
            ),
            {"ids": list(batch)},
        )
    }
    now = utcnow()
    fresh: list[dict[str, Any]] = []
    changed: list[tuple[int, dict[str, Any]]] = []
    for ident, row in batch.items():
        found = existing.get(ident)
        if found is None:
            fresh.append({**row, "uuid": new_uuid(), "sensitive": False, "created_at": now})
        elif found[1] == row["content_hash"]:
            report.unchanged += 1
        else:
            changed.append((found[0], row))
    for sid, row in changed:
        conn.execute(delete(_PASSAGE).where(_PASSAGE.c.source_id == sid))
        conn.execute(update(_SOURCE).where(_SOURCE.c.id == sid).values(**row, updated_at=now))
    indexed: list[tuple[int, dict[str, Any]]] = list(changed)
    if fresh:
        for r in fresh:
            r["updated_at"] = now
        ids = bulk.insert_returning_ids(conn, _SOURCE, fresh)
        indexed.extend(zip(ids, fresh, strict=True))
    report.passages += _store_passages(conn, indexed)
    report.created += len(fresh)
    report.updated += len(changed)
    report.batches += 1
    events.record(
        session,
        actor=actor,
        entity_type="source_import",
        entity_id=None,
        action="imported",
        after={
            "collection": collection,
            "origin": origin,
            "created": len(fresh),
            "updated": len(changed),
            "unchanged": len(batch) - len(fresh) - len(changed),
        },
    )
    session.commit()
    if on_batch is not None:
        on_batch(len(batch))


def _store_passages(conn: Connection, sources: Sequence[tuple[int, dict[str, Any]]]) -> int:
    rows: list[dict[str, Any]] = []
    title_terms: list[list[str]] = []
    for sid, values in sources:
        text, title = values["text"], index_terms(values.get("title") or "")
        for seq, (start, end) in enumerate(split_passages(text)):
            rows.append(
                {"source_id": sid, "seq": seq, "start": start, "end": end, "text": text[start:end]}
            )
            title_terms.append(title)
    if not rows:
        return 0
    ids = bulk.insert_returning_ids(conn, _PASSAGE, rows)
    search_index.add(
        conn,
        [
            (pid, " ".join(title + index_terms(row["text"])))
            for pid, row, title in zip(ids, rows, title_terms, strict=True)
        ],
    )
    return len(rows)


def iter_path(
    name: str, fmt: FormatChoice = "auto", mapping: dict[str, str] | None = None
) -> Iterator[SourceRecord | RecordError]:
    """Records of one collection file, or of one document (file or URL) to extract.

    Raises SourceImportError when the file cannot be read or the document extracted.
    """
    from claimdesk.core.errors import InputError
    from claimdesk.services import inputs

    chosen = detect_format(name) if fmt == "auto" else fmt
    if chosen is None or inputs.is_url(name):
        try:
            loaded = inputs.load(name)
        except InputError as exc:
            raise SourceImportError(str(exc)) from None
        meta = loaded.extraction.metadata
        yield SourceRecord(
            text=loaded.extraction.text,
            title=loaded.extraction.title,
            url=loaded.url or _meta(meta, "canonical_url"),
            publisher=_meta(meta, "publisher"),
            published_at=parse_date(meta.get("published_at")),
            extra={"file": Path(name).name} if loaded.url is None else {},
        )
        return
    path = Path(name)
    if not path.is_file():
        raise SourceImportError(f"{name}: no such file")
    try:
        yield from iter_file(path, chosen, mapping)
    except (OSError, FormatError) as exc:
        raise SourceImportError(f"{name}: {exc}") from None


def _meta(meta: dict[str, Any], key: str) -> str | None:
    value = meta.get(key)
    return value if isinstance(value, str) and value else None
