"""Carry an article's claims over to its new version (``core.anchoring`` finds the words).

Called by ``services.articles`` inside the transaction that stores the new version: every
claim of the previous current version, whatever its status, moves to the new version with
its new span (or none: an orphan), so its verdicts, evidence, comments, tags and history
stay with it. Each claim's ``row_version`` is bumped and it gets one event (``reanchored``
or ``orphaned``, before/after span) in the same transaction. The statement does not change,
so the claim search index needs no update.

An orphan keeps its old quote, prefix and suffix, is linked to the new version with
``start == end == 0`` and ``anchor_state == "orphaned"``: every place that cuts the article
text by claim offsets treats an empty span as covering nothing. A reviewer re-attaches it
with ``claim_edit.reattach_claim``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from claimdesk.core.anchoring import Anchor, reanchor
from claimdesk.services import events
from claimdesk.services.events import Actor
from claimdesk.store.models import ArticleVersion, Claim
from claimdesk.store.types import utcnow

__all__ = ["ORPHANED", "Carried", "carry_claims"]

ORPHANED = "orphaned"
CLAIM = "claim"  # the entity type of a claim's events (as in services.claim_changes)


@dataclass(frozen=True)
class Carried:
    """What re-anchoring did: the claims now on the new version and where they cover."""

    claim_ids: list[int]
    anchored: int
    orphaned: int
    _covered: list[tuple[int, int, int]]  # disjoint (start, end, a claim id), sorted

    def covering(self, start: int, end: int) -> int | None:
        """A carried claim whose span overlaps ``[start, end)``, if any (its id)."""
        i = bisect.bisect_left(self._covered, (end,)) - 1
        if i >= 0 and self._covered[i][1] > start:
            return self._covered[i][2]
        return None


def _covered(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The union of the spans as disjoint stretches, each named by its first claim."""
    union: list[tuple[int, int, int]] = []
    for start, end, claim_id in sorted(spans):
        if union and start < union[-1][1]:
            lo, hi, first = union[-1]
            union[-1] = (lo, max(hi, end), first)
        else:
            union.append((start, end, claim_id))
    return union


def _span(claim: Claim) -> dict[str, Any]:
    return {
        "version_id": claim.version_id,
        "start": claim.start,
        "end": claim.end,
        "quote": claim.quote,
        "anchor_state": claim.anchor_state,
    }


def carry_claims(
    session: Session,
    *,
    previous: ArticleVersion,
    version: ArticleVersion,
    actor: Actor,
    context_chars: int,
) -> Carried:
    """Move every claim of ``previous`` to ``version`` (see the module docstring). Does not
    commit. The claims' rows are locked first (PostgreSQL; SQLite's writing session holds
    the write lock), so a reviewer's change racing this one finds the claim changed (409)."""
    claims = list(
        session.exec(
            select(Claim)
            .where(Claim.version_id == previous.id)
            .order_by(col(Claim.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    anchors = [Anchor(c.start, c.end, c.quote, c.prefix, c.suffix) for c in claims]
    found = reanchor(previous.text, version.text, anchors, context_chars=context_chars)
    now = utcnow()
    spans: list[tuple[int, int, int]] = []
    orphaned = 0
    for claim, place in zip(claims, found, strict=True):
        claim_id = claim.id
        assert claim_id is not None
        before = _span(claim)
        values = {
            "version_id": version.id,
            "start": place.start,
            "end": place.end,
            "quote": place.quote,
            "prefix": place.prefix,
            "suffix": place.suffix,
            "anchor_state": place.state,
        }
        session.connection().execute(
            update(Claim)
            .where(col(Claim.id) == claim_id)
            .values(**values, updated_at=now, row_version=col(Claim.row_version) + 1)
        )
        if place.state == ORPHANED:
            orphaned += 1
        else:
            spans.append((place.start, place.end, claim_id))
        events.record(
            session,
            actor=actor,
            entity_type=CLAIM,
            entity_id=claim_id,
            action=ORPHANED if place.state == ORPHANED else "reanchored",
            before=before,
            after={
                **{k: values[k] for k in ("version_id", "start", "end", "quote", "anchor_state")},
                "similarity": round(place.similarity, 1),
                "row_version": claim.row_version + 1,
            },
        )
        session.expire(claim)
    ids = [c.id for c in claims if c.id is not None]
    return Carried(ids, len(spans), orphaned, _covered(spans))
