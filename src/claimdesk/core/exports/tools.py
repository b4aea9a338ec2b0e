"""Annotation-tool formats: doccano JSONL and Label Studio JSON, one item per article version.

Both hold the article version's whole cleaned text and one labelled span per claim (the
verdict label). The records must come grouped by article version (``services.exports``
orders them so); claims of one version that arrive apart would make two items.

Offsets: Label Studio stores code points (as Python does); doccano counts UTF-16 code units
(as JavaScript does), so doccano offsets are converted: a character beyond U+FFFF, such as
an emoji, counts twice there.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from claimdesk.core.exports.records import DeskInfo, ExportRecord

__all__ = ["doccano_chunks", "labelstudio_chunks", "utf16_offset"]


def utf16_offset(text: str, index: int) -> int:
    """The UTF-16 code-unit offset of code-point ``index`` in ``text``."""
    head = text[:index]
    return len(head) + sum(1 for c in head if ord(c) > 0xFFFF)


def _groups(records: Iterable[ExportRecord]) -> Iterator[list[ExportRecord]]:
    for _version, group in itertools.groupby(records, key=lambda r: r.version_uuid):
        yield list(group)


def _text(group: list[ExportRecord]) -> str:
    text = group[0].article_text
    if text is None:
        raise ValueError("the article text was not loaded for this export")
    return text


def _meta(first: ExportRecord) -> dict[str, Any]:
    return {
        "article_uuid": first.article_uuid,
        "article_url": first.article_url,
        "article_title": first.article_title,
        "publisher": first.publisher,
        "version_uuid": first.version_uuid,
        "version_number": first.version_number,
    }


def _anchored(records: Iterable[ExportRecord]) -> Iterator[ExportRecord]:
    """The claims with a span: an orphaned claim has no words to label in the text."""
    return (r for r in records if r.start is not None and r.end is not None)


def doccano_chunks(records: Iterable[ExportRecord], desk: DeskInfo) -> Iterator[str]:
    """doccano sequence-labelling JSONL: ``{"text", "label": [[start, end, label]], …}``;
    the other keys are kept by doccano as the example's metadata."""
    for group in _groups(_anchored(records)):
        text = _text(group)
        item = {
            "text": text,
            "label": [
                [utf16_offset(text, r.start or 0), utf16_offset(text, r.end or 0), r.label]
                for r in group
            ],
            **_meta(group[0]),
            "claims": [
                {
                    "claim_uuid": r.claim_uuid,
                    "statement": r.statement,
                    "fact_check_url": desk.fact_check_url(r.claim_uuid),
                }
                for r in group
            ],
        }
        yield json.dumps(item, ensure_ascii=False) + "\n"


def _labelstudio_task(group: list[ExportRecord]) -> dict[str, Any]:
    text = _text(group)
    result = [
        {
            "id": r.claim_uuid,
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": r.start, "end": r.end, "text": r.quote, "labels": [r.label]},
        }
        for r in group
    ]
    return {
        "data": {"text": text, **_meta(group[0])},
        "annotations": [{"result": result}],
    }


def labelstudio_chunks(records: Iterable[ExportRecord], desk: DeskInfo) -> Iterator[str]:
    """Label Studio's JSON import: a list of tasks, ``data.text`` the article version and
    ``annotations[0].result`` one ``labels`` region per claim (labelling config
    ``<Labels name="label" toName="text">`` over ``<Text name="text" value="$text">``)."""
    yield "["
    separator = "\n"
    for group in _groups(_anchored(records)):
        yield separator + json.dumps(_labelstudio_task(group), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"
