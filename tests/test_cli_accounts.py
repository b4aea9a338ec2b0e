"""`claimdesk users …` and `claimdesk tokens …` as an admin runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from claimdesk.services import accounts
from claimdesk.store.database import Database
from claimdesk.store.models import Event
from tests.test_cli import run


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    return tmp_path / "accounts.db"


def test_users_lifecycle(dbfile: Path) -> None:
    added = run(
        "users",
        "add",
        "Ana@Desk.Example",
        "--role",
        "editor",
        "--password-stdin",
        db=dbfile,
        stdin="a long enough secret\n",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == b""  # the password came from stdin: nothing to print
    assert run("users", "list", db=dbfile).stdout == b"ana@desk.example\teditor\tactive\n"
    assert run("users", "set-role", "ana@desk.example", "researcher", db=dbfile).returncode == 0
    changed = run(
        "users",
        "set-password",
        "ana@desk.example",
        "--password-stdin",
        db=dbfile,
        stdin="another long secret\n",
    )
    assert changed.returncode == 0
    assert run("users", "disable", "ana@desk.example", db=dbfile).returncode == 0
    assert run("users", "list", db=dbfile).stdout == b"ana@desk.example\tresearcher\tdisabled\n"
    db = Database.open(f"sqlite:///{dbfile}")
    with db.session() as s:
        actions = [e.action for e in s.exec(select(Event).order_by(Event.id))]  # type: ignore[arg-type]
        with pytest.raises(accounts.LoginFailed):
            accounts.login(
                s, email="ana@desk.example", password="another long secret", client_ip=None
            )
    db.close()
    assert actions == ["created", "role_changed", "password_changed", "disabled"]


def test_users_add_without_a_terminal_generates_and_prints_a_password(dbfile: Path) -> None:
    result = run("users", "add", "bo@desk.example", "--role", "reviewer", db=dbfile, stdin="")
    assert result.returncode == 0, result.stderr
    email, password = result.stdout.decode().split()
    assert email == "bo@desk.example" and len(password) >= 16


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "x@desk.example", "--role", "owner", "--generate"), "unknown role"),
        (("users", "add", "not-an-email", "--role", "editor", "--generate"), "not an email"),
        (("users", "set-role", "ghost@desk.example", "editor"), "no user"),
        (("users", "disable", "ghost@desk.example"), "no user"),
        (("tokens", "create", "ghost@desk.example"), "no user"),
        (("tokens", "revoke", "42"), "no token"),
    ],
)
def test_bad_account_requests_fail_clearly(
    dbfile: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(*args, db=dbfile)
    assert result.returncode == 1
    assert message in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_short_password_from_stdin_is_refused(dbfile: Path) -> None:
    result = run(
        "users",
        "add",
        "c@desk.example",
        "--role",
        "editor",
        "--password-stdin",
        db=dbfile,
        stdin="short\n",
    )
    assert result.returncode == 1
    assert "at least 10 characters" in result.stderr.decode()
    assert run("users", "list", db=dbfile).stdout == b""


def test_tokens_create_prints_only_the_token(dbfile: Path) -> None:
    run("users", "add", "d@desk.example", "--role", "researcher", "--generate", db=dbfile)
    created = run("tokens", "create", "d@desk.example", "--name", "notebook", db=dbfile)
    assert created.returncode == 0
    token = created.stdout.decode()
    assert token.startswith("cdk_") and token.endswith("\n") and token.count("\n") == 1
    listed = run("tokens", "list", db=dbfile).stdout.decode().strip().split("\t")
    assert listed[1:3] == ["d@desk.example", "notebook"]
    assert listed[4] == "active"
    assert token.strip() not in run("tokens", "list", db=dbfile).stdout.decode()
    assert run("tokens", "revoke", listed[0], db=dbfile).returncode == 0
    assert run("tokens", "list", db=dbfile).stdout.decode().strip().endswith("revoked")


def test_duplicate_user_is_refused(dbfile: Path) -> None:
    assert (
        run(
            "users", "add", "e@desk.example", "--role", "editor", "--generate", db=dbfile
        ).returncode
        == 0
    )
    again = run("users", "add", "E@desk.example", "--role", "admin", "--generate", db=dbfile)
    assert again.returncode == 1
    assert "exists already" in again.stderr.decode()


def test_the_last_admin_is_kept_on_the_command_line(dbfile: Path) -> None:
    run("users", "add", "boss@desk.example", "--role", "admin", "--generate", db=dbfile)
    for args in (("set-role", "boss@desk.example", "editor"), ("disable", "boss@desk.example")):
        result = run("users", *args, db=dbfile)
        assert result.returncode == 1
        assert "boss@desk.example is the last active admin" in result.stderr.decode()
    assert run("users", "list", db=dbfile).stdout == b"boss@desk.example\tadmin\tactive\n"
