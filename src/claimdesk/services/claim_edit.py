"""Editing claims as spans of the article: create one from a selection, widen or narrow it,
split one in two, merge two into one. The spans stay exact (``core.spans``).

Every change goes through ``claim_changes`` (the claim's ``row_version``: StaleClaim when
someone changed it first), writes an event per claim touched (``entity_type = "claim"``)
in the same transaction, keeps the claim search index in step, and commits. A claim whose
verdict is approved or published keeps its span: the verdict speaks about those words.

Merging keeps both claims: the surviving one covers both spans and the other is dismissed
with the reason "Merged into claim N." (a comment, as a dismissal by hand). Deleting it
would lose its history, comments, evidence and any link to it; dismissed, it can still be
read, and reopened if the merge was a mistake. So a claim can be merged away only when
the workflow lets it be dismissed (new, in review or returned, with no published verdict).

An orphan (``anchor_state == "orphaned"``: re-anchoring did not find its words in the
article's new version; ``services.reanchoring``) has no span to widen, split or merge: it
is re-attached first (``reattach_claim``).

Errors map to HTTP as: ClaimNotFound / VersionNotFound 404, RoleNotAllowed 403,
ActionRefused / SpanRefused 422, StaleClaim 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import insert, tuple_
from sqlmodel import Session, col, select

from claimdesk.core.extraction import MODEL_VERSION
from claimdesk.core.permissions import Permission
from claimdesk.core.scoring import score_text
from claimdesk.core.spans import Span, SpanRefused, adjust, locate, merge, split, trimmed
from claimdesk.core.workflow import ActionInput, ActionRefused, Status, VerdictState, transition
from claimdesk.services import claim_changes, events
from claimdesk.services.accounts import Principal
from claimdesk.services.article_metadata import bounded_name, column_limit
from claimdesk.services.articles import CONTEXT_CHARS
from claimdesk.services.claim_changes import CLAIM, ClaimChange, ClaimNotFound, StaleClaim
from claimdesk.services.reanchoring import ORPHANED
from claimdesk.store import locks, search_index
from claimdesk.store.models import ArticleVersion, Claim, ClaimTag, Comment, Verdict
from claimdesk.store.types import new_uuid, utcnow

__all__ = [
    "LOCKED",
    "MAX_QUOTE",
    "ClaimNotFound",
    "Neighbours",
    "SpanRefused",
    "StaleClaim",
    "VersionNotFound",
    "adjust_span",
    "create_claim",
    "latest_version_id",
    "merge_claims",
    "neighbours",
    "reattach_claim",
    "split_claim",
]

MAX_QUOTE = 5_000
"""The longest claim a person can make (the statement starts as the quote, and statements
are at most this long)."""

LOCKED = frozenset({Status.APPROVED, Status.PUBLISHED})
"""Statuses in which a claim's span is fixed: an approved or published verdict speaks about
exactly those words (correct the verdict, or make a new claim)."""


class VersionNotFound(LookupError):
    """No version of that article has that id (HTTP 404)."""


def _version(session: Session, version_id: int, article_id: int | None = None) -> ArticleVersion:
    version = session.get(ArticleVersion, version_id)
    if version is None or (article_id is not None and version.article_id != article_id):
        raise VersionNotFound(f"There is no version {version_id} of this article.")
    return version


def latest_version_id(session: Session, article_id: int) -> int:
    """The id of the article's newest version (the one its page shows).

    Raises VersionNotFound when the article has no version (or does not exist).
    """
    query = (
        select(ArticleVersion.id)
        .where(ArticleVersion.article_id == article_id)
        .order_by(col(ArticleVersion.number).desc())
        .limit(1)
    )
    found = session.exec(query).first()
    if found is None:
        raise VersionNotFound(f"There is no article {article_id}.")
    return found


@dataclass(frozen=True)
class Neighbours:
    """The claims just before and after a claim in its article version (by start, then end,
    then id), dismissed ones left out: what "merge with the next claim" offers."""

    previous: Claim | None
    next: Claim | None


def neighbours(session: Session, claim: Claim) -> Neighbours:
    """The claim's neighbours in its version (one query each way)."""
    key = (claim.start, claim.end, claim.id or 0)
    columns = (col(Claim.start), col(Claim.end), col(Claim.id))
    base = select(Claim).where(
        Claim.version_id == claim.version_id,
        Claim.status != Status.DISMISSED.value,
        Claim.anchor_state != ORPHANED,  # no span: nothing to merge with
    )
    before = base.where(tuple_(*columns) < key).order_by(*(c.desc() for c in columns))
    after = base.where(tuple_(*columns) > key).order_by(*columns)
    return Neighbours(session.exec(before.limit(1)).first(), session.exec(after.limit(1)).first())


def _span_values(text: str, span: Span) -> dict[str, Any]:
    """The claim columns that follow from its span: offsets, quote, context and score."""
    if len(span.quote) > MAX_QUOTE:
        raise SpanRefused(
            f"The claim would be {len(span.quote):,} characters long; a claim is at most"
            f" {MAX_QUOTE:,}. Select a shorter passage."
        )
    score = score_text(span.quote)
    return {
        "start": span.start,
        "end": span.end,
        "quote": span.quote,
        "prefix": text[max(0, span.start - CONTEXT_CHARS) : span.start],
        "suffix": text[span.end : span.end + CONTEXT_CHARS],
        "score": score.value,
        "reasons": list(score.reasons),
        "model_version": bounded_name(MODEL_VERSION, column_limit(Claim, "model_version")),
    }


def _span_json(claim_or_values: Claim | dict[str, Any]) -> dict[str, Any]:
    """The span as an event keeps it."""
    get = (
        claim_or_values.get
        if isinstance(claim_or_values, dict)
        else lambda name: getattr(claim_or_values, name)
    )
    return {"start": get("start"), "end": get("end"), "quote": get("quote")}


def _refuse_locked(claim: Claim) -> None:
    if claim.status in LOCKED:
        raise ActionRefused(
            f"Claim {claim.id} is {claim.status}: its verdict speaks about exactly these words,"
            " so its span cannot change. Correct the verdict, or make a new claim."
        )


def _begin(session: Session, claim_id: int, row_version: int, principal: Principal) -> ClaimChange:
    change = claim_changes.begin(
        session,
        claim_id=claim_id,
        row_version=row_version,
        principal=principal,
        permission=Permission.EDIT_CLAIMS,
        doing="edit claims",
    )
    _refuse_locked(change.claim)
    if change.claim.anchor_state == ORPHANED:
        raise ActionRefused(
            f"Claim {claim_id}'s words are no longer in the article: re-attach it by"
            " selecting them in the text first."
        )
    return change


def _insert_claim(session: Session, like: dict[str, Any]) -> int:
    """Insert a claim row (defaults filled in) and return its id."""
    now = utcnow()
    row = {
        "uuid": new_uuid(),
        "anchor_state": "anchored",
        "status": Status.NEW.value,
        "row_version": 1,
        "created_at": now,
        "updated_at": now,
        **like,
    }
    result = session.connection().execute(insert(Claim).returning(col(Claim.id)), [row])
    claim_id = result.scalar_one()
    assert claim_id is not None
    return claim_id


def create_claim(
    session: Session,
    *,
    version_id: int,
    quote: str,
    principal: Principal,
    start: int | None = None,
    end: int | None = None,
    article_id: int | None = None,
) -> Claim:
    """Make a claim of the words ``quote`` selected in an article version, and commit.

    The quote is the authority: when ``text[start:end]`` is exactly ``quote`` that is the
    span; otherwise (a browser may count offsets differently, e.g. where the page shows a
    hidden character as a longer marker, or send none) the occurrence of ``quote`` nearest
    to ``start`` is taken (the only one, or the first when no ``start`` is given). Spaces
    around the selection are trimmed off. The claim is ``new``, its statement is the quote,
    and it is scored by the extractor's model (score and reasons kept).

    Raises RoleNotAllowed, VersionNotFound (also when it is not a version of
    ``article_id``), SpanRefused (blank quote, quote not in the text, too long), ActionRefused
    (that exact span is already a claim).
    """
    claim_changes.require(principal, Permission.EDIT_CLAIMS, "create claims")
    version = _version(session, version_id, article_id)
    span = locate(version.text, quote, start, end)
    values = _span_values(version.text, span)
    # two people selecting the same words at once: the second waits, then finds the first's
    locks.serialise(session, f"claim-span:{version_id}:{span.start}:{span.end}")
    existing = session.exec(
        select(Claim.id).where(
            Claim.version_id == version_id, Claim.start == span.start, Claim.end == span.end
        )
    ).first()
    if existing is not None:
        raise ActionRefused(f"Those words are already claim {existing}.")
    claim_id = _insert_claim(
        session,
        {
            **values,
            "article_id": version.article_id,
            "version_id": version_id,
            "statement": span.quote,
        },
    )
    search_index.index_claims(session.connection(), [(claim_id, span.quote)])
    events.record(
        session,
        actor=principal.actor,
        entity_type=CLAIM,
        entity_id=claim_id,
        action="created",
        before=None,
        after={**_span_json(values), "version_id": version_id, "row_version": 1},
    )
    session.commit()
    return claim_changes.load_claim(session, claim_id)


def _statement_follows(claim: Claim, values: dict[str, Any]) -> None:
    """A statement still equal to the quote follows the new quote; an edited one stays."""
    if claim.statement == claim.quote:
        values["statement"] = values["quote"]


def _write_span(
    change: ClaimChange, text: str, span: Span
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Give the claim ``span`` (its statement following when unedited) and re-index it;
    returns the event's (before, after). Does not record or commit."""
    claim = change.claim
    values = _span_values(text, span)
    _statement_follows(claim, values)
    before = {**_span_json(claim), "statement": claim.statement}
    version = change.write(**values)
    statement = values.get("statement", before["statement"])
    if "statement" in values:
        search_index.index_claims(change.session.connection(), [(claim.id or 0, statement)])
    return before, {**_span_json(values), "statement": statement, "row_version": version}


def adjust_span(
    session: Session,
    *,
    claim_id: int,
    row_version: int,
    principal: Principal,
    start: int | None = None,
    end: int | None = None,
    edge: Literal["start", "end"] | None = None,
    direction: int | None = None,
) -> Claim:
    """Give the claim a new span and commit: ``start``/``end`` (the words there, trimmed), or
    one ``edge`` moved by one word in ``direction`` (-1 left, +1 right). The statement
    follows the quote unless someone edited it; the context and score are recomputed. The
    same span again changes nothing.

    Raises ClaimNotFound, StaleClaim, RoleNotAllowed, ActionRefused (approved or published
    claim), SpanRefused (outside the text, blank, empty, too long, no word to move to).
    """
    change = _begin(session, claim_id, row_version, principal)
    claim = change.claim
    text = _version(session, claim.version_id).text
    if edge is not None:
        span = adjust(text, claim.start, claim.end, edge=edge, direction=direction or 0)
    elif start is not None and end is not None:
        span = trimmed(text, start, end)
    else:
        raise SpanRefused("Give the new start and end, or an edge and a direction to move it.")
    if (span.start, span.end) == (claim.start, claim.end):
        return claim
    before, after = _write_span(change, text, span)
    change.record("span_changed", before=before, after=after)
    session.commit()
    return claim_changes.load_claim(session, claim_id)


def reattach_claim(
    session: Session,
    *,
    claim_id: int,
    row_version: int,
    principal: Principal,
    quote: str,
    start: int | None = None,
    end: int | None = None,
) -> Claim:
    """Give an orphaned claim (its words were not found in the article's new version) the
    words ``quote`` selected in its version's text, and commit: it is anchored again, its
    context and score follow the new span, its statement the new quote unless someone
    edited it. As for a new claim, the quote is the authority: at ``start``/``end`` when it
    is exactly there, else its occurrence nearest to ``start``.

    An approved or published claim can be re-attached only to exactly its old quote (its
    verdict speaks about those words). Writes a ``reattached`` event (before: the orphan's
    old quote; after: the new span).

    Raises ClaimNotFound, StaleClaim, RoleNotAllowed, ActionRefused (the claim is not an
    orphan, its verdict fixes other words, those words are already another claim),
    SpanRefused (blank quote, not in the text, too long).
    """
    change = claim_changes.begin(
        session,
        claim_id=claim_id,
        row_version=row_version,
        principal=principal,
        permission=Permission.EDIT_CLAIMS,
        doing="edit claims",
    )
    claim = change.claim
    if claim.anchor_state != ORPHANED:
        raise ActionRefused(
            f"Claim {claim_id} is not an orphan: change its span with the span tools instead."
        )
    text = _version(session, claim.version_id).text
    span = locate(text, quote, start, end)
    if claim.status in LOCKED and span.quote != claim.quote:
        raise ActionRefused(
            f"Claim {claim_id} is {claim.status}: its verdict speaks about exactly the words"
            f" “{claim.quote}”. Select those words, or correct the verdict."
        )
    values = _span_values(text, span)
    locks.serialise(session, f"claim-span:{claim.version_id}:{span.start}:{span.end}")
    existing = session.exec(
        select(Claim.id).where(
            Claim.version_id == claim.version_id,
            Claim.start == span.start,
            Claim.end == span.end,
            Claim.id != claim_id,
        )
    ).first()
    if existing is not None:
        raise ActionRefused(
            f"Those words are already claim {existing}: dismiss or merge that one first."
        )
    _statement_follows(claim, values)
    before = {**_span_json(claim), "anchor_state": claim.anchor_state}
    statement = values.get("statement", claim.statement)
    version = change.write(**values, anchor_state="anchored")
    if "statement" in values:
        search_index.index_claims(session.connection(), [(claim_id, statement)])
    after = {**_span_json(values), "anchor_state": "anchored", "row_version": version}
    change.record("reattached", before=before, after={**after, "statement": statement})
    session.commit()
    return claim_changes.load_claim(session, claim_id)


def _tag_ids(session: Session, claim_id: int) -> list[int]:
    return list(session.exec(select(ClaimTag.tag_id).where(ClaimTag.claim_id == claim_id)))


def _add_tags(session: Session, claim_id: int, tag_ids: list[int]) -> None:
    have = set(_tag_ids(session, claim_id))
    for tag_id in sorted(set(tag_ids) - have):
        session.add(ClaimTag(claim_id=claim_id, tag_id=tag_id))
    session.flush()


def split_claim(
    session: Session, *, claim_id: int, row_version: int, at: int, principal: Principal
) -> tuple[Claim, Claim]:
    """Cut the claim at offset ``at`` of the article text and commit: the claim keeps the
    first part, the second part becomes a new claim (``new``, statement = its quote, same
    claimant and tags, scored). Returns (the claim, the new claim).

    Raises ClaimNotFound, StaleClaim, RoleNotAllowed, ActionRefused (approved or published
    claim), SpanRefused (``at`` not inside the claim, a part too long).
    """
    change = _begin(session, claim_id, row_version, principal)
    claim = change.claim
    text = _version(session, claim.version_id).text
    first, second = split(text, claim.start, claim.end, at)
    second_values = _span_values(text, second)
    tags = _tag_ids(session, claim_id)
    article_id, version_id, claimant_id = claim.article_id, claim.version_id, claim.claimant_id
    before, after = _write_span(change, text, first)
    new_id = _insert_claim(
        session,
        {
            **second_values,
            "article_id": article_id,
            "version_id": version_id,
            "claimant_id": claimant_id,
            "statement": second.quote,
        },
    )
    _add_tags(session, new_id, tags)
    search_index.index_claims(session.connection(), [(new_id, second.quote)])
    events.record(
        session,
        actor=principal.actor,
        entity_type=CLAIM,
        entity_id=new_id,
        action="created",
        before=None,
        after={
            **_span_json(second_values),
            "version_id": version_id,
            "row_version": 1,
            "split_from": claim_id,
        },
    )
    change.record("split", before=before, after={**after, "split_at": at, "new_claim_id": new_id})
    session.commit()
    return claim_changes.load_claim(session, claim_id), claim_changes.load_claim(session, new_id)


def _has_published_verdict(session: Session, claim_id: int) -> bool:
    query = select(Verdict.id).where(
        Verdict.claim_id == claim_id, Verdict.state == VerdictState.PUBLISHED.value
    )
    return session.exec(query).first() is not None


def merge_claims(
    session: Session,
    *,
    claim_id: int,
    other_id: int,
    row_version: int,
    other_row_version: int,
    principal: Principal,
) -> Claim:
    """Merge claim ``other_id`` into claim ``claim_id`` and commit: the claim's span grows to
    cover both (and what lies between), it takes the other's tags, and the other claim is
    dismissed with the reason "Merged into claim N." (kept, with its history, comments and
    evidence; see the module docstring). Both claims' versions are checked.

    Raises ClaimNotFound, StaleClaim (either claim), RoleNotAllowed, ActionRefused (the same
    claim twice, different article versions, either claim approved or published, the other
    not dismissable), SpanRefused (the merged claim too long).
    """
    if claim_id == other_id:
        raise ActionRefused("A claim cannot be merged with itself.")
    change = _begin(session, claim_id, row_version, principal)
    other = _begin(session, other_id, other_row_version, principal)
    claim, absorbed = change.claim, other.claim
    if claim.version_id != absorbed.version_id:
        raise ActionRefused(
            f"Claims {claim_id} and {other_id} are in different versions of the article:"
            " only claims of the same text can be merged."
        )
    reason = f"Merged into claim {claim_id}."
    given = ActionInput(
        comment=reason, has_published_verdict=_has_published_verdict(session, other_id)
    )
    try:
        transition(absorbed.status, "dismiss", principal.role, given)
    except ActionRefused as exc:
        raise ActionRefused(f"Claim {other_id} cannot be merged away: {exc.message}") from None
    text = _version(session, claim.version_id).text
    span = merge(text, (claim.start, claim.end), (absorbed.start, absorbed.end))
    old_status, tags = absorbed.status, _tag_ids(session, other_id)
    # Both rows are written in id order, so two merges of one pair cannot deadlock.
    if other_id < claim_id:
        other_version = other.write(status=Status.DISMISSED.value)
        before, after = _write_span(change, text, span)
    else:
        before, after = _write_span(change, text, span)
        other_version = other.write(status=Status.DISMISSED.value)
    change.record("merged", before=before, after={**after, "merged_claim_id": other_id})
    _add_tags(session, claim_id, tags)
    note = Comment(
        uuid=new_uuid(),
        claim_id=other_id,
        author_id=principal.user_id,
        body=reason,
        created_at=utcnow(),
    )
    session.add(note)
    session.flush()
    other.record(
        "dismiss",
        before={"status": old_status},
        after={
            "status": Status.DISMISSED.value,
            "row_version": other_version,
            "comment": reason,
            "comment_id": note.id,
            "merged_into": claim_id,
        },
    )
    session.commit()
    return claim_changes.load_claim(session, claim_id)
