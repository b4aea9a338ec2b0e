"""`claimdesk users …` and `claimdesk tokens …`: accounts from the command line."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from claimdesk.cli_support import database_session, err, fail
from claimdesk.core.text_input import TextInputError, refuse_nul

users_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage personal API tokens.", no_args_is_help=True)


def _storable(value: str, field: str) -> str:
    """``value`` when it can be stored; raises typer.Exit (code 1) with a message if not."""
    try:
        return refuse_nul(value, field)
    except TextInputError as exc:
        raise fail(str(exc)) from None


def _password(password_stdin: bool, *, generate: bool) -> tuple[str, bool]:
    """The new password and whether it was generated (and so must be printed)."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    if generate or not sys.stdin.isatty():
        from claimdesk.services.accounts import generate_password

        return generate_password(), True
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise fail("the passwords differ")
    return first, False


@users_app.command("add")
def users_add(
    email: str,
    role: Annotated[str, typer.Option(help="reviewer, editor, researcher or admin")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    generate: Annotated[
        bool, typer.Option("--generate", help="Generate a password and print it.")
    ] = False,
) -> None:
    """Add a user. Without --password-stdin it prompts, or generates and prints a password.

    Example: claimdesk users add ana@desk.example --role editor --password-stdin < pass.txt
    """
    from claimdesk.services import accounts
    from claimdesk.services.events import SYSTEM

    email = _storable(email, "the email")
    password, generated = _password(password_stdin, generate=generate)
    with database_session(accounts.AccountError) as session:
        user = accounts.add_user(session, email=email, role=role, password=password, actor=SYSTEM)
    err(f"added {user.email} ({user.role})")
    if generated:
        print(f"{user.email} {password}")


@users_app.command("list")
def users_list() -> None:
    """List users: email, role and state, tab-separated.

    Example: claimdesk users list
    """
    from claimdesk.services import accounts

    with database_session() as session:
        for user in accounts.list_users(session):
            state = "disabled" if user.disabled else "active"
            print(f"{user.email}\t{user.role}\t{state}")


@users_app.command("set-role")
def users_set_role(email: str, role: str) -> None:
    """Change a user's role; their open sessions end. The last active admin keeps theirs.

    Example: claimdesk users set-role ana@desk.example researcher
    """
    from claimdesk.services import accounts
    from claimdesk.services.events import SYSTEM

    with database_session(accounts.AccountError) as session:
        accounts.set_role(session, email=email, role=role, actor=SYSTEM)
    err(f"{email} is now {role}")


@users_app.command("set-password")
def users_set_password(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Set a user's password (prompts, or generates and prints one without a terminal); their
    sessions end and their API tokens are revoked.

    Example: claimdesk users set-password ana@desk.example --password-stdin < pass.txt
    """
    from claimdesk.services import accounts
    from claimdesk.services.events import SYSTEM

    password, generated = _password(password_stdin, generate=False)
    with database_session(accounts.AccountError) as session:
        accounts.set_password(session, email=email, password=password, actor=SYSTEM)
    err(f"password of {email} changed; their sessions ended and their API tokens were revoked")
    if generated:
        print(f"{email} {password}")


@users_app.command("disable")
def users_disable(email: str) -> None:
    """Disable a user: sessions end, tokens are revoked, login is refused. The last active
    admin cannot be disabled.

    Example: claimdesk users disable ana@desk.example
    """
    from claimdesk.services import accounts
    from claimdesk.services.events import SYSTEM

    with database_session(accounts.AccountError) as session:
        accounts.set_disabled(session, email=email, disabled=True, actor=SYSTEM)
    err(f"{email} disabled")


@tokens_app.command("create")
def tokens_create(
    email: str, name: Annotated[str, typer.Option(help="What the token is for.")] = ""
) -> None:
    """Create an API token for a user and print only the token (shown once).

    Example: TOKEN=$(claimdesk tokens create ana@desk.example --name notebook)
    """
    from claimdesk.services import accounts
    from claimdesk.services.events import SYSTEM

    email, name = _storable(email, "the email"), _storable(name, "the token name")
    with database_session(accounts.AccountError) as session:
        user = accounts.get_user(session, email)
        _token, secret = accounts.create_token(session, user=user, name=name, actor=SYSTEM)
    print(secret)


@tokens_app.command("list")
def tokens_list(
    email: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
) -> None:
    """List tokens: id, owner, name, prefix, state, tab-separated.

    Example: claimdesk tokens list ana@desk.example
    """
    from claimdesk.services import accounts

    with database_session(accounts.AccountError) as session:
        user = accounts.get_user(session, email) if email else None
        for token, owner in accounts.list_tokens(session, user=user):
            state = "revoked" if token.revoked_at else "active"
            print(f"{token.id}\t{owner.email}\t{token.name}\t{token.prefix}…\t{state}")


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id (see `tokens list`).

    Example: claimdesk tokens revoke 3
    """
    from claimdesk.services import accounts
    from claimdesk.services.events import SYSTEM

    with database_session(accounts.AccountError) as session:
        accounts.revoke_token(session, token_id=token_id, actor=SYSTEM)
    err(f"token {token_id} revoked")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
