"""Exports: the desk's approved and published verdicts as ExportRecords, read in batches.

Each claim appears once, with its current verdict among the statuses asked for: the newest
verdict whose state is one of them (a superseded, returned or proposed verdict never is).
So while a correction of a published verdict is approved but not yet published, an editor
asking for approved and published verdicts gets the correction, and everyone asking for
published ones the verdict the public sees.

Rows are read ``batch_size`` at a time by keyset pagination on (article version, claim), so
an export of any size holds one batch in memory and the records of one article version
come together (doccano and Label Studio group them). Evidence is the confirmed evidence
whose source is not marked sensitive. Who may export which statuses is
``core.exports.filters``; ``export`` checks it again for the role it is given.
"""

from __future__ import annotations

import uuid as uuid_mod
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from claimdesk.core.exports import (
    DeskInfo,
    ExportEvidence,
    ExportQuery,
    ExportRecord,
    StatusNotAllowed,
    allowed_statuses,
    chunks,
    get_format,
)
from claimdesk.services.reanchoring import ORPHANED
from claimdesk.store.models import (
    Article,
    ArticleVersion,
    Claim,
    Claimant,
    ClaimTag,
    Evidence,
    Source,
    Tag,
    User,
    Verdict,
)
from claimdesk.store.types import UTCDateTime

__all__ = [
    "BATCH_SIZE",
    "ExportStream",
    "collection_id",
    "count",
    "export",
    "find_public",
    "records",
]

BATCH_SIZE = 200


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _conditions(query: ExportQuery) -> list[Any]:
    """The WHERE conditions of ``query`` over Verdict, Claim and Article."""
    states = sorted(query.statuses)
    newer = aliased(Verdict)
    conditions: list[Any] = [
        col(Verdict.state).in_(states),
        ~exists(
            select(newer.id).where(
                newer.claim_id == Verdict.claim_id,
                col(newer.state).in_(states),
                col(newer.id) > col(Verdict.id),
            )
        ),
    ]
    if query.label is not None:
        conditions.append(func.lower(Verdict.label_name) == query.label.lower())
    if query.article_id is not None:
        conditions.append(col(Claim.article_id) == query.article_id)
    if query.publisher is not None:
        conditions.append(func.lower(Article.publisher) == query.publisher.lower())
    verdict_date = func.coalesce(Verdict.published_at, Verdict.approved_at, type_=UTCDateTime)
    if query.since is not None:
        conditions.append(verdict_date >= _day_start(query.since))
    if query.until is not None:
        conditions.append(verdict_date < _day_start(query.until + timedelta(days=1)))
    return conditions


def count(session: Session, query: ExportQuery) -> int:
    """How many claims the export of ``query`` holds."""
    stmt = (
        select(func.count())
        .select_from(Verdict)
        .join(Claim, col(Claim.id) == col(Verdict.claim_id))
        .join(Article, col(Article.id) == col(Claim.article_id))
        .where(*_conditions(query))
    )
    return int(session.exec(stmt).one())


def _batch(
    session: Session,
    query: ExportQuery,
    after: tuple[int, int] | None,
    size: int,
    *,
    only: Any = None,
) -> list[Any]:
    columns = (
        Article.uuid,
        Article.url,
        Article.title,
        Article.publisher,
        Article.language,
        ArticleVersion.uuid,
        ArticleVersion.number,
        ArticleVersion.fetched_at,
        ArticleVersion.created_at,
        Claimant.name,
        Claimant.kind,
    )
    stmt = (
        sa_select(Verdict, Claim, *(col(c) for c in columns))
        .join(Claim, col(Claim.id) == col(Verdict.claim_id))
        .join(Article, col(Article.id) == col(Claim.article_id))
        .join(ArticleVersion, col(ArticleVersion.id) == col(Claim.version_id))
        .outerjoin(Claimant, col(Claimant.id) == col(Claim.claimant_id))
        .where(*_conditions(query))
        .order_by(col(Claim.version_id), col(Claim.id))
        .limit(size)
    )
    if only is not None:
        stmt = stmt.where(only)
    if after is not None:
        version_id, claim_id = after
        stmt = stmt.where(
            or_(
                col(Claim.version_id) > version_id,
                and_(col(Claim.version_id) == version_id, col(Claim.id) > claim_id),
            )
        )
    return list(session.execute(stmt).all())


def _tags(session: Session, claim_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    stmt = (
        select(ClaimTag.claim_id, Tag.name)
        .join(Tag, col(Tag.id) == col(ClaimTag.tag_id))
        .where(col(ClaimTag.claim_id).in_(claim_ids))
        .order_by(col(Tag.name))
    )
    for claim_id, name in session.exec(stmt):
        found[claim_id].append(name)
    return found


def _evidence(session: Session, claim_ids: list[int]) -> dict[int, list[ExportEvidence]]:
    found: dict[int, list[ExportEvidence]] = defaultdict(list)
    stmt = (
        sa_select(
            col(Evidence.claim_id),
            col(Source.uuid),
            col(Source.url),
            col(Source.title),
            col(Evidence.stance),
            col(Evidence.note),
        )
        .join(Source, col(Source.id) == col(Evidence.source_id))
        .where(
            col(Evidence.claim_id).in_(claim_ids),
            col(Evidence.state) == "confirmed",
            col(Source.sensitive).is_(False),
        )
        .order_by(col(Evidence.id))
    )
    for claim_id, source_uuid, url, title, stance, note in session.execute(stmt):
        found[claim_id].append(ExportEvidence(str(source_uuid), url, title, stance, note))
    return found


def _people(session: Session, verdicts: list[Verdict]) -> dict[int, str]:
    ids = {v.proposer_id for v in verdicts} | {v.approver_id for v in verdicts}
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    stmt = select(User.id, User.display_name, User.email).where(col(User.id).in_(wanted))
    return {uid: name or email for uid, name, email in session.exec(stmt) if uid is not None}


def _texts(session: Session, version_ids: set[int]) -> dict[int, str]:
    stmt = select(ArticleVersion.id, ArticleVersion.text).where(
        col(ArticleVersion.id).in_(sorted(version_ids))
    )
    return {vid: text for vid, text in session.exec(stmt) if vid is not None}


def records(
    session: Session,
    query: ExportQuery,
    *,
    with_text: bool = False,
    batch_size: int = BATCH_SIZE,
) -> Iterator[ExportRecord]:
    """The claims of ``query`` with their current verdicts, grouped by article version.

    ``with_text`` fills each record's ``article_text``. The caller has checked that the
    statuses are ones it may export (``export`` does).
    """
    after: tuple[int, int] | None = None
    while True:
        rows = _batch(session, query, after, batch_size)
        if not rows:
            return
        claims: list[Claim] = [r[1] for r in rows]
        ids = [c.id for c in claims if c.id is not None]
        tags, evidence = _tags(session, ids), _evidence(session, ids)
        people = _people(session, [r[0] for r in rows])
        texts = _texts(session, {c.version_id for c in claims}) if with_text else {}
        for row in rows:
            yield _record(row, tags, evidence, people, texts)
        last = claims[-1]
        after = (last.version_id, last.id or 0)
        if len(rows) < batch_size:
            return


def _record(
    row: Any,
    tags: dict[int, list[str]],
    evidence: dict[int, list[ExportEvidence]],
    people: dict[int, str],
    texts: dict[int, str],
) -> ExportRecord:
    verdict: Verdict = row[0]
    claim: Claim = row[1]
    (a_uuid, a_url, a_title, publisher, language, v_uuid, v_number, fetched, created) = row[2:11]
    claimant, claimant_kind = row[11], row[12]
    claim_id = claim.id or 0
    return ExportRecord(
        claim_uuid=str(claim.uuid),
        article_uuid=str(a_uuid),
        article_url=a_url,
        article_title=a_title,
        publisher=publisher,
        version_uuid=str(v_uuid),
        version_number=v_number,
        version_date=fetched or created,
        start=None if claim.anchor_state == ORPHANED else claim.start,
        end=None if claim.anchor_state == ORPHANED else claim.end,
        quote=claim.quote,
        prefix=claim.prefix,
        suffix=claim.suffix,
        statement=claim.statement,
        claimant=claimant,
        claimant_kind=claimant_kind,
        claim_date=claim.claim_date,
        claim_created_at=claim.created_at,
        verdict_uuid=str(verdict.uuid),
        label=verdict.label_name,
        rating_value=verdict.rating_value,
        best_rating=verdict.best_rating,
        worst_rating=verdict.worst_rating,
        rationale=verdict.rationale,
        verdict_state=verdict.state,
        proposed_at=verdict.proposed_at,
        approved_at=verdict.approved_at,
        published_at=verdict.published_at,
        tags=tuple(tags.get(claim_id, ())),
        evidence=tuple(evidence.get(claim_id, ())),
        reviewer=people.get(verdict.proposer_id) if verdict.proposer_id else None,
        approver=people.get(verdict.approver_id) if verdict.approver_id else None,
        language=claim.language or language,
        article_text=texts.get(claim.version_id),
    )


def collection_id(desk: DeskInfo, query: ExportQuery) -> str:
    """A stable ``urn:uuid:`` for the annotation collection of ``query`` on this desk (the
    same filters give the same id)."""
    key = "|".join(
        str(part)
        for part in (
            desk.fact_check_url_pattern,
            ",".join(sorted(query.statuses)),
            query.label,
            query.article_id,
            query.publisher,
            query.since,
            query.until,
        )
    )
    return f"urn:uuid:{uuid_mod.uuid5(uuid_mod.NAMESPACE_URL, 'claimdesk-export:' + key)}"


class ExportStream:
    """An export's text pieces (iterate once); ``count`` is how many claims went out so far."""

    def __init__(self, fmt: str, found: Iterator[ExportRecord], desk: DeskInfo, **names: str):
        self.count = 0
        self._pieces = chunks(fmt, self._counted(found), desk, **names)

    def _counted(self, found: Iterator[ExportRecord]) -> Iterator[ExportRecord]:
        for record in found:
            self.count += 1
            yield record

    def __iter__(self) -> Iterator[str]:
        return self._pieces


def export(
    session: Session,
    fmt: str,
    query: ExportQuery,
    desk: DeskInfo,
    *,
    role: str | None,
    batch_size: int = BATCH_SIZE,
) -> ExportStream:
    """The export in format ``fmt`` as text pieces, read from the database as they are
    written (the session must stay open until the stream is done).

    ``role`` is who asks (None: the public); the statuses must be ones it may export.
    Raises UnknownFormat and StatusNotAllowed before anything is read.
    """
    chosen = get_format(fmt)
    refused = sorted(query.statuses - allowed_statuses(role))
    if refused:
        raise StatusNotAllowed(f"The role {role or 'public'} may not export {refused[0]} verdicts.")
    found = records(session, query, with_text=chosen.needs_text, batch_size=batch_size)
    label = f"{desk.organisation_name}: {', '.join(sorted(query.statuses))} verdicts"
    return ExportStream(
        chosen.name, found, desk, collection_id=collection_id(desk, query), label=label
    )


def find_public(session: Session, claim_uuid: uuid_mod.UUID) -> ExportRecord | None:
    """The claim's published verdict as a record (for its fact-check page), or None when
    there is no such claim or it has no published verdict."""
    query = ExportQuery(statuses=frozenset({"published"}))
    rows = _batch(session, query, None, 1, only=col(Claim.uuid) == claim_uuid)
    if not rows:
        return None
    claim_id = rows[0][1].id
    people = _people(session, [rows[0][0]])
    return _record(rows[0], _tags(session, [claim_id]), _evidence(session, [claim_id]), people, {})
