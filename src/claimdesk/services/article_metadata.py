"""An article's metadata made fit to store: every string cleaned and bounded to its column.

The limits are read from the tables themselves, so the same input gives the same stored
values on SQLite (which would accept anything) and PostgreSQL (which refuses a value longer
than its column). What does not fit is handled by what it is:

- a URL (``url``, ``canonical_url``, ``final_url``) too long to store is dropped, never cut
  into a different URL;
- a name (``publisher``, ``author``, a claimant, the title) is cut and ends with "…";
- an identifier (``language``, ``encoding``) too long to be real is dropped;
- a ``Content-Type`` keeps its media type and as many of its parameters as fit, and is
  dropped when even the media type does not fit.

Control characters (NUL among them, which PostgreSQL cannot store) are removed from all of
these; whitespace runs in names become one space.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import inspect

from claimdesk.core.extraction import Extraction
from claimdesk.core.sources_records import parse_date
from claimdesk.store.models import Article, ArticleVersion, Claimant

TITLE_LIMIT = 1000
"""Titles are stored as unbounded text; a longer "title" is page noise, not a headline."""

EXTRA_VALUE_LIMIT = 2000
"""Each string kept in ``ArticleVersion.extra`` (the extractor's metadata, for the record)."""


@functools.cache
def column_limit(model: type[Any], name: str) -> int:
    """The length of the string column ``name`` of table ``model``.

    Raises KeyError for an unknown column and ValueError for a column without a length.
    """
    length = getattr(inspect(model).columns[name].type, "length", None)
    if not isinstance(length, int):
        raise ValueError(f"{model.__name__}.{name} has no length")
    return length


def without_controls(value: str) -> str:
    """``value`` without control characters (category Cc: NUL, the other C0 and C1 codes)."""
    if value.isprintable():
        return value
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc")


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(without_controls(value.replace("\t", " ").replace("\n", " ")).split())
    return cleaned or None


def bounded_url(value: object, limit: int) -> str | None:
    """A URL as stored: cleaned, or None when empty or longer than ``limit``."""
    cleaned = _text(value)
    return cleaned if cleaned is not None and len(cleaned) <= limit else None


def bounded_name(value: object, limit: int) -> str | None:
    """A name as stored: cleaned and, when longer than ``limit``, cut and ended with "…"."""
    cleaned = _text(value)
    if cleaned is None or len(cleaned) <= limit:
        return cleaned
    return cleaned[: limit - 1].rstrip() + "…"


def bounded_token(value: object, limit: int) -> str | None:
    """An identifier (a language tag, an encoding name): cleaned, or None when too long."""
    return bounded_url(value, limit)


def bounded_content_type(value: object, limit: int) -> str | None:
    """A ``Content-Type``: its media type and the parameters that fit within ``limit``."""
    cleaned = _text(value)
    if cleaned is None:
        return None
    media_type, *parameters = (part.strip() for part in cleaned.split(";"))
    if not media_type or len(media_type) > limit:
        return None
    kept = media_type
    for parameter in parameters:
        if parameter and len(kept) + 2 + len(parameter) <= limit:
            kept = f"{kept}; {parameter}"
    return kept


def claimant_name(value: object) -> str | None:
    """A claimant's name as stored (the claimant table's name column bounds it)."""
    return bounded_name(value, column_limit(Claimant, "name"))


@dataclass(frozen=True)
class ArticleMetadata:
    """What an ingest stores beside the text, every value fit for its column."""

    url: str | None
    canonical_url: str | None
    title: str | None
    publisher: str | None
    author: str | None
    published_at: date | None
    language: str | None
    content_type: str | None
    final_url: str | None
    encoding: str | None
    extra: dict[str, Any]


def article_metadata(
    extraction: Extraction, *, url: str | None, content_type: str | None
) -> ArticleMetadata:
    """The storable metadata of ``extraction`` fetched from ``url`` (None when given
    directly). Only ``url`` names where the article lives: a canonical URL the page declares
    is kept as metadata and never identifies an article."""
    meta = extraction.metadata
    url_limit = column_limit(Article, "url")
    stored_url = bounded_url(url, url_limit)
    return ArticleMetadata(
        url=stored_url,
        canonical_url=bounded_url(
            meta.get("canonical_url"), column_limit(Article, "canonical_url")
        ),
        title=bounded_name(extraction.title, TITLE_LIMIT),
        publisher=bounded_name(meta.get("publisher"), column_limit(Article, "publisher")),
        author=bounded_name(
            meta.get("author") or meta.get("byline"), column_limit(Article, "author")
        ),
        published_at=parse_date(meta.get("published_at")),
        language=bounded_token(meta.get("language"), column_limit(Article, "language")),
        content_type=bounded_content_type(
            content_type, column_limit(ArticleVersion, "content_type")
        ),
        final_url=bounded_url(meta.get("final_url"), column_limit(ArticleVersion, "final_url"))
        or stored_url,
        encoding=bounded_token(meta.get("encoding"), column_limit(ArticleVersion, "encoding")),
        extra=_extra(meta),
    )


def _extra(meta: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for key, value in meta.items():
        if isinstance(value, str):
            cleaned = without_controls(value)
            if len(cleaned) > EXTRA_VALUE_LIMIT:
                cleaned = cleaned[: EXTRA_VALUE_LIMIT - 1] + "…"
            extra[without_controls(str(key))] = cleaned
        elif isinstance(value, int | float | bool):
            extra[without_controls(str(key))] = value
    return extra
