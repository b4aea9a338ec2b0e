"""Source collections on disk: CSV/TSV, JSON Lines and schema.org ClaimReview JSON-LD.

Parsing is streaming and forgiving: a malformed line becomes a ``RecordError`` carrying
its line number, and every other line still yields a ``SourceRecord``. Column mapping
(``text=vclaim``) lets a collection with its own column names be read as is.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from claimdesk.core.sources_claimreview import is_review_type, review_records
from claimdesk.core.sources_records import (
    RecordError,
    SourceRecord,
    clean_value,
    parse_date,
    parse_number,
)

Format = Literal["csv", "jsonl", "claimreview"]
FIELDS = ("id", "title", "text", "url", "publisher", "published_at", "rating", "kind")
"""Columns a collection may have (or be mapped to with ``--map field=column``)."""
KINDS = ("document", "statement", "dataset", "fact_check")
MAX_PASSAGE_CHARS = 1200
csv.field_size_limit(16 * 1024 * 1024)


class FormatError(ValueError):
    """A collection cannot be read at all (unknown format, bad mapping); the message says why."""


@dataclass
class ParseResult:
    records: list[SourceRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["text=vclaim", "id=vclaim_id"]`` → ``{"text": "vclaim", "id": "vclaim_id"}``.

    Raises FormatError for a pair without ``=`` or a field claimdesk does not know.
    """
    mapping: dict[str, str] = {}
    for pair in pairs:
        key, sep, column = pair.partition("=")
        key, column = key.strip(), column.strip()
        if not sep or not key or not column:
            raise FormatError(f"--map takes field=column, got {pair!r}")
        if key not in FIELDS:
            raise FormatError(f"--map: unknown field {key!r}; fields are {', '.join(FIELDS)}")
        mapping[key] = column
    return mapping


def detect_format(name: str) -> Format | None:
    """The collection format a file name suggests, or None (a document to extract)."""
    suffix = Path(name.split("?", 1)[0]).suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".json", ".jsonld"):
        return "claimreview"
    return None


def record_from_row(
    row: Mapping[str, Any], mapping: Mapping[str, str], line: int | None
) -> SourceRecord | RecordError:
    """A record from one CSV row or JSON object, columns renamed by ``mapping``."""
    columns = {f: mapping.get(f, f) for f in FIELDS}
    get = {f: clean_value(row.get(col)) for f, col in columns.items()}
    text, title = get["text"], get["title"]
    if text is None and title is None:
        wanted = f"{columns['text']!r} or {columns['title']!r}"
        return RecordError(line, f"no text: the row has neither {wanted}")
    kind = get["kind"] or "document"
    if kind not in KINDS:
        return RecordError(line, f"unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
    used = set(columns.values())
    extra = {
        k: v for k, v in row.items() if k not in used and k is not None and v not in ("", None)
    }
    raw_date = get["published_at"]
    published = parse_date(raw_date)
    if raw_date and published is None:
        extra["published_at_text"] = raw_date
    rating = get["rating"]
    return SourceRecord(
        text=text or title or "",
        title=title,
        external_id=get["id"],
        url=get["url"],
        publisher=get["publisher"],
        published_at=published,
        kind="fact_check" if rating and kind == "document" else kind,
        claim_reviewed=text if rating else None,
        rating_text=rating,
        rating_value=parse_number(rating),
        extra=extra,
        line=line,
    )


def iter_csv(
    handle: io.TextIOBase | Iterable[str], mapping: Mapping[str, str], *, delimiter: str = ","
) -> Iterator[SourceRecord | RecordError]:
    """Rows of a CSV (or TSV) file with a header line; line numbers count the header as 1."""
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield RecordError(1, f"unreadable header: {exc}")
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RecordError(start, f"malformed CSV: {exc}")
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield RecordError(line, f"{len(row)} fields where the header has {len(header)}")
            continue
        yield record_from_row(dict(zip(header, row, strict=True)), mapping, line)


def iter_jsonl(
    handle: Iterable[str], mapping: Mapping[str, str]
) -> Iterator[SourceRecord | RecordError]:
    """One JSON object per line (plain records or ClaimReview objects); blank lines skip."""
    for number, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield RecordError(number, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(value, dict):
            yield RecordError(number, f"expected a JSON object, got {type(value).__name__}")
            continue
        if is_review_type(value.get("@type")) or "@graph" in value:
            yield from review_records(value, line=number)
        else:
            yield record_from_row(value, mapping, number)


def iter_claimreview(text: str) -> Iterator[SourceRecord | RecordError]:
    """The reviews of one JSON-LD document: an object, a list, a DataFeed or an @graph."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield RecordError(exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    yield from review_records(value, line=None, source_text=text)


def iter_file(
    path: Path, fmt: Format, mapping: Mapping[str, str] | None = None
) -> Iterator[SourceRecord | RecordError]:
    """Records and errors of a collection file, streamed. Raises OSError if unreadable."""
    mapping = mapping or {}
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        if fmt == "csv":
            delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
            yield from iter_csv(handle, mapping, delimiter=delimiter)
        elif fmt == "jsonl":
            yield from iter_jsonl(handle, mapping)
        else:
            yield from iter_claimreview(handle.read())


def parse_file(path: Path, fmt: Format, mapping: Mapping[str, str] | None = None) -> ParseResult:
    """Every record and error of a collection file, in file order."""
    result = ParseResult()
    for item in iter_file(path, fmt, mapping):
        if isinstance(item, RecordError):
            result.errors.append(item)
        else:
            result.records.append(item)
    return result


_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")


def split_passages(text: str, *, max_chars: int = MAX_PASSAGE_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the passages of ``text``: paragraphs, and long paragraphs
    cut at sentence ends (else spaces) into pieces of at most ``max_chars``. Whitespace at a
    passage's edges is left out; ``text[start:end]`` is never empty."""
    spans: list[tuple[int, int]] = []
    position = 0
    for match in [*_BREAK.finditer(text), None]:
        end = match.start() if match is not None else len(text)
        _split_paragraph(text, position, end, max_chars, spans)
        if match is not None:
            position = match.end()
    return spans


def _split_paragraph(
    text: str, start: int, end: int, max_chars: int, spans: list[tuple[int, int]]
) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cut = max((m.end() for m in _SENTENCE_END.finditer(window)), default=0)
        if cut < max_chars // 3:
            cut = window.rfind(" ") + 1 if " " in window[max_chars // 3 :] else max_chars
        piece_end = start + cut
        trimmed = piece_end
        while trimmed > start and text[trimmed - 1].isspace():
            trimmed -= 1
        if trimmed > start:
            spans.append((start, trimmed))
        start = piece_end
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))
