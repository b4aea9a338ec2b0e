"""Claim extraction: the data shapes and the entry points used by services and the CLI.

Everything here is pure: bytes or text in, spans out. Offsets are Python code points into the
cleaned body text (``Extraction.text``), and ``text[start:end] == quote`` always holds.

Pipeline: decode (``decoding``) → HTML/Markdown to text (``markup``) → normalise and drop page
noise (``cleaning``) → sentences with offsets (``segmentation``) → claim spans, claimants and
check-worthiness (``claims``, ``scoring``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from claimdesk.core.claims import candidates, duplicate_key
from claimdesk.core.cleaning import clean_text
from claimdesk.core.decoding import (
    check_size,
    decode,
    kind_from_content_type,
    kind_from_filename,
    normalise,
    sniff_kind,
)
from claimdesk.core.errors import MAX_INPUT_BYTES, InputError
from claimdesk.core.markup import PageText, html_to_text, markdown_to_text
from claimdesk.core.scoring import load_model
from claimdesk.core.segmentation import segment
from claimdesk.core.textsafety import hidden_character_flags

if TYPE_CHECKING:
    from claimdesk.core.fetch import FetchedDocument, fetch_url

__all__ = [
    "DECISION_THRESHOLD",
    "MAX_INPUT_BYTES",
    "MODEL_VERSION",
    "ClaimSpan",
    "Extraction",
    "FetchedDocument",
    "InputError",
    "extract",
    "extract_fetched",
    "extract_from_text",
    "fetch_url",
]


def __getattr__(name: str) -> Any:
    """``fetch_url`` and ``FetchedDocument`` load the HTTP client (httpx) on first use, so
    extracting a file or stdin never imports it."""
    if name in ("fetch_url", "FetchedDocument"):
        from claimdesk.core import fetch

        return getattr(fetch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


MODEL_VERSION = load_model().version
DECISION_THRESHOLD = load_model().threshold
"""Claims scoring at or above this are check-worthy (chosen by cross-validation on train)."""


@dataclass(frozen=True)
class ClaimSpan:
    """One claim: an exact span of the cleaned text with its check-worthiness."""

    start: int
    end: int
    quote: str
    statement: str
    claimant: str | None
    score: float
    reasons: tuple[str, ...]
    duplicate_of: int | None = None  # index into Extraction.claims of the first occurrence

    @property
    def flags(self) -> tuple[str, ...]:
        """Warnings for the reader, never part of the score: ``"hidden characters"`` when the
        quote or statement holds invisible or direction-changing characters (``textsafety``)."""
        return hidden_character_flags(self.quote, self.statement)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "statement": self.statement,
            "claimant": self.claimant,
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
            "duplicate_of": self.duplicate_of,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class Extraction:
    """A cleaned article and the claims found in it, in document order."""

    title: str | None
    text: str
    claims: list[ClaimSpan]
    metadata: dict[str, Any] = field(default_factory=dict)
    model_version: str = MODEL_VERSION

    def to_dict(self, *, min_score: float | None = DECISION_THRESHOLD) -> dict[str, Any]:
        """The article and its claims scoring at least ``min_score`` (None: every candidate).

        In this output ``duplicate_of`` is a position in the ``claims`` list printed, never
        an index into the unfiltered candidates: a repeat points at the first *printed*
        occurrence of its claim, and that one has ``null``. So when the first occurrence
        scores below ``min_score`` and a repeat does not, the first repeat printed becomes
        the one the later repeats point at.
        """
        kept = [
            (i, c) for i, c in enumerate(self.claims) if min_score is None or c.score >= min_score
        ]
        first_printed: dict[int, int] = {}  # first occurrence's index -> printed position
        rows = []
        for position, (index, claim) in enumerate(kept):
            group = index if claim.duplicate_of is None else claim.duplicate_of
            first = first_printed.setdefault(group, position)
            rows.append({**claim.to_dict(), "duplicate_of": None if first == position else first})
        return {
            "title": self.title,
            "metadata": self.metadata,
            "text": self.text,
            "claims": rows,
        }


def _build(page: PageText, metadata: dict[str, Any]) -> Extraction:
    cleaned = clean_text(normalise(page.text), title=page.title)
    if not cleaned.text.strip():
        raise InputError("No article text was found in the input (only page noise or markup).")
    text = cleaned.text
    merged = {**cleaned.metadata, **page.metadata, **metadata}
    if "byline" in merged and "author" not in merged:
        merged["author"] = merged["byline"]
    claims: list[ClaimSpan] = []
    first_seen: dict[str, int] = {}
    for cand in candidates(text, segment(text)):
        quote = text[cand.start : cand.end]
        key = duplicate_key(quote)
        duplicate_of = first_seen.get(key)
        if duplicate_of is None:
            first_seen[key] = len(claims)
        claims.append(
            ClaimSpan(
                cand.start,
                cand.end,
                quote,
                quote,
                cand.claimant,
                cand.score,
                cand.reasons,
                duplicate_of,
            )
        )
    title = cleaned.title
    return Extraction(title=title, text=text, claims=claims, metadata=merged)


def extract_from_text(text: str, *, title: str | None = None) -> Extraction:
    """Extract claims from plain text (already decoded)."""
    return extract(text, kind="text", title=title)


def extract(
    data: bytes | str,
    *,
    kind: Literal["text", "markdown", "html"] | None = None,
    filename: str | None = None,
    url: str | None = None,
    content_type: str | None = None,
    title: str | None = None,
) -> Extraction:
    """Clean ``data`` (text, Markdown or HTML; bytes are decoded) and extract its claims.

    The type is ``kind`` if given, else guessed from ``filename``, ``content_type`` and the
    content. Raises InputError for empty, binary, undecodable or too large input.
    """
    metadata: dict[str, Any] = {}
    if isinstance(data, bytes):
        text, encoding = decode(data)
        metadata["encoding"] = encoding
    else:
        check_size(len(data))
        text = data
    if not text.strip():
        raise InputError("The input is empty." if not text else "The input is only whitespace.")
    text = normalise(text)
    if not text.strip():
        raise InputError("The input has no visible text.")
    kind = kind or kind_from_filename(filename) or kind_from_content_type(content_type)
    kind = kind or sniff_kind(text)
    metadata["input_type"] = kind
    if url:
        metadata["url"] = url
    if kind == "html":
        page = html_to_text(text, url=url)
    elif kind == "markdown":
        page = markdown_to_text(text)
    else:
        page = PageText(text=text)
    if title and not page.title:
        page.title = title
    return _build(page, metadata)


def extract_fetched(document: FetchedDocument) -> Extraction:
    """Extract claims from a page returned by ``fetch_url``."""
    return extract(
        document.content,
        kind=document.kind,
        url=document.url,
        content_type=document.content_type,
    )
