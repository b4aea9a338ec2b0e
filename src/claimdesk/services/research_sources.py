"""Research listing of the source library: sources page by page, newest first.

Sources marked sensitive are left out for roles that do not link evidence (researchers;
``core.research.sees_sensitive_sources``), as the research SQL views leave them out.
Read-only: nothing here writes or commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from claimdesk.core import research
from claimdesk.core.research import PageCursor
from claimdesk.store.models import Source

__all__ = ["SourcePage", "list_sources"]

MAX_KIND = 20
MAX_COLLECTION = 200


@dataclass(frozen=True)
class SourcePage:
    items: list[Source]
    next_cursor: str | None


def list_sources(
    session: Session,
    *,
    role: str | None,
    kind: str | None = None,
    collection: str | None = None,
    limit: int = research.DEFAULT_LIMIT,
    cursor: str | None = None,
) -> SourcePage:
    """One page of sources (of ``kind`` and ``collection`` when given, compared exactly),
    highest id first; ``next_cursor`` is None on the last page.

    Raises core.research.FilterError for a limit out of range and CursorError for a cursor
    that is not one of ours.
    """
    limit = research.check_limit(limit)
    after = research.decode_cursor(cursor, sort=research.SOURCES) if cursor else None
    query = select(Source).order_by(col(Source.id).desc()).limit(limit + 1)
    if not research.sees_sensitive_sources(role):
        query = query.where(col(Source.sensitive).is_(False))
    if kind:
        query = query.where(col(Source.kind) == kind.strip().lower())
    if collection is not None:
        query = query.where(col(Source.collection) == collection)
    if after is not None:
        query = query.where(col(Source.id) < after.id)
    found = list(session.scalars(query))
    more, found = len(found) > limit, found[:limit]
    last = PageCursor(research.SOURCES, None, found[-1].id or 0) if more and found else None
    return SourcePage(found, research.encode_cursor(last) if last else None)
