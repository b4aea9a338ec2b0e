"""Password changes and disabling revoke API tokens; the last active admin stays one."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import ApiToken, Event

PASSWORD = "correct horse battery"


def _add(db: Database, email: str, role: str) -> None:
    with db.session(write=True) as s:
        accounts.add_user(s, email=email, role=role, password=PASSWORD, actor=SYSTEM)


def _token(db: Database, email: str) -> str:
    with db.session(write=True) as s:
        user = accounts.get_user(s, email)
        return accounts.create_token(s, user=user, name="notebook", actor=SYSTEM)[1]


def _works(db: Database, secret: str) -> bool:
    with db.session(write=True) as s:
        return accounts.principal_for_token(s, secret) is not None


def test_a_password_change_revokes_the_users_tokens(db: Database) -> None:
    _add(db, "ana@desk.test", "researcher")
    _add(db, "bo@desk.test", "researcher")
    anas, bos = _token(db, "ana@desk.test"), _token(db, "bo@desk.test")
    with db.session(write=True) as s:
        accounts.set_password(s, email="ana@desk.test", password="a new long one", actor=SYSTEM)
    assert not _works(db, anas)
    assert _works(db, bos)
    with db.session() as s:
        revoked = s.exec(select(Event).where(Event.entity_type == "api_token")).all()
        assert [(e.action, e.after) for e in revoked if e.action == "revoked"] == [
            ("revoked", {"reason": "password_changed"})
        ]


def test_disabling_revokes_tokens_and_enabling_brings_none_back(db: Database) -> None:
    _add(db, "ana@desk.test", "researcher")
    secret = _token(db, "ana@desk.test")
    with db.session(write=True) as s:
        accounts.set_disabled(s, email="ana@desk.test", disabled=True, actor=SYSTEM)
    assert not _works(db, secret)
    with db.session(write=True) as s:
        accounts.set_disabled(s, email="ana@desk.test", disabled=False, actor=SYSTEM)
        accounts.login(s, email="ana@desk.test", password=PASSWORD, client_ip=None)
    assert not _works(db, secret)
    with db.session() as s:
        assert s.exec(select(ApiToken)).one().revoked_at is not None


def _state(db: Database) -> list[tuple[str, str, bool]]:
    with db.session() as s:
        return [(u.email, u.role, u.disabled) for u in accounts.list_users(s)]


@pytest.mark.parametrize(
    "change",
    [
        lambda s: accounts.set_role(s, email="boss@desk.test", role="editor", actor=SYSTEM),
        lambda s: accounts.set_disabled(s, email="boss@desk.test", disabled=True, actor=SYSTEM),
    ],
    ids=["demote", "disable"],
)
def test_the_last_active_admin_cannot_be_demoted_or_disabled(
    db: Database, change: Callable[[Session], object]
) -> None:
    _add(db, "boss@desk.test", "admin")
    _add(db, "old@desk.test", "admin")
    _add(db, "ed@desk.test", "editor")
    with db.session(write=True) as s:
        accounts.set_disabled(s, email="old@desk.test", disabled=True, actor=SYSTEM)
    before = _state(db)
    with db.session(write=True) as s, pytest.raises(accounts.AccountError) as refused:
        change(s)
    assert str(refused.value) == (
        "boss@desk.test is the last active admin; make another user admin first"
    )
    assert _state(db) == before
    with db.session() as s:
        assert [e.action for e in s.exec(select(Event))].count("role_changed") == 0


def test_an_admin_can_step_down_when_another_is_active(db: Database) -> None:
    _add(db, "boss@desk.test", "admin")
    _add(db, "deputy@desk.test", "admin")
    with db.session(write=True) as s:
        accounts.set_role(s, email="boss@desk.test", role="editor", actor=SYSTEM)
    with db.session(write=True) as s, pytest.raises(accounts.AccountError, match="last active"):
        accounts.set_disabled(s, email="deputy@desk.test", disabled=True, actor=SYSTEM)
    assert _state(db) == [
        ("boss@desk.test", "editor", False),
        ("deputy@desk.test", "admin", False),
    ]


def test_two_admins_stepping_down_at_once_leave_one(db: Database) -> None:
    _add(db, "boss@desk.test", "admin")
    _add(db, "deputy@desk.test", "admin")
    barrier = threading.Barrier(2)
    refused: list[str] = []
    errors: list[BaseException] = []

    def step_down(email: str) -> None:
        with db.session(write=True) as s:
            barrier.wait()
            try:
                accounts.set_role(s, email=email, role="editor", actor=SYSTEM)
            except accounts.AccountError as exc:
                refused.append(str(exc))
            except BaseException as exc:  # reported below; a thread cannot raise into the test
                errors.append(exc)

    threads = [
        threading.Thread(target=step_down, args=(e,))
        for e in ("boss@desk.test", "deputy@desk.test")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(refused) == 1
    assert [role for _email, role, _off in _state(db)].count("admin") == 1


def test_a_nul_is_refused_by_the_accounts_service_itself(db: Database) -> None:
    with db.session(write=True) as s:
        user = accounts.add_user(
            s, email="nul@desk.test", role="reviewer", password=PASSWORD, actor=SYSTEM
        )
        for email in ("nul\x00@desk.test", "nul@desk.test\x00"):
            with pytest.raises(accounts.AccountError):
                accounts.add_user(s, email=email, role="reviewer", password=PASSWORD, actor=SYSTEM)
            with pytest.raises(accounts.AccountError):
                accounts.set_role(s, email=email, role="editor", actor=SYSTEM)
        with pytest.raises(accounts.AccountError, match="NUL"):
            accounts.create_token(s, user=user, name="lap\x00top", actor=SYSTEM)
        assert accounts.list_tokens(s, user=user) == []
        assert [u.email for u in accounts.list_users(s)] == ["nul@desk.test"]
