"""CSV and JSON Lines: one row per claim with its article, span, verdict, evidence and people.

CSV cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) get a leading apostrophe; numbers we write ourselves are
left as numbers. Several values in one CSV cell (tags, evidence URLs) are joined by a
newline, which the csv module quotes. JSON Lines keep every value as it is, lists as lists.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from claimdesk.core.exports.records import DeskInfo, ExportRecord, iso_datetime

__all__ = ["COLUMNS", "csv_chunks", "jsonl_chunks", "neutralise_formula", "row"]

COLUMNS = (
    "claim_uuid",
    "article_uuid",
    "article_url",
    "article_title",
    "publisher",
    "version_date",
    "start",
    "end",
    "quote",
    "statement",
    "claimant",
    "claim_date",
    "verdict_uuid",
    "verdict",
    "rating_value",
    "best_rating",
    "worst_rating",
    "rationale",
    "verdict_state",
    "proposed_at",
    "approved_at",
    "published_at",
    "tags",
    "evidence_urls",
    "reviewer",
    "approver",
    "fact_check_url",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CSV_ROWS_PER_CHUNK = 100


def neutralise_formula(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _date(value: Any) -> str | None:
    if value is None:
        return None
    return iso_datetime(value) if hasattr(value, "hour") else str(value.isoformat())


def row(record: ExportRecord, desk: DeskInfo) -> dict[str, Any]:
    """The claim as one flat mapping (JSON Lines; CSV writes the same columns)."""
    return {
        "claim_uuid": record.claim_uuid,
        "article_uuid": record.article_uuid,
        "article_url": record.article_url,
        "article_title": record.article_title,
        "publisher": record.publisher,
        "version_date": _date(record.version_date),
        "start": record.start,
        "end": record.end,
        "quote": record.quote,
        "statement": record.statement,
        "claimant": record.claimant,
        "claim_date": _date(record.claim_date),
        "verdict_uuid": record.verdict_uuid,
        "verdict": record.label,
        "rating_value": record.rating_value,
        "best_rating": record.best_rating,
        "worst_rating": record.worst_rating,
        "rationale": record.rationale,
        "verdict_state": record.verdict_state,
        "proposed_at": _date(record.proposed_at),
        "approved_at": _date(record.approved_at),
        "published_at": _date(record.published_at),
        "tags": list(record.tags),
        "evidence_urls": [e.url for e in record.evidence if e.url],
        "evidence": [
            {"url": e.url, "title": e.title, "stance": e.stance, "note": e.note}
            for e in record.evidence
        ],
        "reviewer": record.reviewer,
        "approver": record.approver,
        "fact_check_url": desk.fact_check_url(record.claim_uuid),
    }


def jsonl_chunks(records: Iterable[ExportRecord], desk: DeskInfo) -> Iterator[str]:
    """One JSON object per claim and line."""
    for record in records:
        yield json.dumps(row(record, desk), ensure_ascii=False) + "\n"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else value
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value)
    return neutralise_formula(str(value))


def csv_chunks(records: Iterable[ExportRecord], desk: DeskInfo) -> Iterator[str]:
    """A header row, then one row per claim (RFC 4180 quoting, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for count, record in enumerate(records, start=1):
        values = row(record, desk)
        writer.writerow([_cell(values[name]) for name in COLUMNS])
        if count % _CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
