"""PostgreSQL desks whose user is not a superuser: with CREATEROLE, migration 0009 makes
the console's roles and queries run as them; without it, the name check stands in. Either
way a researcher reads the research views and nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from claimdesk.core.sql_guard import SqlRefused
from claimdesk.store.database import Database
from claimdesk.store.engine import make_engine
from claimdesk.store.readonly_sql import role_usable, run_readonly
from claimdesk.store.research_views import PG_ROLES, RESEARCHER, views_for


@pytest.fixture(params=["CREATEROLE", "NOCREATEROLE"])
def desk_of_a_plain_user(
    request: pytest.FixtureRequest, postgres_server_url: str
) -> Iterator[tuple[Database, bool]]:
    """A desk migrated by a login role of its own that is not a superuser."""
    power: str = request.param
    suffix = uuid.uuid4().hex[:8]
    user, name = f"claimdesk_plain_{suffix}", f"claimdesk_plain_{suffix}"
    admin = make_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {user} LOGIN {power}"))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER {user}'))
    url = make_url(postgres_server_url).set(database=name, username=user)
    db = Database.open(url.render_as_string(hide_password=False))
    try:
        yield db, power == "CREATEROLE"
    finally:
        db.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f"DROP ROLE IF EXISTS {user}"))
        admin.dispose()


def test_researchers_read_their_views_only(desk_of_a_plain_user: tuple[Database, bool]) -> None:
    db, creates_roles = desk_of_a_plain_user
    role = PG_ROLES[RESEARCHER]
    with db.engine.connect() as conn:
        assert role_usable(conn, role, "research_claims") is creates_roles
    views = views_for(RESEARCHER)
    result = run_readonly(
        db.engine, "SELECT count(*) FROM research_claims", views=views, pg_role=role
    )
    assert result.rows == [[0]]
    for sql in (
        "SELECT password_hash FROM auth_user",
        "SELECT * FROM admin_verdicts",
        "SELECT * FROM verdict",
        "SELECT rolname FROM pg_authid",
    ):
        with pytest.raises(SqlRefused, match="research views"):
            run_readonly(db.engine, sql, views=views, pg_role=role)
