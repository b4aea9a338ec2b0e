"""Export formats: pure builders from ExportRecords to text, written as it is made.

==============  ===============================  ===================================
format          what                             one item per
==============  ===============================  ===================================
claimreview     schema.org ClaimReview JSON-LD   claim (a JSON list)
annotations     W3C Web Annotation collection    claim (the items of its page)
csv             CSV with a header row            claim
jsonl           JSON Lines                       claim
doccano         doccano sequence-labelling JSONL article version
labelstudio     Label Studio task list (JSON)    article version
==============  ===============================  ===================================

``chunks(name, records, desk, …)`` yields ``str`` pieces so that a caller streams them to a
file or an HTTP response without holding the export in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from claimdesk.core.exports.annotations import annotation, annotation_collection_chunks
from claimdesk.core.exports.claimreview import (
    claim_review,
    claim_review_chunks,
    script_block,
    script_json,
)
from claimdesk.core.exports.filters import (
    EXPORT_STATUSES,
    ExportQuery,
    FilterError,
    StatusNotAllowed,
    allowed_statuses,
    build_query,
)
from claimdesk.core.exports.records import (
    DEFAULT_FACT_CHECK_PATH,
    DeskInfo,
    ExportEvidence,
    ExportRecord,
    PatternError,
    check_url_pattern,
)
from claimdesk.core.exports.tables import csv_chunks, jsonl_chunks
from claimdesk.core.exports.tools import doccano_chunks, labelstudio_chunks

__all__ = [
    "DEFAULT_FACT_CHECK_PATH",
    "EXPORT_STATUSES",
    "FORMATS",
    "DeskInfo",
    "ExportEvidence",
    "ExportFormat",
    "ExportQuery",
    "ExportRecord",
    "FilterError",
    "PatternError",
    "StatusNotAllowed",
    "UnknownFormat",
    "allowed_statuses",
    "annotation",
    "build_query",
    "check_url_pattern",
    "chunks",
    "claim_review",
    "get_format",
    "script_block",
    "script_json",
]


class UnknownFormat(ValueError):
    """No export format has this name."""


@dataclass(frozen=True)
class ExportFormat:
    name: str
    title: str  # for people
    media_type: str
    extension: str
    needs_text: bool  # carries the article text (records need ``article_text``)


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "claimreview", "ClaimReview (JSON-LD)", "application/ld+json", "jsonld", False
        ),
        ExportFormat(
            "annotations", "W3C Web Annotations (JSON-LD)", "application/ld+json", "jsonld", False
        ),
        ExportFormat("csv", "CSV", "text/csv; charset=utf-8", "csv", False),
        ExportFormat("jsonl", "JSON Lines", "application/x-ndjson", "jsonl", False),
        ExportFormat("doccano", "doccano (JSONL)", "application/x-ndjson", "jsonl", True),
        ExportFormat("labelstudio", "Label Studio (JSON)", "application/json", "json", True),
    )
}


def get_format(name: str) -> ExportFormat:
    """The format called ``name``; raises UnknownFormat naming the formats there are."""
    found = FORMATS.get(name.strip().lower())
    if found is None:
        names = ", ".join(FORMATS)
        raise UnknownFormat(f"Unknown export format {name[:40]!r}: choose one of {names}.")
    return found


_Builder = Callable[[Iterable[ExportRecord], DeskInfo], Iterator[str]]
_BUILDERS: dict[str, _Builder] = {
    "claimreview": claim_review_chunks,
    "csv": csv_chunks,
    "jsonl": jsonl_chunks,
    "doccano": doccano_chunks,
    "labelstudio": labelstudio_chunks,
}


def chunks(
    name: str,
    records: Iterable[ExportRecord],
    desk: DeskInfo,
    *,
    collection_id: str = "urn:uuid:00000000-0000-0000-0000-000000000000",
    label: str = "claimdesk export",
) -> Iterator[str]:
    """The export ``name`` of ``records`` as text pieces. ``collection_id`` and ``label``
    name the Web Annotation collection. Raises UnknownFormat."""
    fmt = get_format(name)
    if fmt.name == "annotations":
        return annotation_collection_chunks(records, desk, collection_id=collection_id, label=label)
    return _BUILDERS[fmt.name](records, desk)
