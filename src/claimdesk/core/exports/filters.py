"""Which verdicts an export holds: the filters, checked, and who may ask for which status.

Only approved and published verdicts are ever exported; unapproved work (new, in review,
proposed, returned, dismissed) never is. Editors and admins may export approved and
published verdicts; researchers, reviewers and the public only published ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from claimdesk.core.filter_values import date_value, text_value
from claimdesk.core.permissions import Permission, allows

__all__ = [
    "EXPORT_STATUSES",
    "ExportQuery",
    "FilterError",
    "StatusNotAllowed",
    "allowed_statuses",
    "build_query",
]

EXPORT_STATUSES = ("approved", "published")
MAX_ID = 2**31 - 1
MAX_LABEL = 100
MAX_PUBLISHER = 300


class FilterError(ValueError):
    """A filter that cannot be used; ``str(error)`` says which and why."""


class StatusNotAllowed(Exception):
    """The caller's role may not export verdicts in a status it asked for."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ExportQuery:
    """Checked filters: verdict statuses, label (case-insensitive), article, publisher
    (case-insensitive) and a range of verdict dates (published, else approved), inclusive."""

    statuses: frozenset[str] = frozenset(EXPORT_STATUSES)
    label: str | None = None
    article_id: int | None = None
    publisher: str | None = None
    since: date | None = None
    until: date | None = None


def allowed_statuses(role: str | None) -> frozenset[str]:
    """The statuses ``role`` may export; None is the public (published only)."""
    if role is not None and allows(role, Permission.EXPORT):
        return frozenset(EXPORT_STATUSES)
    if role is None or allows(role, Permission.EXPORT_PUBLISHED):
        return frozenset({"published"})
    return frozenset()


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
        message = f"The article must be an article id (a whole number from 1), not {shown!r}."
        raise FilterError(message)
    return int(text)


def _statuses(values: Iterable[str] | None, role: str | None) -> frozenset[str]:
    allowed = allowed_statuses(role)
    asked = {
        part.strip().lower() for value in values or () for part in value.split(",") if part.strip()
    }
    if not asked:
        if not allowed:
            raise StatusNotAllowed(f"Your role ({role}) may not export verdicts.")
        return allowed
    unknown = sorted(asked - set(EXPORT_STATUSES))
    if unknown:
        raise FilterError(
            f"Unknown status {unknown[0][:40]!r}: choose approved or published "
            "(work that is not approved is never exported)."
        )
    refused = sorted(asked - allowed)
    if refused:
        who = f"Your role ({role})" if role else "Without signing in, one"
        raise StatusNotAllowed(f"{who} may not export {refused[0]} verdicts: published only.")
    return frozenset(asked)


def build_query(
    *,
    role: str | None,
    statuses: Iterable[str] | None = None,
    label: str | None = None,
    article_id: str | int | None = None,
    publisher: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
) -> ExportQuery:
    """The checked filters for ``role`` (None: the public). Without statuses, every status
    the role may export. Statuses may also be given comma-separated.

    Raises FilterError for a filter that cannot be used (unknown status, a date or an
    article id that is not one, a range that ends before it starts), and StatusNotAllowed
    for a status the role may not export.
    """
    query = ExportQuery(
        statuses=_statuses(statuses, role),
        label=_text(label, what="verdict", limit=MAX_LABEL),
        article_id=_article(article_id),
        publisher=_text(publisher, what="publisher", limit=MAX_PUBLISHER),
        since=_date(since, what="since"),
        until=_date(until, what="until"),
    )
    if query.since and query.until and query.since > query.until:
        raise FilterError(f"The date range ends ({query.until}) before it starts ({query.since}).")
    return query
