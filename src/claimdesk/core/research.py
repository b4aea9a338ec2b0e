"""Research queries over the claim database, checked: filters, sorts, page cursors, and who
sees which verdicts.

Pure: the services turn a ``ClaimFilters`` into SQL. A cursor is opaque to callers: the
URL-safe base64 of a small JSON array holding the sort, the sort key of the last row
given and its id (keyset pagination: a page starts strictly after that row, so paging
neither repeats nor skips rows, even where many rows share the sort key). A cursor that
is not one of ours is refused with ``CursorError``; its values are only ever compared
with, never executed, so a forged one can do no more than start a page elsewhere.

Who sees what: whoever approves verdicts (editors, admins) sees a claim's latest verdict,
work in progress included; everyone else (researchers, and reviewers, as on the dashboard
and in exports) sees only its latest *published* verdict, and filters, sorts and counts
see what they see.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from claimdesk.core.filter_values import date_value, text_value
from claimdesk.core.permissions import Permission, allows

__all__ = [
    "CLAIM_STATUSES",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "SORTS",
    "ClaimFilters",
    "CursorError",
    "FilterError",
    "PageCursor",
    "build_filters",
    "check_limit",
    "check_sort",
    "decode_cursor",
    "encode_cursor",
    "sees_sensitive_sources",
    "sees_work_in_progress",
]

CLAIM_STATUSES = ("new", "in_review", "proposed", "approved", "published", "returned", "dismissed")
SORTS = ("newest", "oldest", "score")
"""newest / oldest: by when the claim was found (then id); score: check-worthiness, highest
first (then id, highest first)."""
ARTICLES = "articles"
"""The sort of article pages (newest id first)."""
SOURCES = "sources"
"""The sort of source pages (newest id first)."""
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_ID = 2**31 - 1
MAX_QUERY = 500
MAX_NAME = 320
MAX_CURSOR = 400


class FilterError(ValueError):
    """A filter, sort or limit that cannot be used; ``str(error)`` says which and why."""


class CursorError(FilterError):
    """A page cursor that is not one this desk gave out (or not for this sort)."""


def sees_sensitive_sources(role: str | None) -> bool:
    """Whether ``role`` sees sources marked sensitive (those who link evidence do;
    researchers do not, as in the SQL views)."""
    return role is not None and allows(role, Permission.LINK_EVIDENCE)


def sees_work_in_progress(role: str | None) -> bool:
    """Whether ``role`` sees verdicts before they are published (None: the public)."""
    return role is not None and allows(role, Permission.APPROVE_VERDICT)


@dataclass(frozen=True)
class ClaimFilters:
    """Checked filters; None (or empty) means "any". Text filters are compared
    case-insensitively and exactly (``q`` is full text: every word must occur).

    ``verdict`` is the visible verdict's label and ``reviewer`` its proposer's email;
    ``since``/``until`` bound the visible verdict's date (published, else approved, else
    proposed), ``claimed_since``/``claimed_until`` the claim's own date; all inclusive.
    """

    q: str | None = None
    verdict: str | None = None
    statuses: frozenset[str] = frozenset()
    publisher: str | None = None
    claimant: str | None = None
    reviewer: str | None = None
    tag: str | None = None
    article_id: int | None = None
    since: date | None = None
    until: date | None = None
    claimed_since: date | None = None
    claimed_until: date | None = None


def _text(value: str | None, *, what: str, limit: int) -> str | None:
    return text_value(value, what=what, limit=limit, error=FilterError)


def _date(value: str | date | None, *, what: str) -> date | None:
    return date_value(value, what=what, error=FilterError)


def _article(value: str | int | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if not text.isdecimal() or not 1 <= int(text) <= MAX_ID:
        shown = text[:40]
        raise FilterError(
            f"The article must be an article id (a whole number from 1), not {shown!r}."
        )
    return int(text)


def _statuses(values: Iterable[str] | str | None) -> frozenset[str]:
    if isinstance(values, str):
        values = [values]
    asked = {p.strip().lower() for v in values or () for p in v.split(",") if p.strip()}
    unknown = sorted(asked - set(CLAIM_STATUSES))
    if unknown:
        raise FilterError(
            f"Unknown status {unknown[0][:40]!r}: choose from {', '.join(CLAIM_STATUSES)}."
        )
    return frozenset(asked)


def _range(start: date | None, end: date | None, what: str) -> None:
    if start and end and start > end:
        raise FilterError(f"The {what}date range ends ({end}) before it starts ({start}).")


def build_filters(
    *,
    q: str | None = None,
    verdict: str | None = None,
    status: Iterable[str] | str | None = None,
    publisher: str | None = None,
    claimant: str | None = None,
    reviewer: str | None = None,
    tag: str | None = None,
    article: str | int | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    claimed_since: str | date | None = None,
    claimed_until: str | date | None = None,
) -> ClaimFilters:
    """The checked filters. Statuses may be repeated or comma-separated.

    Raises FilterError for one that cannot be used (unknown status, a date or an article
    id that is not one, a range that ends before it starts, text too long or with NUL).
    """
    filters = ClaimFilters(
        q=_text(q, what="q", limit=MAX_QUERY),
        verdict=_text(verdict, what="verdict", limit=100),
        statuses=_statuses(status),
        publisher=_text(publisher, what="publisher", limit=300),
        claimant=_text(claimant, what="claimant", limit=300),
        reviewer=_text(reviewer, what="reviewer", limit=MAX_NAME),
        tag=_text(tag, what="tag", limit=100),
        article_id=_article(article),
        since=_date(since, what="since"),
        until=_date(until, what="until"),
        claimed_since=_date(claimed_since, what="claimed_since"),
        claimed_until=_date(claimed_until, what="claimed_until"),
    )
    _range(filters.since, filters.until, "")
    _range(filters.claimed_since, filters.claimed_until, "claim ")
    return filters


def check_sort(value: str | None) -> str:
    """``value`` as a sort name (default newest); raises FilterError naming the choices."""
    if value is None or not value.strip():
        return SORTS[0]
    name = value.strip().lower()
    if name not in SORTS:
        raise FilterError(f"Unknown sort {value[:40]!r}: choose from {', '.join(SORTS)}.")
    return name


def check_limit(value: int | None) -> int:
    """A page size from 1 to MAX_LIMIT (default DEFAULT_LIMIT); raises FilterError."""
    if value is None:
        return DEFAULT_LIMIT
    if not 1 <= value <= MAX_LIMIT:
        raise FilterError(f"The limit must be from 1 to {MAX_LIMIT}, not {value}.")
    return value


@dataclass(frozen=True)
class PageCursor:
    """Where a page starts: after the row with this sort ``key`` and ``id``."""

    sort: str
    key: datetime | float | None
    id: int


def encode_cursor(cursor: PageCursor) -> str:
    key: Any = cursor.key.isoformat() if isinstance(cursor.key, datetime) else cursor.key
    raw = json.dumps([cursor.sort, key, cursor.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


_REFUSED = "The cursor is not one this API gave out; start again without it."


def decode_cursor(value: str, *, sort: str) -> PageCursor:
    """The cursor ``value`` for a listing sorted by ``sort``; raises CursorError."""
    if not value or len(value) > MAX_CURSOR or not value.isascii():
        raise CursorError(_REFUSED)
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):
        raise CursorError(_REFUSED) from None
    if not isinstance(data, list) or len(data) != 3:
        raise CursorError(_REFUSED)
    name, key, row_id = data
    if name != sort:
        raise CursorError(f"The cursor belongs to another sort ({str(name)[:20]!r}), not {sort!r}.")
    if not isinstance(row_id, int) or isinstance(row_id, bool) or not 1 <= row_id <= MAX_ID:
        raise CursorError(_REFUSED)
    return PageCursor(sort, _key(sort, key), row_id)


def _key(sort: str, key: Any) -> datetime | float | None:
    if sort in (ARTICLES, SOURCES):
        if key is not None:
            raise CursorError(_REFUSED)
        return None
    if sort == "score":
        if isinstance(key, bool) or not isinstance(key, int | float) or not math.isfinite(key):
            raise CursorError(_REFUSED)
        return float(key)
    if not isinstance(key, str) or len(key) > 40:
        raise CursorError(_REFUSED)
    try:
        when = datetime.fromisoformat(key)
    except ValueError:
        raise CursorError(_REFUSED) from None
    if when.tzinfo is None:
        raise CursorError(_REFUSED)
    return when.astimezone(UTC)
