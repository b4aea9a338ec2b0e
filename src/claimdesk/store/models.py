"""SQLModel tables: the claimdesk data model (see docs/ARCHITECTURE.md).

Every record that leaves the system carries a stable ``uuid`` beside its integer key;
timestamps are UTC (``UTCDateTime``). Schema changes go through Alembic migrations only.
"""

from __future__ import annotations

import uuid as uuid_mod
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from claimdesk.store.types import UTCDateTime, new_uuid, utcnow

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CLAIM_STATUSES = (
    "new",
    "in_review",
    "proposed",
    "approved",
    "published",
    "returned",
    "dismissed",
)
ROLES = ("reviewer", "editor", "researcher", "admin")


def _uuid_field() -> Any:
    return Field(default_factory=new_uuid, unique=True, nullable=False)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class DeskSettings(SQLModel, table=True):
    """One desk per database: who publishes the fact-checks and with which scale."""

    __tablename__: ClassVar[str] = "desk_settings"
    id: int | None = Field(default=None, primary_key=True)
    organisation_name: str = Field(default="claimdesk", max_length=200)
    organisation_url: str | None = Field(default=None, max_length=2000)
    fact_check_url_pattern: str | None = Field(default=None, max_length=2000)
    active_scale_id: int | None = Field(default=None, foreign_key="rating_scale.id")
    public_fact_checks: bool = Field(default=False)  # fact-check pages open to everyone
    updated_at: datetime = _created()


class User(SQLModel, table=True):
    __tablename__: ClassVar[str] = "auth_user"
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    email: str = Field(max_length=320, unique=True, index=True)
    display_name: str | None = Field(default=None, max_length=200)
    role: str = Field(max_length=20)
    password_hash: str | None = Field(default=None, max_length=500)
    disabled: bool = Field(default=False)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class AuthSession(SQLModel, table=True):
    __tablename__: ClassVar[str] = "auth_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=128, unique=True)
    user_id: int = Field(foreign_key="auth_user.id", index=True)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    __tablename__: ClassVar[str] = "auth_api_token"
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    user_id: int = Field(foreign_key="auth_user.id", index=True)
    name: str = Field(default="", max_length=200)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=128, unique=True)
    created_at: datetime = _created()
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


LOGIN_OUTCOMES = ("checking", "failed", "succeeded", "throttled")


class LoginAttempt(SQLModel, table=True):
    """One try at signing in. ``outcome`` is "checking" while the password is being
    verified, then "failed" or "succeeded"; "throttled" when it was refused unchecked.
    Only "checking" and "failed" count towards the login throttle."""

    __tablename__: ClassVar[str] = "auth_login_attempt"
    __table_args__ = (
        Index("ix_auth_login_attempt_email_created", "email", "created_at"),
        Index("ix_auth_login_attempt_client_ip_created", "client_ip", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    client_ip: str | None = Field(default=None, max_length=64)
    outcome: str = Field(default="checking", max_length=20)
    created_at: datetime = _created()


class Article(SQLModel, table=True):
    __tablename__: ClassVar[str] = "article"
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    url: str | None = Field(default=None, max_length=2000, index=True)
    canonical_url: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, sa_type=Text)
    publisher: str | None = Field(default=None, max_length=300)
    author: str | None = Field(default=None, max_length=300)
    published_at: date | None = Field(default=None)
    language: str | None = Field(default=None, max_length=35)
    current_version_id: int | None = Field(default=None)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ArticleVersion(SQLModel, table=True):
    """One ingested version of an article's text; all claim offsets refer to ``text``."""

    __tablename__: ClassVar[str] = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    article_id: int = Field(foreign_key="article.id", index=True)
    number: int = Field(default=1)
    text: str = Field(sa_type=Text)
    content_hash: str = Field(max_length=64, index=True)
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    content_type: str | None = Field(default=None, max_length=100)
    final_url: str | None = Field(default=None, max_length=2000)
    encoding: str | None = Field(default=None, max_length=50)
    extra: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    fetched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ingested_by_id: int | None = Field(default=None, foreign_key="auth_user.id")
    created_at: datetime = _created()


class Claimant(SQLModel, table=True):
    __tablename__: ClassVar[str] = "claimant"
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    name: str = Field(max_length=300, unique=True)
    kind: str = Field(default="unknown", max_length=20)  # person / organisation / unknown
    created_at: datetime = _created()


class Claim(SQLModel, table=True):
    __tablename__: ClassVar[str] = "claim"
    __table_args__ = (Index("ix_claim_status_score", "status", "score"),)
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    article_id: int = Field(foreign_key="article.id", index=True)
    version_id: int = Field(foreign_key="article_version.id", index=True)
    start: int
    end: int
    quote: str = Field(sa_type=Text)
    prefix: str = Field(default="", max_length=200)
    suffix: str = Field(default="", max_length=200)
    anchor_state: str = Field(default="anchored", max_length=20)
    statement: str = Field(sa_type=Text)
    claimant_id: int | None = Field(default=None, foreign_key="claimant.id", index=True)
    claim_date: date | None = Field(default=None)
    score: float = Field(default=0.0)
    reasons: list[str] = Field(default_factory=list, sa_type=JSON)
    model_version: str | None = Field(default=None, max_length=50)
    status: str = Field(default="new", max_length=20)
    assignee_id: int | None = Field(default=None, foreign_key="auth_user.id")
    duplicate_of_id: int | None = Field(default=None, foreign_key="claim.id")
    language: str | None = Field(default=None, max_length=35)
    row_version: int = Field(default=1)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ClaimLink(SQLModel, table=True):
    __tablename__: ClassVar[str] = "claim_link"
    __table_args__ = (UniqueConstraint("from_claim_id", "to_claim_id"),)
    id: int | None = Field(default=None, primary_key=True)
    from_claim_id: int = Field(foreign_key="claim.id")
    to_claim_id: int = Field(foreign_key="claim.id", index=True)
    kind: str = Field(max_length=20)  # same / related / contradicts
    created_by_id: int | None = Field(default=None, foreign_key="auth_user.id")
    created_at: datetime = _created()


class Tag(SQLModel, table=True):
    __tablename__: ClassVar[str] = "tag"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)


class ClaimTag(SQLModel, table=True):
    __tablename__: ClassVar[str] = "claim_tag"
    claim_id: int = Field(foreign_key="claim.id", primary_key=True)
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True)


class Comment(SQLModel, table=True):
    __tablename__: ClassVar[str] = "comment"
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    claim_id: int = Field(foreign_key="claim.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="auth_user.id")
    body: str = Field(sa_type=Text)
    created_at: datetime = _created()


class Assignment(SQLModel, table=True):
    __tablename__: ClassVar[str] = "assignment"
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    user_id: int = Field(foreign_key="auth_user.id", index=True)
    assigned_by_id: int | None = Field(default=None, foreign_key="auth_user.id")
    created_at: datetime = _created()
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Source(SQLModel, table=True):
    """A document, statement, dataset or earlier fact-check in the source library."""

    __tablename__: ClassVar[str] = "source"
    __table_args__ = (UniqueConstraint("collection", "identity"),)
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    kind: str = Field(default="document", max_length=20, index=True)
    collection: str = Field(default="", max_length=200)
    identity: str = Field(max_length=2000)  # external id, else url, else content hash
    external_id: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, sa_type=Text)
    publisher: str | None = Field(default=None, max_length=300)
    published_at: date | None = Field(default=None)
    language: str | None = Field(default=None, max_length=35)
    claim_reviewed: str | None = Field(default=None, sa_type=Text)
    rating_text: str | None = Field(default=None, max_length=300)
    rating_value: float | None = Field(default=None)
    rating_best: float | None = Field(default=None)
    rating_worst: float | None = Field(default=None)
    reviewer: str | None = Field(default=None, max_length=300)
    sensitive: bool = Field(default=False)
    text: str = Field(default="", sa_type=Text)
    content_hash: str = Field(max_length=64)
    extra: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Passage(SQLModel, table=True):
    __tablename__: ClassVar[str] = "passage"
    __table_args__ = (UniqueConstraint("source_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    seq: int
    start: int
    end: int
    text: str = Field(sa_type=Text)


class Evidence(SQLModel, table=True):
    __tablename__: ClassVar[str] = "evidence"
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    claim_id: int = Field(foreign_key="claim.id", index=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    passage_id: int | None = Field(default=None, foreign_key="passage.id")
    state: str = Field(default="suggested", max_length=20)  # suggested / confirmed / rejected
    stance: str | None = Field(default=None, max_length=20)  # supports / refutes / context
    match_start: int | None = Field(default=None)
    match_end: int | None = Field(default=None)
    score: float | None = Field(default=None)
    note: str | None = Field(default=None, sa_type=Text)
    created_by_id: int | None = Field(default=None, foreign_key="auth_user.id")
    created_at: datetime = _created()
    updated_at: datetime = _created()


class RatingScale(SQLModel, table=True):
    __tablename__: ClassVar[str] = "rating_scale"
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    name: str = Field(max_length=200, unique=True)
    best_rating: float = Field(default=5)
    worst_rating: float = Field(default=1)
    created_at: datetime = _created()


class RatingLabel(SQLModel, table=True):
    __tablename__: ClassVar[str] = "rating_label"
    __table_args__ = (UniqueConstraint("scale_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    scale_id: int = Field(foreign_key="rating_scale.id", index=True)
    name: str = Field(max_length=100)
    description: str | None = Field(default=None, sa_type=Text)
    rating_value: float | None = Field(default=None)
    colour: str = Field(default="#888888", max_length=20)
    requires_evidence: bool = Field(default=True)
    position: int = Field(default=0)


class Verdict(SQLModel, table=True):
    """One decision on a claim; a correction is a new verdict that supersedes the old."""

    __tablename__: ClassVar[str] = "verdict"
    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_mod.UUID = _uuid_field()
    claim_id: int = Field(foreign_key="claim.id", index=True)
    label_id: int | None = Field(default=None, foreign_key="rating_label.id")
    label_name: str = Field(max_length=100)
    rating_value: float | None = Field(default=None)
    best_rating: float | None = Field(default=None)
    worst_rating: float | None = Field(default=None)
    rationale: str = Field(default="", sa_type=Text)
    state: str = Field(default="proposed", max_length=20)
    proposer_id: int | None = Field(default=None, foreign_key="auth_user.id")
    approver_id: int | None = Field(default=None, foreign_key="auth_user.id")
    supersedes_id: int | None = Field(default=None, foreign_key="verdict.id")
    proposed_at: datetime = _created()
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Event(SQLModel, table=True):
    """The append-only audit log."""

    __tablename__: ClassVar[str] = "event"
    __table_args__ = (Index("ix_event_entity", "entity_type", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    actor_type: str = Field(default="system", max_length=20)  # user / token / system
    actor_id: int | None = Field(default=None)
    actor_label: str = Field(default="system", max_length=320)
    entity_type: str = Field(max_length=50)
    entity_id: int | None = Field(default=None)
    action: str = Field(max_length=50)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = _created()


class AppSecret(SQLModel, table=True):
    """Secrets the app generates on first run (e.g. the session signing key), shared by
    every worker through the database. An environment variable overrides them."""

    __tablename__: ClassVar[str] = "auth_secret"
    name: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=200)
    created_at: datetime = _created()
