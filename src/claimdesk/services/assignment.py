"""Assigning claims and articles to the people who review them.

Editors and admins assign anyone who may review (an enabled reviewer, editor or admin);
a reviewer may only take a claim or an article for themselves, or give back one they hold.
``Claim.assignee_id`` holds a claim's current assignee and the ``Assignment`` table its
history (the previous row gets ``ended_at``). A claim assignment goes through
``claim_changes`` (bumps ``row_version``, one "claim" event). Assigning an article records an
"article" event naming the person and gives them the article's unassigned open claims (each
with its own row_version bump, Assignment row and claim event); unassigning an article
leaves its claims as they are. Everything happens in one transaction, then commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from claimdesk.core.permissions import Permission, Role, allows
from claimdesk.core.workflow import RoleNotAllowed
from claimdesk.services import claim_changes, events
from claimdesk.services.accounts import Principal
from claimdesk.services.claim_changes import CLAIM
from claimdesk.services.queue import ARTICLE, DONE, article_assignee
from claimdesk.store.models import Article, Assignment, Claim, User
from claimdesk.store.types import utcnow

ASSIGN_ANYONE = frozenset({Role.EDITOR.value, Role.ADMIN.value})


class AssignmentRefused(ValueError):
    """The person named cannot be given work (unknown, disabled, or a role that does not
    review): HTTP 422. ``str(error)`` says why."""


class ArticleNotFound(LookupError):
    """No article has that id (HTTP 404)."""


@dataclass(frozen=True)
class ArticleAssignment:
    article_id: int
    assignee_id: int | None
    claim_ids: list[int]  # the claims this assignment gave to the assignee


def _check_may(principal: Principal, *, holder: int | None, wanted: int | None, what: str) -> None:
    """Raises RoleNotAllowed unless ``principal`` may move ``what`` from ``holder`` to
    ``wanted``."""
    claim_changes.require(principal, Permission.EDIT_CLAIMS, f"assign {what}s")
    if principal.role in ASSIGN_ANYONE or holder == wanted:
        return
    me = principal.user_id
    if wanted == me and holder is None:
        return  # taking it
    if wanted is None and holder == me:
        return  # giving it back
    if holder not in (None, me):
        raise RoleNotAllowed(
            f"This {what} is assigned to someone else: ask an editor to reassign it."
        )
    raise RoleNotAllowed(
        f"Reviewers can take a {what} for themselves or give back their own;"
        " an editor assigns work to others."
    )


def _assignee(session: Session, user_id: int | None) -> User | None:
    """The user work is being given to; raises AssignmentRefused when they cannot take it."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None:
        raise AssignmentRefused(f"There is no user {user_id}.")
    if user.disabled:
        raise AssignmentRefused(f"{user.email} is disabled and cannot be given work.")
    if not allows(user.role, Permission.EDIT_CLAIMS):
        raise AssignmentRefused(f"{user.email} is a {user.role} and does not review claims.")
    return user


def _end_open(session: Session, claim_ids: list[int]) -> None:
    if claim_ids:
        session.connection().execute(
            update(Assignment)
            .where(col(Assignment.claim_id).in_(claim_ids), col(Assignment.ended_at).is_(None))
            .values(ended_at=utcnow())
        )


def assign_claim(
    session: Session, *, claim_id: int, user_id: int | None, principal: Principal
) -> Claim:
    """Give the claim to ``user_id`` (None: to nobody); commits. Nothing is written when
    it already has that assignee.

    Raises RoleNotAllowed, ClaimNotFound, AssignmentRefused, and StaleClaim when the claim
    changed between reading and writing.
    """
    change = claim_changes.begin(
        session,
        claim_id=claim_id,
        row_version=None,
        principal=principal,
        permission=Permission.EDIT_CLAIMS,
        doing="assign claims",
    )
    holder = change.claim.assignee_id
    _check_may(principal, holder=holder, wanted=user_id, what="claim")
    _assignee(session, user_id)
    if holder == user_id:
        return change.claim
    change.write(assignee_id=user_id)
    _end_open(session, [claim_id])
    if user_id is not None:
        session.add(
            Assignment(claim_id=claim_id, user_id=user_id, assigned_by_id=principal.user_id)
        )
    change.record(
        "assigned" if user_id is not None else "unassigned",
        before={"assignee_id": holder},
        after={"assignee_id": user_id},
    )
    session.commit()
    return claim_changes.load_claim(session, claim_id)


def assign_article(
    session: Session, *, article_id: int, user_id: int | None, principal: Principal
) -> ArticleAssignment:
    """Give the article as a whole to ``user_id`` (None: to nobody) and, when assigning,
    its unassigned open claims too; commits. Nothing is written when nothing changes.

    Raises RoleNotAllowed, ArticleNotFound, AssignmentRefused.
    """
    claim_changes.require(principal, Permission.EDIT_CLAIMS, "assign articles")
    article = session.exec(
        select(Article).where(col(Article.id) == article_id).with_for_update()
    ).first()
    if article is None or article.current_version_id is None:
        raise ArticleNotFound(f"There is no article {article_id}.")
    holder = article_assignee(session, article_id)
    _check_may(principal, holder=holder, wanted=user_id, what="article")
    _assignee(session, user_id)
    given = _give_open_claims(session, article, user_id, principal) if user_id else []
    if holder == user_id and not given:
        return ArticleAssignment(article_id, user_id, [])
    events.record(
        session,
        actor=principal.actor,
        entity_type=ARTICLE,
        entity_id=article_id,
        action="assigned" if user_id is not None else "unassigned",
        before={"user_id": holder},
        after={"user_id": user_id, "claims": given},
    )
    session.commit()
    return ArticleAssignment(article_id, user_id, given)


def _give_open_claims(
    session: Session, article: Article, user_id: int, principal: Principal
) -> list[int]:
    """Assign the article's unassigned open claims to ``user_id`` (bumping each claim's
    row_version); returns their ids."""
    statement = (
        update(Claim)
        .where(
            col(Claim.version_id) == article.current_version_id,
            col(Claim.assignee_id).is_(None),
            col(Claim.status).not_in([s.value for s in DONE]),
        )
        .values(assignee_id=user_id, updated_at=utcnow(), row_version=col(Claim.row_version) + 1)
        .returning(col(Claim.id))
    )
    given = sorted(i for i in session.connection().execute(statement).scalars() if i is not None)
    _end_open(session, given)
    for claim_id in given:
        session.add(
            Assignment(claim_id=claim_id, user_id=user_id, assigned_by_id=principal.user_id)
        )
        events.record(
            session,
            actor=principal.actor,
            entity_type=CLAIM,
            entity_id=claim_id,
            action="assigned",
            before={"assignee_id": None},
            after={"assignee_id": user_id, "with_article": article.id},
        )
    session.expire_all()
    return given
