"""The read-only SQL console on both databases: what it refuses, what it stops, what each
role can see through it (no secrets, no unpublished work for researchers) and its limits."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from claimdesk.core.workflow import RoleNotAllowed
from claimdesk.services import accounts, sql_console
from claimdesk.services.accounts import Principal
from claimdesk.services.events import SYSTEM
from claimdesk.services.sql_console import QueryTimedOut, SqlRefused
from claimdesk.store import secrets as secrets_store
from claimdesk.store.database import Database
from claimdesk.store.models import ApiToken, AuthSession, Claim, User, Verdict
from claimdesk.store.readonly_sql import run_readonly
from claimdesk.store.research_views import ADMIN, RESEARCHER, VIEWS, views_for
from tests import export_desk
from tests.factories import add_person, ingest_article


def _person(role: str) -> Principal:
    return Principal(user_id=1, email=f"{role}@x.test", role=role, via="session", credential_id=0)


RESEARCHER_P = _person("researcher")
ADMIN_P = _person("admin")
FOREVER = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"


def run(db: Database, sql: str, who: Principal = RESEARCHER_P, **limits: float) -> list[list]:
    return sql_console.run_query(db.engine, who, sql, **limits).rows  # type: ignore[arg-type]


def claim_count(db: Database) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(Claim)).one()


@pytest.fixture
def desk(db: Database) -> export_desk.ExportDesk:
    with db.session(write=True) as s:
        return export_desk.build(s)


WRITES = [
    "INSERT INTO claim (id) VALUES (999)",
    "UPDATE claim SET status = 'published'",
    "DELETE FROM claim",
    "CREATE TABLE stolen AS SELECT * FROM auth_user",
    "DROP TABLE claim",
    "DROP VIEW research_claims",
    "ALTER TABLE claim ADD COLUMN x INTEGER",
    "REPLACE INTO tag (id, name) VALUES (1, 'x')",
    "WITH gone AS (DELETE FROM claim RETURNING id) SELECT * FROM gone",
    "SELECT * INTO stolen FROM research_claims",
    "select 1; delete from claim",
]


@pytest.mark.parametrize("sql", WRITES)
def test_writes_are_refused_and_change_nothing(db: Database, sql: str) -> None:
    with db.session(write=True) as s:
        ingest_article(s)
    before = claim_count(db)
    for who in (RESEARCHER_P, ADMIN_P):
        with pytest.raises(SqlRefused, match=r"Only reading|one statement"):
            run(db, sql, who)
    assert claim_count(db) == before


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("ATTACH DATABASE 'other.db' AS other", "ATTACH is not allowed"),
        ("DETACH DATABASE other", "DETACH is not allowed"),
        ("PRAGMA table_info(auth_user)", "PRAGMA is not allowed"),
        ("PRAGMA query_only = 0", "PRAGMA is not allowed"),
        ("SET ROLE postgres", "SET is not allowed"),
        ("SELECT set_config('role', 'postgres', true)", "set_config is not allowed"),
        ("SELECT pg_advisory_lock(1)", "pg_advisory_lock is not allowed"),
        ("select 1; select 2", "Only one statement at a time"),
        ("select 1 ; select 2 ;", "Only one statement at a time"),
        ("select 'a;'; select 2", "Only one statement at a time"),
        ("", "The query is empty"),
        ("  -- nothing\n", "The query is empty"),
        ("select 'unclosed", "A string is not closed"),
    ],
)
def test_attach_pragma_settings_and_several_statements_are_refused_in_words(
    db: Database, sql: str, says: str
) -> None:
    with pytest.raises(SqlRefused, match=says):
        run(db, sql, ADMIN_P)


@pytest.mark.parametrize(
    ("sql", "rows"),
    [
        ("select ';'", [[";"]]),
        ("select ';' as s;", [[";"]]),
        ("select 1 -- a ; in a comment\n", [[1]]),
        ("select 1 /* ; */ as one", [[1]]),
        ('select 2 as "a;b"', [[2]]),
    ],
)
def test_a_semicolon_inside_quotes_or_comments_or_at_the_end_is_allowed(
    db: Database, sql: str, rows: list[list]
) -> None:
    assert run(db, sql) == rows


def test_a_query_that_would_run_forever_is_stopped_within_the_limit(db: Database) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimedOut, match="stopped after 1 seconds"):
        run(db, FOREVER, time_limit=1.0)
    assert time.monotonic() - started < 4
    assert run(db, "select 1") == [[1]]  # the next query runs as usual


@pytest.mark.parametrize("who", [RESEARCHER_P, ADMIN_P], ids=["researcher", "admin"])
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT password_hash FROM auth_user",
        "SELECT * FROM auth_user",
        "SELECT token_hash FROM auth_api_token",
        "SELECT token_hash FROM auth_session",
        "SELECT value FROM auth_secret",
        "SELECT count(*) FROM auth_session",
        "SELECT c.id FROM research_claims AS c JOIN auth_user AS u ON u.id = c.id",
        "SELECT * FROM (SELECT password_hash FROM auth_user) AS research_claims",
        "WITH research_claims AS (SELECT password_hash FROM auth_user) "
        "SELECT * FROM research_claims",
    ],
)
def test_no_role_reads_secrets_from_the_tables(db: Database, who: Principal, sql: str) -> None:
    with db.session(write=True) as s:
        add_person(s, "editor")
    with pytest.raises(SqlRefused, match=r"research views|WITH query"):
        run(db, sql, who)


def _secrets(db: Database) -> list[str]:
    """Every secret the desk holds once it has a user, a token, a session and its key."""
    with db.session(write=True) as s:
        person = add_person(s, "editor", "secret.keeper@desk.test")
        user = accounts.get_user(s, person.email)
        _, token = accounts.create_token(s, user=user, name="t", actor=SYSTEM)
        _, session_secret = accounts.login(
            s, email=person.email, password="correct horse battery", client_ip=None
        )
        signing_key = secrets_store.get_or_create(s, secrets_store.SESSION_SIGNING_KEY)
    with db.session() as s:
        hashes = [u.password_hash for u in s.exec(select(User)).all() if u.password_hash]
        hashes += [t.token_hash for t in s.exec(select(ApiToken)).all()]
        hashes += [a.token_hash for a in s.exec(select(AuthSession)).all()]
    found = [token, session_secret, signing_key, *hashes]
    assert len(found) >= 5
    return found


@pytest.mark.parametrize("role", [RESEARCHER, ADMIN])
def test_no_view_holds_a_secret(db: Database, desk: export_desk.ExportDesk, role: str) -> None:
    secrets = _secrets(db)
    who = ADMIN_P if role == ADMIN else RESEARCHER_P
    seen = ""
    for view in views_for(role):
        result = sql_console.run_query(db.engine, who, f"SELECT * FROM {view.name}")
        seen += json.dumps(result.rows, default=str)
    assert "secret.keeper@desk.test" in seen or role == RESEARCHER
    for secret in secrets:
        assert secret not in seen


def test_researchers_read_published_verdicts_only(
    db: Database, desk: export_desk.ExportDesk
) -> None:
    rows = run(db, "SELECT claim_id, label, state FROM research_verdicts ORDER BY claim_id")
    assert sorted(r[0] for r in rows) == sorted(
        [desk.claims["published"], desk.claims["corrected"]]
    )
    assert {r[2] for r in rows} == {"published"}
    assert "Mostly false" not in json.dumps(rows)  # the correction is approved, unpublished
    unpublished = run(db, "SELECT count(*) FROM research_verdicts WHERE published_at IS NULL")
    assert unpublished == [[0]]
    for sql in ("SELECT * FROM verdict", "SELECT * FROM admin_verdicts"):
        with pytest.raises(SqlRefused, match="research views"):
            run(db, sql)
    with db.session() as s:  # the desk does have unpublished verdicts
        states = {v.state for v in s.exec(select(Verdict)).all()}
    assert {"proposed", "approved", "returned"} <= states


def test_admins_see_unpublished_work_but_not_the_tables(
    db: Database, desk: export_desk.ExportDesk
) -> None:
    rows = run(db, "SELECT claim_id, label, state FROM admin_verdicts", ADMIN_P)
    states = {r[2] for r in rows}
    assert {"proposed", "approved", "returned", "published"} <= states
    assert any(r[1] == "Mostly false" and r[0] == desk.claims["corrected"] for r in rows)
    with pytest.raises(SqlRefused, match="research views"):
        run(db, "SELECT * FROM verdict", ADMIN_P)
    users = run(db, "SELECT * FROM admin_users", ADMIN_P)
    assert len(users) == 2  # the desk's reviewer and editor


def test_reviewers_and_editors_may_not_query(db: Database) -> None:
    for role in ("reviewer", "editor"):
        who = _person(role)
        with pytest.raises(RoleNotAllowed, match="may not run SQL"):
            sql_console.run_query(db.engine, who, "select 1")


def test_the_row_limit_truncates_and_says_so(db: Database) -> None:
    sql = (
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 30) "
        "SELECT n FROM r"
    )
    cut = sql_console.run_query(db.engine, RESEARCHER_P, sql, row_limit=10)
    assert cut.columns == ["n"]
    assert cut.rows == [[n] for n in range(1, 11)]
    assert cut.truncated is True
    whole = sql_console.run_query(db.engine, RESEARCHER_P, sql, row_limit=30)
    assert len(whole.rows) == 30 and whole.truncated is False


def test_views_have_the_columns_they_document(db: Database, desk: export_desk.ExportDesk) -> None:
    for view in VIEWS:
        result = sql_console.run_query(db.engine, ADMIN_P, f"SELECT * FROM {view.name}")
        assert result.columns == [name for name, _ in view.columns], view.name


def test_claims_and_tags_and_counts_read_through_the_views(
    db: Database, desk: export_desk.ExportDesk
) -> None:
    assert run(db, "SELECT count(*) FROM research_claims") == [[len(desk.claims)]]
    assert run(db, "SELECT count(*) FROM research_articles") == [[1]]
    tagged = run(db, "SELECT count(DISTINCT claim_id) FROM research_tags")
    assert tagged == [[5]]
    row = run(
        db,
        "SELECT c.status, c.claimant FROM research_claims AS c WHERE c.id = "
        f"{desk.claims['published']}",
    )
    assert row == [["published", "=Councillor \u202eRuiz\u202c 😀"]]


def test_the_database_refuses_what_gets_past_the_text_check(db: Database) -> None:
    """Each backend's own guard, for queries the text check lets through."""
    with db.session(write=True) as s:
        ingest_article(s)
    if db.engine.dialect.name == "postgresql":
        # nextval writes: the read-only transaction (and the role) refuse it
        with pytest.raises(SqlRefused, match=r"research views|Only reading"):
            run(db, "SELECT nextval('claim_id_seq')")
    else:
        for sql in ("SELECT * FROM sqlite_master", "SELECT * FROM pragma_table_info('claim')"):
            with pytest.raises(SqlRefused):
                run(db, sql)
    # without the PostgreSQL role, a name check stands in (SQLite: the authorizer)
    views = views_for(RESEARCHER)
    with pytest.raises(SqlRefused, match="auth_user is not one of them"):
        run_readonly(db.engine, "SELECT * FROM auth_user", views=views, pg_role=None)
    with pytest.raises(SqlRefused):
        run_readonly(db.engine, "SELECT * FROM admin_users", views=views, pg_role=None)
    result = run_readonly(
        db.engine, "SELECT count(*) FROM research_claims", views=views, pg_role=None
    )
    assert result.rows == [[claim_count(db)]]


def test_values_come_back_as_json(db: Database, desk: export_desk.ExportDesk) -> None:
    rows = run(db, "SELECT uuid, created_at, checkworthiness FROM research_claims LIMIT 1")
    json.dumps(rows)  # UUIDs, timestamps and decimals are all JSON
    assert isinstance(rows[0][1], str)
    with db.engine.connect() as conn:  # the app's own connections are untouched
        assert conn.execute(text("SELECT 1")).scalar() == 1


def test_a_huge_result_is_cut_short_and_says_so(db: Database) -> None:
    megabyte = (
        "repeat('x', 1000000)"
        if db.engine.dialect.name == "postgresql"
        else "printf('%.*c', 1000000, 'x')"
    )
    sql = (
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 30) "
        f"SELECT n, {megabyte} AS big FROM r"
    )
    result = sql_console.run_query(db.engine, RESEARCHER_P, sql)
    assert result.truncated is True
    assert 20 <= len(result.rows) < 30
    assert all(len(row[1]) == 1_000_000 for row in result.rows)
