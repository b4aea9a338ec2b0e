"""The login throttle: per email and per client address, atomic under concurrency, and a
lock that ends one window after the failures that caused it."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import col, select

from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Event, LoginAttempt

EMAIL = "desk@desk.test"
PASSWORD = "correct horse battery"
WRONG = "wrong horse battery"
ADDRESS = "192.0.2.10"


@pytest.fixture
def desk_user(db: Database) -> str:
    with db.session(write=True) as s:
        accounts.add_user(s, email=EMAIL, role="editor", password=PASSWORD, actor=SYSTEM)
    return EMAIL


def _try(db: Database, password: str, *, email: str = EMAIL, address: str = ADDRESS) -> str:
    """One login through its own writing session, as a request gets it; what came of it."""
    with db.session(write=True) as s:
        try:
            accounts.login(s, email=email, password=password, client_ip=address)
        except accounts.LoginFailed:
            return "failed"
        except accounts.LoginThrottled as exc:
            return f"throttled:{exc.limit}"
    return "succeeded"


def _age_attempts(db: Database, by: timedelta) -> None:
    """Move every recorded attempt ``by`` into the past, as if that much time went by."""
    with db.session(write=True) as s:
        for attempt in s.exec(select(LoginAttempt)):
            attempt.created_at = attempt.created_at - by
            s.add(attempt)
        s.commit()


def _outcomes(db: Database) -> Counter[str]:
    with db.session() as s:
        return Counter(a.outcome for a in s.exec(select(LoginAttempt)))


def test_the_lock_ends_one_window_after_the_failures_however_often_refused(
    db: Database, desk_user: str
) -> None:
    for _ in range(accounts.THROTTLE_MAX_FAILURES):
        assert _try(db, WRONG) == "failed"
    _age_attempts(db, timedelta(minutes=10))
    # Refused attempts inside the window, the right password among them: none is checked.
    for _ in range(accounts.THROTTLE_MAX_FAILURES + 2):
        assert _try(db, PASSWORD) == "throttled:email"
    _age_attempts(db, timedelta(minutes=5, seconds=1))  # the failures are now 15:01 old
    assert _try(db, PASSWORD) == "succeeded"
    assert _outcomes(db) == Counter(
        failed=accounts.THROTTLE_MAX_FAILURES,
        throttled=accounts.THROTTLE_MAX_FAILURES + 2,
        succeeded=1,
    )


def test_still_locked_just_inside_the_window(db: Database, desk_user: str) -> None:
    for _ in range(accounts.THROTTLE_MAX_FAILURES):
        assert _try(db, WRONG) == "failed"
    _age_attempts(db, accounts.THROTTLE_WINDOW - timedelta(seconds=30))
    assert _try(db, PASSWORD) == "throttled:email"


def _burst(db: Database, attempts: list[tuple[str, str, str]]) -> Counter[str]:
    """Release every (email, password, address) attempt at once, one thread each."""
    barrier = threading.Barrier(len(attempts))
    results: list[str] = []
    errors: list[BaseException] = []

    def attempt(email: str, password: str, address: str) -> None:
        barrier.wait()
        try:
            results.append(_try(db, password, email=email, address=address))
        except BaseException as exc:  # reported below; a thread cannot raise into the test
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=a) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return Counter(results)


def test_a_burst_on_one_email_gets_no_more_password_checks_than_the_limit(
    db: Database, desk_user: str
) -> None:
    seen = _burst(db, [(EMAIL, f"guess number {n}", f"198.51.100.{n}") for n in range(40)])
    assert seen == Counter({"failed": 5, "throttled:email": 35})
    with db.session() as s:
        actions = Counter(
            e.action for e in s.exec(select(Event).where(Event.entity_type == "login"))
        )
    assert actions == Counter(failed=5, throttled=35)
    assert _try(db, PASSWORD) == "throttled:email"


def test_the_right_password_in_a_burst_never_gets_in_once_the_limit_is_reached(
    db: Database, desk_user: str
) -> None:
    for _ in range(accounts.THROTTLE_MAX_FAILURES - 1):
        assert _try(db, WRONG) == "failed"
    guesses = [(EMAIL, f"guess number {n}", ADDRESS) for n in range(39)]
    seen = _burst(db, [*guesses, (EMAIL, PASSWORD, ADDRESS)])
    # One place was left: one guess fails, or the right password gets in first (a success
    # is not a failure, so its place may pass to one more guess), never after that guess.
    assert seen["failed"] <= 1 and seen["succeeded"] <= 1
    assert seen["throttled:email"] == 40 - seen["failed"] - seen["succeeded"]
    with db.session() as s:
        attempts = list(s.exec(select(LoginAttempt).order_by(col(LoginAttempt.id))))
    assert [a.outcome for a in attempts].count("failed") <= accounts.THROTTLE_MAX_FAILURES
    if seen["succeeded"]:
        order = [a.outcome for a in attempts if a.outcome != "throttled"]
        assert order.index("succeeded") < accounts.THROTTLE_MAX_FAILURES


def test_spraying_one_password_over_many_emails_is_throttled_per_address(
    db: Database, desk_user: str
) -> None:
    limit = accounts.THROTTLE_MAX_FAILURES_PER_ADDRESS
    for n in range(limit):
        assert _try(db, PASSWORD, email=f"guess{n}@desk.test") == "failed"
    # The address is spent, even for a real user with the right password ...
    assert _try(db, PASSWORD) == "throttled:address"
    # ... but the user can still sign in from elsewhere.
    assert _try(db, PASSWORD, address="203.0.113.7") == "succeeded"
    with db.session() as s:
        throttled = s.exec(select(Event).where(Event.action == "throttled")).one()
    assert throttled.after == {"ip": ADDRESS, "limit": "address"}


def test_a_sprayed_burst_gets_no_more_checks_than_the_address_limit(db: Database) -> None:
    seen = _burst(db, [(f"guess{n}@desk.test", WRONG, ADDRESS) for n in range(40)])
    limit = accounts.THROTTLE_MAX_FAILURES_PER_ADDRESS
    assert seen == Counter({"failed": limit, "throttled:address": 40 - limit})
