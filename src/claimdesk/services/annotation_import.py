"""Importing W3C Web Annotations as claims on the desk's articles (``claimdesk import
annotations``); the file is read by ``core.imports.annotations``.

Each annotation becomes one claim, all of it or nothing: it is imported in a transaction of
its own, and the services it goes through (whose commits only release a savepoint inside
it) either all succeed or none of their writes stay. The path is the review workbench's:

1. the article: the one whose ``url`` or ``canonical_url`` is the target's source, or whose
   ``urn:uuid:`` it is; the words: ``anchor_quote`` on the article's current text (the
   position when the text there is the quote, else the exact quote told apart by its
   prefix and suffix; no fuzzy matching: a quote whose words changed is reported, not
   guessed);
2. the claim: ``claim_edit.create_claim`` on those words. When the words are already a
   claim that nobody has touched (``new``, no verdict: the extractor found the same
   sentence when the article was ingested), that claim is taken instead; a claim on those
   words that someone is working on is reported, never overwritten;
3. ``review.edit_claim`` (statement, claimant), ``review.add_tag``, ``evidence.link_evidence``
   (a library source named by ``urn:uuid:``) or ``link_url_evidence`` (a web page), and
   ``review.add_comment`` for comments: each writes its usual event;
4. ``import_claim_review_state``: the claim takes the annotation's id as its UUID, its claim
   date, and the verdict with its status, in one ``imported`` event. The workflow cannot
   reach ``published`` without people approving and publishing; an import restores a
   decision taken elsewhere, so it writes the verdict in the state the file gives
   (``approved`` or ``published``) and says so in the event, rather than replaying
   transitions nobody took here. What the annotation does not carry stays empty: the
   approver and the approval time of a published verdict; the proposer is the desk user
   whose display name or email is the annotation's ``creator``, if there is one.

Importing the same annotation again finds its claim by UUID and changes nothing.
"""

from __future__ import annotations

import uuid as uuid_mod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from claimdesk.core.imports.annotations import (
    AnnotationProblem,
    ImportedAnnotation,
    ImportedVerdict,
    anchor_quote,
)
from claimdesk.core.permissions import Permission, Role
from claimdesk.core.spans import SpanRefused, locate
from claimdesk.core.workflow import ActionRefused, RoleNotAllowed, Status
from claimdesk.services import claim_changes, claim_edit, evidence, rating_scale, review
from claimdesk.services.accounts import Principal
from claimdesk.services.events import SYSTEM, Actor
from claimdesk.store.models import Article, ArticleVersion, Claim, Source, User, Verdict
from claimdesk.store.types import new_uuid, utcnow

__all__ = [
    "ImportRefused",
    "ImportReport",
    "Outcome",
    "import_annotation",
    "import_annotations",
    "import_claim_review_state",
    "operator",
]

Outcome = Literal["imported", "unchanged"]


class ImportRefused(ValueError):
    """This annotation cannot become a claim here (no such article, words not found, a
    label the desk's scale lacks, …); ``str(error)`` says why. Nothing of it was kept."""


@dataclass(frozen=True)
class _Operator(Principal):
    """The person running the CLI, acting through the claim services as the system."""

    @property
    def actor(self) -> Actor:
        return SYSTEM


def operator() -> Principal:
    """The CLI's principal for imports: the operator's (admin) rights, no user of its own;
    every event it writes says ``system``."""
    return _Operator(
        user_id=None,  # type: ignore[arg-type]  # the services store None: no user acted
        email="system",
        role=Role.ADMIN.value,
        via="system",
        credential_id=0,
    )


@dataclass
class ImportReport:
    imported: int = 0
    unchanged: int = 0
    problems: list[AnnotationProblem] = field(default_factory=list)


def import_annotations(
    engine: Engine,
    annotations: Iterable[ImportedAnnotation],
    *,
    principal: Principal,
    on_problem: Callable[[AnnotationProblem], None] | None = None,
) -> ImportReport:
    """Import each annotation in a transaction of its own on ``engine`` (a writing engine);
    one that cannot be imported is reported (``on_problem`` and the report) and skipped."""
    report = ImportReport()
    for item in annotations:
        try:
            with engine.connect() as conn, conn.begin():
                session = Session(
                    bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
                )
                with session:
                    outcome = import_annotation(session, item, principal=principal)
        except (ImportRefused, ActionRefused, SpanRefused, RoleNotAllowed) as exc:
            problem = AnnotationProblem(item.annotation_id, _message(exc))
            report.problems.append(problem)
            if on_problem is not None:
                on_problem(problem)
            continue
        if outcome == "imported":
            report.imported += 1
        else:
            report.unchanged += 1
    return report


def _message(exc: Exception) -> str:
    return str(getattr(exc, "message", None) or exc)


def _article(session: Session, source: str) -> Article:
    if source.lower().startswith("urn:uuid:"):
        try:
            wanted = uuid_mod.UUID(source[9:])
        except ValueError:
            raise ImportRefused(f"The target's source {source[:80]!r} is not a UUID.") from None
        found = session.exec(select(Article).where(Article.uuid == wanted)).first()
    else:
        query = (
            select(Article)
            .where(or_(col(Article.url) == source, col(Article.canonical_url) == source))
            .order_by(col(Article.id))
        )
        found = session.exec(query).first()
    if found is None:
        raise ImportRefused(f"No article of the desk is {source[:200]}: ingest the article first.")
    return found


def _version(session: Session, article: Article) -> ArticleVersion:
    version_id = article.current_version_id or claim_edit.latest_version_id(
        session, article.id or 0
    )
    version = session.get(ArticleVersion, version_id)
    assert version is not None
    return version


def _claim_for(
    session: Session, item: ImportedAnnotation, version: ArticleVersion, principal: Principal
) -> Claim:
    """The claim for the annotation's words: a new one, or the untouched one already there."""
    found = anchor_quote(
        version.text,
        item.exact,
        prefix=item.prefix,
        suffix=item.suffix,
        start=item.start,
        end=item.end,
    )
    if found is None:
        raise ImportRefused(
            "The quote is not in the article's current text (or repeats there and its "
            f"context does not say where): {item.exact[:80]!r}"
        )
    span = locate(version.text, item.exact, *found)
    existing = session.exec(
        select(Claim).where(
            Claim.version_id == version.id, Claim.start == span.start, Claim.end == span.end
        )
    ).first()
    if existing is None:
        return claim_edit.create_claim(
            session,
            version_id=version.id or 0,
            quote=item.exact,
            start=span.start,
            end=span.end,
            principal=principal,
        )
    has_verdict = session.exec(select(Verdict.id).where(Verdict.claim_id == existing.id)).first()
    if existing.status != Status.NEW.value or has_verdict is not None:
        raise ImportRefused(
            f"Those words are already claim {existing.id} ({existing.status.replace('_', ' ')})"
            " on this desk; it is left as it is."
        )
    return existing


def _proposer(session: Session, creator: str | None) -> int | None:
    if not creator:
        return None
    query = (
        select(User.id)
        .where(or_(col(User.display_name) == creator, col(User.email) == creator.lower()))
        .order_by(col(User.id))
    )
    return session.exec(query).first()


def _link_evidence(
    session: Session, claim_id: int, item: ImportedAnnotation, principal: Principal
) -> None:
    for found in item.evidence:
        stance = found.stance or "context"
        if found.source_uuid is not None:
            try:
                wanted = uuid_mod.UUID(found.source_uuid)
            except ValueError:
                raise ImportRefused(
                    f"The evidence source {found.source_uuid!r} is no UUID."
                ) from None
            source_id = session.exec(select(Source.id).where(Source.uuid == wanted)).first()
            if source_id is None:
                raise ImportRefused(
                    f"The evidence source urn:uuid:{found.source_uuid} is not in the library."
                )
            evidence.link_evidence(
                session,
                claim_id=claim_id,
                source_id=source_id,
                stance=stance,
                note=found.note,
                principal=principal,
            )
        else:
            evidence.link_url_evidence(
                session,
                claim_id=claim_id,
                url=found.url or "",
                title=found.title or found.url or "",
                stance=stance,
                note=found.note,
                principal=principal,
            )


def import_annotation(
    session: Session, item: ImportedAnnotation, *, principal: Principal
) -> Outcome:
    """Make the annotation's claim (see the module docstring). Each service it calls
    commits: give it a session whose commits release a savepoint of a transaction the
    caller ends (``import_annotations`` does), so a failure halfway keeps nothing.

    Raises ImportRefused, ActionRefused, SpanRefused, RoleNotAllowed.
    """
    claim_changes.require(principal, Permission.PROPOSE_VERDICT, "import claims")
    wanted = uuid_mod.UUID(item.claim_uuid)
    if session.exec(select(Claim.id).where(Claim.uuid == wanted)).first() is not None:
        return "unchanged"
    article = _article(session, item.source)
    claim = _claim_for(session, item, _version(session, article), principal)
    claim_id = claim.id or 0
    if item.statement is not None or item.claimant is not None:
        review.edit_claim(
            session,
            claim_id=claim_id,
            row_version=claim_changes.load_claim(session, claim_id).row_version,
            principal=principal,
            statement=item.statement if item.statement and item.statement.strip() else None,
            claimant=item.claimant,
        )
    for tag in item.tags:
        review.add_tag(session, claim_id=claim_id, name=tag, principal=principal)
    _link_evidence(session, claim_id, item, principal)
    for comment in item.comments:
        review.add_comment(session, claim_id=claim_id, body=comment, principal=principal)
    import_claim_review_state(
        session,
        claim_id=claim_id,
        principal=principal,
        claim_uuid=item.claim_uuid,
        claim_date=item.claim_date,
        verdict=item.verdict,
        proposer_id=_proposer(session, item.creator),
        proposed_at=item.created,
        decided_at=item.modified,
    )
    return "imported"


def import_claim_review_state(
    session: Session,
    *,
    claim_id: int,
    principal: Principal,
    claim_uuid: str,
    claim_date: date | None,
    verdict: ImportedVerdict | None,
    proposer_id: int | None = None,
    proposed_at: datetime | None = None,
    decided_at: datetime | None = None,
) -> Claim:
    """Give a claim the identity and review state an import brings, with one ``imported``
    event, and commit: its UUID and claim date, and, with a ``verdict``, a Verdict in the
    state given (approved or published; the claim's status follows) labelled from the
    desk's active rating scale, keeping the file's UUID and rating snapshot.

    ``proposed_at`` is when the verdict was proposed, ``decided_at`` when it took its state
    (approved or published); the approver and, for a published verdict, the approval time
    are not known and stay empty. This bypasses the workflow on purpose: the decision was
    taken elsewhere, and the event says it was imported.

    Raises ClaimNotFound, RoleNotAllowed, ImportRefused (a label not on the scale).
    """
    claim_changes.require(principal, Permission.PUBLISH, "import verdicts")
    scale = rating_scale.active_scale(session)
    change = claim_changes.begin(
        session,
        claim_id=claim_id,
        row_version=None,
        principal=principal,
        permission=Permission.EDIT_CLAIMS,
        doing="import claims",
    )
    old_status = change.claim.status
    values: dict[str, object] = {"uuid": uuid_mod.UUID(claim_uuid), "claim_date": claim_date}
    after: dict[str, object] = {"uuid": claim_uuid, "claim_date": str(claim_date or "") or None}
    row: Verdict | None = None
    if verdict is not None:
        label = scale.label_named(verdict.label)
        if label is None:
            names = ", ".join(lb.name for lb in scale.labels)
            raise ImportRefused(
                f"The verdict {verdict.label[:100]!r} is not on this desk's rating scale ({names})."
            )
        now = utcnow()
        decided = decided_at or now
        row = Verdict(
            uuid=uuid_mod.UUID(verdict.uuid) if verdict.uuid else new_uuid(),
            claim_id=claim_id,
            label_id=label.id,
            label_name=label.name,
            rating_value=(
                verdict.rating_value if verdict.rating_value is not None else label.rating_value
            ),
            best_rating=(
                verdict.best_rating if verdict.best_rating is not None else scale.scale.best_rating
            ),
            worst_rating=(
                verdict.worst_rating
                if verdict.worst_rating is not None
                else scale.scale.worst_rating
            ),
            rationale=verdict.rationale,
            state=verdict.state,
            proposer_id=proposer_id,
            proposed_at=proposed_at or decided,
            approved_at=decided if verdict.state == "approved" else None,
            published_at=decided if verdict.state == "published" else None,
        )
        values["status"] = verdict.state
    version = change.write(**values)
    if row is not None:
        session.add(row)
        session.flush()
        after.update(
            status=row.state,
            verdict_id=row.id,
            verdict_uuid=str(row.uuid),
            label=row.label_name,
            verdict=row.state,
            rationale=row.rationale,
        )
    after["row_version"] = version
    change.record("imported", before={"status": old_status}, after=after)
    session.commit()
    return claim_changes.load_claim(session, claim_id)
