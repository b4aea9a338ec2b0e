"""Users, passwords, login throttling, browser sessions and API tokens.

Passwords are hashed with Argon2 through pwdlib. Session and API tokens are random
secrets shown once; only their SHA-256 digests are stored.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from pwdlib import PasswordHash
from sqlalchemy import ColumnElement, func, or_, update
from sqlmodel import Session, col, select

from claimdesk.core.permissions import Role, parse_role
from claimdesk.core.text_input import TextInputError, refuse_nul
from claimdesk.services import events
from claimdesk.services.events import Actor
from claimdesk.store import locks
from claimdesk.store.models import ApiToken, AuthSession, LoginAttempt, User
from claimdesk.store.types import utcnow

SESSION_LIFETIME = timedelta(days=14)
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_MAX_FAILURES = 5  # per email
# Per client address, so one password sprayed over many emails is throttled too. Higher
# than the per-email limit: a newsroom behind one NAT address shares it.
THROTTLE_MAX_FAILURES_PER_ADDRESS = 20
_COUNTED_OUTCOMES = ("checking", "failed")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cdk_"  # noqa: S105  (a label, not a secret)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHash.recommended()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both failures take the same time.
    Computed on the first login, not at import: an Argon2 hash costs a good part of a
    second, and most commands that import this module never check a password."""
    return _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


class LoginFailed(Exception):
    """Wrong email or password, or a disabled account: one message for all of them."""


class LoginThrottled(Exception):
    """Too many failed logins for this email or address in the throttle window; ``limit``
    says which ("email" or "address")."""

    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user, through a browser session or an API token."""

    user_id: int
    email: str
    role: str
    via: str  # "session" or "token"
    credential_id: int

    @property
    def actor(self) -> Actor:
        return Actor(
            kind="user" if self.via == "session" else "token", id=self.user_id, label=self.email
        )


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    """``email`` trimmed and lower-cased. Raises AccountError when it is not an address
    (a NUL character included: PostgreSQL cannot store one, so both databases refuse it)."""
    email = email.strip().lower()
    if "\x00" in email or not _EMAIL.match(email) or len(email) > 320:
        raise AccountError(f"{email!r} is not an email address")
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def get_user(session: Session, email: str) -> User:
    """Raises AccountError when no user has that email."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise AccountError(f"no user {email!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.email))))


def add_user(session: Session, *, email: str, role: str, password: str, actor: Actor) -> User:
    """Create a user. Raises AccountError for a bad email, role, password or a duplicate."""
    email = normalise_email(email)
    parsed = parse_role_or_fail(role)
    check_password(password)
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise AccountError(f"a user {email!r} exists already")
    user = User(email=email, role=parsed.value, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    events.record(
        session,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        action="created",
        after={"email": email, "role": parsed.value},
    )
    session.commit()
    return user


def parse_role_or_fail(role: str) -> Role:
    try:
        return parse_role(role)
    except ValueError as exc:
        raise AccountError(str(exc)) from None


def set_role(session: Session, *, email: str, role: str, actor: Actor) -> User:
    """Change a role; every browser session of the user ends. Raises AccountError for an
    unknown user or role, or when it would take the role from the last active admin."""
    user = get_user(session, email)
    parsed = parse_role_or_fail(role)
    if parsed is not Role.ADMIN:
        _keep_an_admin(session, user)
    before = user.role
    user.role = parsed.value
    user.updated_at = utcnow()
    session.add(user)
    _end_sessions(session, user)
    events.record(
        session,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        action="role_changed",
        before={"role": before},
        after={"role": parsed.value},
    )
    session.commit()
    return user


def set_password(session: Session, *, email: str, password: str, actor: Actor) -> User:
    """Change a password; every browser session and API token of the user ends. Raises
    AccountError for an unknown user or a password too short."""
    user = get_user(session, email)
    check_password(password)
    user.password_hash = _hasher.hash(password)
    user.updated_at = utcnow()
    session.add(user)
    _end_sessions(session, user)
    _revoke_tokens(session, user, actor=actor, reason="password_changed")
    events.record(
        session, actor=actor, entity_type="user", entity_id=user.id, action="password_changed"
    )
    session.commit()
    return user


def set_disabled(session: Session, *, email: str, disabled: bool, actor: Actor) -> User:
    """Disable (or enable) a user; disabling ends their sessions and revokes their tokens,
    so enabling them again brings none back. Raises AccountError for an unknown user or
    when it would disable the last active admin."""
    user = get_user(session, email)
    if disabled:
        _keep_an_admin(session, user)
    user.disabled = disabled
    user.updated_at = utcnow()
    session.add(user)
    if disabled:
        _end_sessions(session, user)
        _revoke_tokens(session, user, actor=actor, reason="disabled")
    events.record(
        session,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        action="disabled" if disabled else "enabled",
    )
    session.commit()
    return user


def _keep_an_admin(session: Session, user: User) -> None:
    """Raises AccountError if ``user`` is the only active admin. The active admins' rows
    stay locked until the transaction ends (PostgreSQL; SQLite's writer holds the whole
    database), so two admins demoting each other at once cannot leave none."""
    admins = session.exec(
        select(User.id)
        .where(User.role == Role.ADMIN.value, col(User.disabled).is_(False))
        .order_by(col(User.id))
        .with_for_update()
    ).all()
    if list(admins) == [user.id]:
        raise AccountError(f"{user.email} is the last active admin; make another user admin first")


def _revoke_tokens(session: Session, user: User, *, actor: Actor, reason: str) -> None:
    now = utcnow()
    for token in session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
    ):
        token.revoked_at = now
        session.add(token)
        events.record(
            session,
            actor=actor,
            entity_type="api_token",
            entity_id=token.id,
            action="revoked",
            after={"reason": reason},
        )


def _end_sessions(session: Session, user: User) -> None:
    now = utcnow()
    for row in session.exec(
        select(AuthSession).where(
            AuthSession.user_id == user.id, col(AuthSession.revoked_at).is_(None)
        )
    ):
        row.revoked_at = now
        session.add(row)


def _recent_failures(session: Session, where: ColumnElement[bool]) -> int:
    """Attempts matching ``where`` in THROTTLE_WINDOW that failed or are being checked."""
    since = utcnow() - THROTTLE_WINDOW
    count = session.exec(
        select(func.count(col(LoginAttempt.id))).where(
            where,
            col(LoginAttempt.outcome).in_(_COUNTED_OUTCOMES),
            LoginAttempt.created_at >= since,
        )
    ).one()
    return int(count)


def _exceeded_limit(session: Session, key: str, address: str | None) -> str | None:
    """The limit ("email" or "address") this attempt would go beyond, if any."""
    if _recent_failures(session, col(LoginAttempt.email) == key) >= THROTTLE_MAX_FAILURES:
        return "email"
    if (
        address is not None
        and _recent_failures(session, col(LoginAttempt.client_ip) == address)
        >= THROTTLE_MAX_FAILURES_PER_ADDRESS
    ):
        return "address"
    return None


@dataclass(frozen=True)
class _Admitted:
    attempt: LoginAttempt
    user_id: int | None
    password_hash: str | None


def _admit(session: Session, key: str, address: str | None) -> _Admitted:
    """Count the recent failures and take a place among them, in one short transaction.

    The email's and the address's locks are held from the count to the commit, so
    concurrent attempts are counted one after the other and no more than the limit reach
    the password check. The attempt is stored as "checking", which counts as a failure until
    the check is done. Raises LoginThrottled (after recording the refusal) over a limit.
    """
    locks.serialise(
        session, f"login:email:{key}", *([f"login:address:{address}"] if address else [])
    )
    limit = _exceeded_limit(session, key, address)
    if limit is not None:
        session.add(LoginAttempt(email=key, client_ip=address, outcome="throttled"))
        events.record(
            session,
            actor=Actor(label=key),
            entity_type="login",
            entity_id=None,
            action="throttled",
            after={"ip": address, "limit": limit},
        )
        session.commit()
        raise LoginThrottled(limit)
    user = session.exec(select(User).where(User.email == key)).first()
    attempt = LoginAttempt(email=key, client_ip=address, outcome="checking")
    session.add(attempt)
    admitted = _Admitted(attempt, user.id if user else None, user.password_hash if user else None)
    session.commit()
    return admitted


def login(
    session: Session, *, email: str, password: str, client_ip: str | None
) -> tuple[User, str]:
    """Check the credentials and open a browser session; returns the user and the secret.

    Pass a writing session (``Database.session(write=True)``). Raises LoginThrottled when
    the email has THROTTLE_MAX_FAILURES failures in THROTTLE_WINDOW, or the client address
    THROTTLE_MAX_FAILURES_PER_ADDRESS; refused attempts are not failures, so the lock ends
    one window after the failures that caused it. Raises LoginFailed for a wrong email or
    password or a disabled user (the same for all, so the answer does not tell which emails
    exist). Every attempt is recorded, and the password is checked outside any transaction.
    """
    key = email.strip().lower()[:320]
    address = client_ip[:64] if client_ip else None
    admitted = _admit(session, key, address)
    ok = _hasher.verify(password, admitted.password_hash or _dummy_hash())
    attempt = admitted.attempt
    user = None
    if admitted.user_id is not None:
        user = session.get(User, admitted.user_id, populate_existing=True)
    if user is None or not ok or user.disabled or user.password_hash != admitted.password_hash:
        attempt.outcome = "failed"
        session.add(attempt)
        events.record(
            session,
            actor=Actor(label=key),
            entity_type="login",
            entity_id=user.id if user else None,
            action="failed",
            after={"ip": address},
        )
        session.commit()
        raise LoginFailed
    secret = secrets.token_urlsafe(32)
    row = AuthSession(
        token_hash=digest(secret),
        user_id=user.id,  # type: ignore[arg-type]
        expires_at=utcnow() + SESSION_LIFETIME,
    )
    session.add(row)
    attempt.outcome = "succeeded"
    session.add(attempt)
    events.record(
        session,
        actor=Actor(kind="user", id=user.id, label=user.email),
        entity_type="user",
        entity_id=user.id,
        action="logged_in",
        after={"ip": address},
    )
    session.commit()
    return user, secret


def principal_for_session(session: Session, secret: str) -> Principal | None:
    """The signed-in user behind a session cookie, if it is live."""
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == digest(secret))).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return Principal(user.id, user.email, user.role, "session", row.id)  # type: ignore[arg-type]


def logout(session: Session, *, secret: str) -> None:
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == digest(secret))).first()
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    session.add(row)
    user = session.get(User, row.user_id)
    events.record(
        session,
        actor=Actor(kind="user", id=row.user_id, label=user.email if user else "?"),
        entity_type="user",
        entity_id=row.user_id,
        action="logged_out",
    )
    session.commit()


def create_token(session: Session, *, user: User, name: str, actor: Actor) -> tuple[ApiToken, str]:
    """A new personal API token for ``user``; the secret is returned once, never stored.

    Raises AccountError for a name holding a NUL character."""
    try:
        refuse_nul(name, "The token name")
    except TextInputError as exc:
        raise AccountError(str(exc)) from None
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,  # type: ignore[arg-type]
        name=name.strip()[:200],
        prefix=secret[:12],
        token_hash=digest(secret),
    )
    session.add(token)
    session.flush()
    events.record(
        session,
        actor=actor,
        entity_type="api_token",
        entity_id=token.id,
        action="created",
        after={"user": user.email, "name": token.name},
    )
    session.commit()
    return token, secret


def list_tokens(session: Session, *, user: User | None = None) -> list[tuple[ApiToken, User]]:
    query = select(ApiToken, User).join(User, col(User.id) == ApiToken.user_id)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(session.exec(query.order_by(col(ApiToken.created_at), col(ApiToken.id))).all())


def revoke_token(
    session: Session, *, token_id: int, actor: Actor, owner: User | None = None
) -> ApiToken:
    """Revoke a token (only ``owner``'s when given). Raises AccountError if there is none."""
    token = session.get(ApiToken, token_id)
    if token is None or (owner is not None and token.user_id != owner.id):
        raise AccountError(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        events.record(
            session, actor=actor, entity_type="api_token", entity_id=token.id, action="revoked"
        )
        session.commit()
    return token


TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def principal_for_token(session: Session, secret: str) -> Principal | None:
    """The user behind a live API token, or None. Read-only: see ``note_token_use``."""
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == digest(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or user.disabled:
        return None
    return Principal(user.id, user.email, user.role, "token", token.id)  # type: ignore[arg-type]


def token_use_due(session: Session, token_id: int) -> bool:
    """Whether ``note_token_use`` would write now (read-only): lets a caller skip opening a
    write at all for a token used within the last minute."""
    last = session.exec(select(ApiToken.last_used_at).where(ApiToken.id == token_id)).first()
    return last is None or last < utcnow() - TOKEN_USE_RESOLUTION


def note_token_use(session: Session, token_id: int) -> bool:
    """Record that a token was used now (to the minute: at most one write a minute per
    token, so busy scripts do not queue writers). Commits; True if it wrote."""
    now = utcnow()
    result = session.connection().execute(
        update(ApiToken)
        .where(
            col(ApiToken.id) == token_id,
            or_(
                col(ApiToken.last_used_at).is_(None),
                col(ApiToken.last_used_at) < now - TOKEN_USE_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
    )
    session.commit()
    return bool(result.rowcount)
