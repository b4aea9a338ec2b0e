"""The SQL console's text check: where statements end, what it refuses and why."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimdesk.core.sql_guard import (
    MAX_SQL_LENGTH,
    POSTGRESQL,
    SQLITE,
    SqlRefused,
    check_no_shadowing,
    check_query,
    tokenize,
)

BOTH = (SQLITE, POSTGRESQL)


@pytest.mark.parametrize("dialect", BOTH)
@pytest.mark.parametrize(
    ("sql", "kept"),
    [
        ("select ';'", "select ';'"),
        ("select ';' ;  ", "select ';'"),
        ("select 'it''s; fine'", "select 'it''s; fine'"),
        ('select 1 as "x;y";', 'select 1 as "x;y"'),
        ("select 1 -- ; comment\n", "select 1 -- ; comment"),
        ("select 1; -- trailing comment", "select 1"),
        ("select /* ; */ 1", "select /* ; */ 1"),
        ("WITH x AS (SELECT 1) SELECT * FROM x", "WITH x AS (SELECT 1) SELECT * FROM x"),
        ("values (1)", "values (1)"),
        ("select replace('a', 'a', 'b')", "select replace('a', 'a', 'b')"),
        ("select case when 1 then 2 end", "select case when 1 then 2 end"),
    ],
)
def test_one_read_is_allowed(dialect: str, sql: str, kept: str) -> None:
    assert check_query(sql, dialect) == kept


@pytest.mark.parametrize("dialect", BOTH)
@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("select 1; select 2", "one statement"),
        ("select ';'; select 2", "one statement"),
        ("select 1;;", "one statement"),
        ("insert into t values (1)", "INSERT would change"),
        ("Update t set a = 1", "UPDATE would change"),
        ("delete from t", "DELETE would change"),
        ("create table t (a)", "CREATE would change"),
        ("drop table t", "DROP would change"),
        ("replace into t values (1)", "REPLACE would change"),
        ("with d as (delete from t returning *) select * from d", "DELETE would change"),
        ("select * into t2 from t", "INTO would change"),
        ("attach 'x.db' as x", "ATTACH is not allowed"),
        ("pragma query_only = 0", "PRAGMA is not allowed"),
        ("set statement_timeout = 0", "SET is not allowed"),
        ("select set_config('role', 'postgres', false)", "set_config is not allowed"),
        ("select \"SET_CONFIG\"('role', 'x', true)", "SET_CONFIG is not allowed"),
        ("select pg_advisory_lock(1)", "pg_advisory_lock is not allowed"),
        ("select query_to_xml('select 1', true, false, '')", "query_to_xml is not allowed"),
        ("explain select 1", "must start with SELECT"),
        ("select 'open", "not closed"),
        ('select "open', "not closed"),
        ("select 1 /* open", "not closed"),
        ("select U&'\\0041'", "Unicode-escaped"),
        ("", "empty"),
        (";", "empty"),
        ("select 1\x00", "NUL"),
        ("select 1" + " " * MAX_SQL_LENGTH, "too long"),
    ],
)
def test_refused_in_words(dialect: str, sql: str, says: str) -> None:
    with pytest.raises(SqlRefused, match=says):
        check_query(sql, dialect)


def test_postgresql_quoting_is_understood() -> None:
    assert check_query("select $$;$$", POSTGRESQL) == "select $$;$$"
    assert check_query("select $x$ ; $x$;", POSTGRESQL) == "select $x$ ; $x$"
    assert check_query("select E'\\';'", POSTGRESQL) == "select E'\\';'"
    assert check_query("/* a /* b */ ; */ select 1", POSTGRESQL) == "/* a /* b */ ; */ select 1"
    assert check_query("select (array[1, 2])[1]", POSTGRESQL) == "select (array[1, 2])[1]"
    with pytest.raises(SqlRefused, match="one statement"):  # SQLite has no nesting
        check_query("/* a /* b */ ; */ select 1", SQLITE)


def test_sqlite_quoting_is_understood() -> None:
    assert check_query("select [a;b], `c;d` from t", SQLITE) == "select [a;b], `c;d` from t"
    with pytest.raises(SqlRefused, match="not closed"):  # no E'' strings in SQLite
        check_query("select E'\\';' ", SQLITE)


@pytest.mark.parametrize("dialect", BOTH)
def test_a_with_query_may_not_take_a_views_name(dialect: str) -> None:
    views = {"research_verdicts"}
    for sql in (
        "WITH research_verdicts AS (SELECT 1) SELECT * FROM research_verdicts",
        'WITH "Research_Verdicts"(a) AS (SELECT 1) SELECT 1',
        "WITH research_verdicts AS MATERIALIZED (SELECT 1) SELECT 1",
    ):
        with pytest.raises(SqlRefused, match="may not be called"):
            check_no_shadowing(sql, dialect, views)
    check_no_shadowing("SELECT v.label FROM research_verdicts AS v", dialect, views)


@given(st.text(alphabet="abc;'\"-/*\n $E", max_size=40))
def test_a_refusal_or_one_statement_never_anything_else(sql: str) -> None:
    for dialect in BOTH:
        try:
            kept = check_query(sql, dialect)
        except SqlRefused:
            continue
        tokens = tokenize(kept, dialect)
        assert tokens and all(t.kind != "semicolon" for t in tokens)
