"""What a researcher's SQL may be: one read-only query, checked before any database sees it.

A small tokenizer that knows where strings, quoted identifiers and comments begin and end
(SQLite and PostgreSQL: ``'...'`` with ``''``, ``"..."``, ``--`` and ``/* */`` comments,
nested on PostgreSQL, plus PostgreSQL's ``E'...'`` escapes and ``$tag$...$tag$`` quoting).
It refuses, each with its own message: more than one statement (a ``;`` inside a string is
fine, one at the very end too), writes and schema changes, ``ATTACH``/``DETACH``,
``PRAGMA``, settings (``SET``/``RESET``) and the functions that change the session or lock
across transactions. It is the first of several guards, not the only one: the database
connection itself is read-only (see ``claimdesk.store.readonly_sql``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
MAX_SQL_LENGTH = 20_000


class SqlRefused(ValueError):
    """The query is not one the read-only console runs; the message says why in words."""


@dataclass(frozen=True)
class Token:
    kind: str  # word, quoted (identifier), string, symbol, semicolon
    text: str
    start: int = 0  # where the token begins in the query

    @property
    def name(self) -> str:
        """A word in lower case, or a quoted identifier's name as written."""
        return self.text.lower() if self.kind == "word" else self.text


_WORD = re.compile(r"[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_NUMBER = re.compile(r"[0-9.][0-9A-Za-z_.]*")

READ_STARTS = frozenset({"select", "with", "values"})
WRITES = frozenset(
    {
        "insert", "update", "delete", "merge", "upsert", "create", "drop", "alter",
        "truncate", "vacuum", "reindex", "analyze", "analyse", "grant", "revoke", "copy",
        "cluster", "refresh", "lock", "call", "do", "begin", "commit", "rollback",
        "savepoint", "release", "prepare", "execute", "deallocate", "listen", "notify",
        "unlisten", "load", "discard", "checkpoint", "import", "into",
    }
)  # fmt: skip
"""Words refused anywhere outside quotes: they only occur in statements that write (or
in ``SELECT … INTO``/``FOR UPDATE``, which write or lock)."""
WRITES_FIRST = frozenset({"replace", "end", "comment"})
"""Words refused as the first word only (elsewhere they are functions or column names)."""
SETTINGS = frozenset({"set", "reset", "show"})
ATTACH = frozenset({"attach", "detach"})
FUNCTIONS_REFUSED = frozenset(
    {"set_config", "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema",
     "cursor_to_xml", "cursor_to_xmlschema", "load_extension", "dblink", "dblink_exec",
     "lo_import", "lo_export", "pg_sleep_for", "pg_sleep_until"}
)  # fmt: skip
"""Functions that would change the session (``set_config``: the role, the time limit),
run SQL given as text (out of reach of this check) or touch the server's files."""
FUNCTION_PREFIXES_REFUSED = ("pg_advisory", "pg_try_advisory", "pg_read", "pg_ls_", "pg_stat_file")

WRITE_MESSAGE = (
    "Only reading is allowed here: {word} would change the database. "
    "Write a SELECT (or WITH … SELECT) over the research views."
)
MULTIPLE_MESSAGE = (
    "Only one statement at a time: remove everything after the first ';' "
    "(a ';' inside quotes is fine)."
)


def tokenize(sql: str, dialect: str) -> list[Token]:
    """The tokens of ``sql`` without comments or whitespace; raises SqlRefused when a
    string, quoted identifier or comment is not closed."""
    tokens: list[Token] = []
    i, size = 0, len(sql)
    while i < size:
        ch = sql[i]
        if ch.isspace():
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = size if end < 0 else end + 1
        elif sql.startswith("/*", i):
            i = _skip_block_comment(sql, i, nested=dialect == POSTGRESQL)
        elif ch == "'":
            end = _close_quote(sql, i, "'", backslashes=False)
            tokens.append(Token("string", sql[i + 1 : end - 1].replace("''", "'"), i))
            i = end
        elif ch in "eE" and sql.startswith("'", i + 1) and dialect == POSTGRESQL:
            end = _close_quote(sql, i + 1, "'", backslashes=True)
            tokens.append(Token("string", sql[i + 2 : end - 1], i))
            i = end
        elif ch in "uU" and sql.startswith("&", i + 1):
            raise SqlRefused("Unicode-escaped names and strings (U&'…') are not supported here.")
        elif ch == '"' or (ch in "`[" and dialect == SQLITE):
            closer = {"[": "]", "`": "`", '"': '"'}[ch]
            end = _close_quote(sql, i, closer, backslashes=False)
            tokens.append(Token("quoted", sql[i + 1 : end - 1].replace(closer * 2, closer), i))
            i = end
        elif ch == "$" and dialect == POSTGRESQL and (tag := _DOLLAR_TAG.match(sql, i)):
            end = sql.find(tag.group(0), tag.end())
            if end < 0:
                raise SqlRefused("A $-quoted string is not closed.")
            tokens.append(Token("string", sql[tag.end() : end], i))
            i = end + len(tag.group(0))
        elif ch == ";":
            tokens.append(Token("semicolon", ch, i))
            i += 1
        elif word := _WORD.match(sql, i):
            tokens.append(Token("word", word.group(0), i))
            i = word.end()
        elif ch.isdigit() or (ch == "." and sql[i + 1 : i + 2].isdigit()):
            number = _NUMBER.match(sql, i)
            assert number is not None
            tokens.append(Token("symbol", number.group(0), i))
            i = number.end()
        else:
            tokens.append(Token("symbol", ch, i))
            i += 1
    return tokens


def _skip_block_comment(sql: str, start: int, *, nested: bool) -> int:
    depth, i = 0, start
    while i < len(sql):
        if sql.startswith("/*", i):
            depth = depth + 1 if nested or depth == 0 else depth
            i += 2
        elif sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    raise SqlRefused("A /* comment */ is not closed.")


def _close_quote(sql: str, start: int, closer: str, *, backslashes: bool) -> int:
    """The index just past the quote that closes the one at ``start``."""
    i = start + 1
    while i < len(sql):
        ch = sql[i]
        if backslashes and ch == "\\":
            i += 2
        elif ch == closer:
            if sql.startswith(closer, i + 1) and closer in "'\"`":
                i += 2  # a doubled quote stands for itself
            else:
                return i + 1
        else:
            i += 1
    what = "string" if closer == "'" else "quoted name"
    raise SqlRefused(f"A {what} is not closed: a {closer} is missing.")


def check_query(sql: str, dialect: str) -> str:
    """``sql`` as the single read-only query to run (without a trailing ``;``).

    Raises SqlRefused, its message in words, for an empty query, more than one statement,
    a write or schema change, ATTACH/DETACH, PRAGMA, SET/RESET/SHOW and the functions in
    ``FUNCTIONS_REFUSED``.
    """
    if "\x00" in sql:
        raise SqlRefused("The query holds a NUL character.")
    if len(sql) > MAX_SQL_LENGTH:
        raise SqlRefused(f"The query is too long (at most {MAX_SQL_LENGTH} characters).")
    tokens = tokenize(sql, dialect)
    semicolons = [n for n, t in enumerate(tokens) if t.kind == "semicolon"]
    if any(n != len(tokens) - 1 for n in semicolons):
        raise SqlRefused(MULTIPLE_MESSAGE)
    if not tokens or tokens[0].kind == "semicolon":
        raise SqlRefused("The query is empty: write a SELECT over the research views.")
    first = tokens[0].name if tokens[0].kind == "word" else tokens[0].text
    if first in WRITES_FIRST or first in WRITES:
        raise SqlRefused(WRITE_MESSAGE.format(word=first.upper()))
    words = [t.name for t in tokens if t.kind == "word"]
    for word in words:
        if word == "pragma":
            raise SqlRefused("PRAGMA is not allowed: settings cannot be read or changed here.")
        if word in ATTACH:
            raise SqlRefused(
                f"{word.upper()} is not allowed: only this desk's research views can be queried."
            )
        if word in SETTINGS:
            raise SqlRefused(f"{word.upper()} is not allowed: settings cannot be changed here.")
        if word in WRITES:
            raise SqlRefused(WRITE_MESSAGE.format(word=word.upper()))
    if first not in READ_STARTS:
        raise SqlRefused(f"A query must start with SELECT, WITH or VALUES, not {first!r}.")
    for token in tokens:
        if token.kind in ("word", "quoted") and _refused_function(token.name.lower()):
            raise SqlRefused(
                f"The function {token.name} is not allowed here: it would change the session "
                "or reach beyond the research views."
            )
    end = tokens[-1].start if semicolons else len(sql)
    return sql[:end].rstrip()


def _refused_function(name: str) -> bool:
    return name in FUNCTIONS_REFUSED or name.startswith(FUNCTION_PREFIXES_REFUSED)


def identifiers(sql: str, dialect: str) -> set[str]:
    """Every word and quoted name in ``sql`` (lower-cased words), outside strings and
    comments: for a check that no base table is named (see ``readonly_sql``)."""
    return {t.name for t in tokenize(sql, dialect) if t.kind in ("word", "quoted")}


def check_no_shadowing(sql: str, dialect: str, names: set[str]) -> None:
    """Refuse a WITH clause that names a query after one of ``names`` (the views): SQLite
    tells a view's reads from a query's only by that name. ``FROM view AS alias`` is fine.

    Raises SqlRefused naming the view.
    """
    tokens = tokenize(sql, dialect)
    for n, token in enumerate(tokens):
        if token.kind not in ("word", "quoted") or token.name.lower() not in names:
            continue
        after = [t.name.lower() if t.kind == "word" else t.text for t in tokens[n + 1 : n + 3]]
        if after[:1] == ["("] or (
            after[:1] == ["as"] and after[1:2] in (["("], ["materialized"], ["not"])
        ):
            raise SqlRefused(
                f"A WITH query may not be called {token.name}, the name of a research view: "
                "give it another name."
            )
