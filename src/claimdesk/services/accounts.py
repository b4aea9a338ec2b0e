"""Users, passwords, login throttling, browser sessions and API tokens.

Passwords are hashed with Argon2 through pwdlib. Session and API tokens are random
secrets shown once; only their SHA-256 digests are stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from pwdlib import PasswordHash
from sqlalchemy import func
from sqlmodel import Session, col, select

from claimdesk.core.permissions import Role, parse_role
from claimdesk.services import events
from claimdesk.services.events import Actor
from claimdesk.store.models import ApiToken, AuthSession, LoginAttempt, User
from claimdesk.store.types import utcnow

SESSION_LIFETIME = timedelta(days=14)
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_MAX_FAILURES = 5
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cdk_"  # noqa: S105  (a label, not a secret)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHash.recommended()
# Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


class LoginFailed(Exception):
    """Wrong email or password, or a disabled account: one message for all of them."""


class LoginThrottled(Exception):
    """Too many failed logins for this email or address in the throttle window."""


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
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
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
    user = get_user(session, email)
    parsed = parse_role_or_fail(role)
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
    """Change a password; every browser session of the user ends."""
    user = get_user(session, email)
    check_password(password)
    user.password_hash = _hasher.hash(password)
    user.updated_at = utcnow()
    session.add(user)
    _end_sessions(session, user)
    events.record(
        session, actor=actor, entity_type="user", entity_id=user.id, action="password_changed"
    )
    session.commit()
    return user


def set_disabled(session: Session, *, email: str, disabled: bool, actor: Actor) -> User:
    """Disable (or enable) a user; disabling ends their sessions and stops their tokens."""
    user = get_user(session, email)
    user.disabled = disabled
    user.updated_at = utcnow()
    session.add(user)
    if disabled:
        _end_sessions(session, user)
    events.record(
        session,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        action="disabled" if disabled else "enabled",
    )
    session.commit()
    return user


def _end_sessions(session: Session, user: User) -> None:
    now = utcnow()
    for row in session.exec(
        select(AuthSession).where(
            AuthSession.user_id == user.id, col(AuthSession.revoked_at).is_(None)
        )
    ):
        row.revoked_at = now
        session.add(row)


def _recent_failures(session: Session, email: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    by_email = session.exec(
        select(func.count(col(LoginAttempt.id))).where(
            LoginAttempt.email == email,
            col(LoginAttempt.outcome).in_(("checking", "failed")),
            LoginAttempt.created_at >= since,
        )
    ).one()
    return int(by_email)


def login(
    session: Session, *, email: str, password: str, client_ip: str | None
) -> tuple[User, str]:
    """Check the credentials and open a browser session; returns the user and the secret.

    Raises LoginThrottled after THROTTLE_MAX_FAILURES failures in THROTTLE_WINDOW for the
    email, and LoginFailed for a wrong email or password or a disabled user (the same for
    all, so the answer does not tell which emails exist). Every attempt is recorded.
    """
    key = email.strip().lower()[:320]
    if _recent_failures(session, key) >= THROTTLE_MAX_FAILURES:
        session.add(LoginAttempt(email=key, client_ip=client_ip, outcome="throttled"))
        events.record(
            session,
            actor=Actor(label=key),
            entity_type="login",
            entity_id=None,
            action="throttled",
            after={"ip": client_ip},
        )
        session.commit()
        raise LoginThrottled
    user = session.exec(select(User).where(User.email == key)).first()
    ok = _hasher.verify(
        password, user.password_hash if user and user.password_hash else _DUMMY_HASH
    )
    if user is None or not ok or user.disabled:
        session.add(LoginAttempt(email=key, client_ip=client_ip, outcome="failed"))
        events.record(
            session,
            actor=Actor(label=key),
            entity_type="login",
            entity_id=user.id if user else None,
            action="failed",
            after={"ip": client_ip},
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
    session.add(LoginAttempt(email=key, client_ip=client_ip, outcome="succeeded"))
    events.record(
        session,
        actor=Actor(kind="user", id=user.id, label=user.email),
        entity_type="user",
        entity_id=user.id,
        action="logged_in",
        after={"ip": client_ip},
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
    """A new personal API token for ``user``; the secret is returned once, never stored."""
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


def principal_for_token(session: Session, secret: str) -> Principal | None:
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == digest(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or user.disabled:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        session.add(token)
        session.commit()
    return Principal(user.id, user.email, user.role, "token", token.id)  # type: ignore[arg-type]
