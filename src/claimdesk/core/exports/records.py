"""What an export is made from: one ExportRecord per claim, and the desk that publishes it.

Plain frozen dataclasses, filled by ``services.exports`` from the database; every builder in
this package reads only these, so the formats are testable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

__all__ = [
    "DEFAULT_FACT_CHECK_PATH",
    "DeskInfo",
    "ExportEvidence",
    "ExportRecord",
    "PatternError",
    "check_url_pattern",
    "http_url",
    "iso_datetime",
]

DEFAULT_FACT_CHECK_PATH = "/fact-checks/{uuid}"
"""Where this server shows a published fact-check; a desk without a URL pattern of its own
uses its server's address followed by this."""


class PatternError(ValueError):
    """A fact-check URL pattern that cannot make a URL; ``str(error)`` says why."""


def check_url_pattern(pattern: str) -> str:
    """``pattern`` stripped, when it is an http(s) URL holding ``{uuid}`` exactly once.

    Raises PatternError otherwise.
    """
    text = pattern.strip()
    if not text.lower().startswith(("http://", "https://")):
        raise PatternError("The fact-check URL pattern must start with http:// or https://.")
    if text.count("{uuid}") != 1:
        raise PatternError("The fact-check URL pattern must hold {uuid} exactly once.")
    if any(c.isspace() or ord(c) < 0x20 for c in text):
        raise PatternError("The fact-check URL pattern cannot hold spaces or control characters.")
    return text


@dataclass(frozen=True)
class DeskInfo:
    """The organisation that publishes the fact-checks (the ClaimReview ``author``) and the
    pattern of its fact-check URLs (``{uuid}`` is the claim's UUID)."""

    organisation_name: str
    organisation_url: str | None
    fact_check_url_pattern: str

    def fact_check_url(self, claim_uuid: str) -> str:
        return self.fact_check_url_pattern.replace("{uuid}", claim_uuid)


@dataclass(frozen=True)
class ExportEvidence:
    """A confirmed piece of evidence: the source's URL (None for a library document without
    one), title, the stance it takes on the claim, and the reviewer's note."""

    source_uuid: str
    url: str | None
    title: str | None
    stance: str | None
    note: str | None


@dataclass(frozen=True)
class ExportRecord:
    """One claim with its current verdict, as every export format sees it.

    Offsets (``start``, ``end``) are Python string indices (Unicode code points) into the
    cleaned text of the article version the claim is anchored in; ``article_text`` is that
    text, filled only for the formats that carry it (doccano, Label Studio). An orphaned
    claim (its words gone from a new version of the article) has no offsets: ``start`` and
    ``end`` are None and only its old quote (with its context) is exported.
    """

    claim_uuid: str
    article_uuid: str
    article_url: str | None
    article_title: str | None
    publisher: str | None
    version_uuid: str
    version_number: int
    version_date: datetime
    start: int | None
    end: int | None
    quote: str
    prefix: str
    suffix: str
    statement: str
    claimant: str | None
    claimant_kind: str | None  # person / organisation / unknown
    claim_date: date | None
    claim_created_at: datetime
    verdict_uuid: str
    label: str
    rating_value: float | None
    best_rating: float | None
    worst_rating: float | None
    rationale: str
    verdict_state: str  # approved / published
    proposed_at: datetime
    approved_at: datetime | None
    published_at: datetime | None
    tags: tuple[str, ...] = ()
    evidence: tuple[ExportEvidence, ...] = ()
    reviewer: str | None = None  # who proposed the verdict
    approver: str | None = None
    language: str | None = None
    article_text: str | None = None

    @property
    def verdict_date(self) -> datetime:
        """When the verdict took its current state: published, else approved, else proposed."""
        return self.published_at or self.approved_at or self.proposed_at

    @property
    def article_uri(self) -> str:
        """The article's URL, or its ``urn:uuid:`` when it came without one (pasted text)."""
        return http_url(self.article_url) or f"urn:uuid:{self.article_uuid}"


def http_url(url: str | None) -> str | None:
    """``url`` stripped when it is an http(s) URL without spaces, else None."""
    if not url:
        return None
    text = url.strip()
    if not text.lower().startswith(("http://", "https://")):
        return None
    if any(c.isspace() or ord(c) < 0x20 or c in '<>"{}|\\^`' for c in text):
        return None
    return text


def iso_datetime(value: datetime) -> str:
    """``value`` as an RFC 3339 UTC date-time with seconds, e.g. 2026-03-03T09:30:00Z (a
    naive value is taken to be UTC already)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
