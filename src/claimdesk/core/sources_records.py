"""The shape of one source record as read from a collection, and value parsing helpers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class SourceRecord:
    """One source as read from a collection, before it is stored."""

    text: str
    title: str | None = None
    external_id: str | None = None
    url: str | None = None
    publisher: str | None = None
    published_at: date | None = None
    kind: str = "document"
    claim_reviewed: str | None = None
    rating_text: str | None = None
    rating_value: float | None = None
    rating_best: float | None = None
    rating_worst: float | None = None
    reviewer: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass(frozen=True)
class RecordError:
    """A line (or JSON-LD item) that could not be read; the rest of the file still is."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def clean_value(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_date(value: object) -> date | None:
    """ISO dates and timestamps, ``26 May 2015``, ``May 26, 2015``; None otherwise."""
    text = clean_value(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    text = re.sub(r"\s+", " ", text.replace(",", ""))
    for pattern in ("%d %B %Y", "%B %d %Y", "%d %b %Y", "%b %d %Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = clean_value(value)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None
