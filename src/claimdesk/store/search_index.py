"""The passage and claim search indexes, kept outside the SQLModel metadata (tables
``passage_fts*`` and ``claim_fts*``).

Each passage is indexed as the space-joined index terms of its source's title and its
text (``claimdesk.core.match_text.terms``), so both backends see exactly the same terms:

- SQLite: an FTS5 table ``passage_fts(terms)`` (rowid = passage id, ``detail=none``:
  postings only, no positions), with an ``fts5vocab`` table ``passage_fts_vocab`` for document
  frequencies.
- PostgreSQL: a table ``passage_fts(passage_id, terms, vector)`` where ``vector`` is the
  stored ``array_to_tsvector(string_to_array(terms, ' '))`` (exact lexemes, no parser)
  with a GIN index (migration 0006), and a pg_trgm GIN index on ``terms`` for
  typo-tolerant fallback.

``passage_fts_stats`` holds the number of indexed passages and terms (for BM25). Inserts
update it per batch from Python; deleting a passage (directly or by cascade) removes its
index row and updates the counts through a trigger, so the index never outlives a passage.
The structures are created by migration 0002 (``0002_search_index.py``).

On PostgreSQL each passage row also holds its source's ``kind`` (a source's kind never
changes: a changed source gets new passages), so "earlier fact-checks" filters postings
as it reads them, through a partial GIN index of the fact-check rows (migration 0008),
instead of joining every scored passage to its source.

Document frequencies (how many rows hold a term, for IDF and for choosing the selective
terms) come from the ``*_vocab`` tables on SQLite (FTS5 keeps them). PostgreSQL has no
such thing: counting a term's GIN postings per query cost ~20 ms a search at 100k rows, so
they are kept in ``passage_fts_df(term, docs)`` / ``claim_fts_df`` (migration 0008),
maintained with the counts: inserts add per batch from Python, deletes subtract in a
statement-level trigger. Both take the term rows in term order and then the stats row,
so concurrent writers queue instead of deadlocking.

Claims are indexed the same way (``claim_fts``, ``claim_fts_vocab``, ``claim_fts_stats``,
migration 0006): the terms of the claim's statement. Whoever creates a claim or changes
its statement calls ``index_claims`` in the same transaction; deleting a claim drops its
index row by trigger (SQLite) or cascade (PostgreSQL), and ``remove_claims`` drops rows
explicitly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Integer, bindparam, text
from sqlalchemy.sql.selectable import TextualSelect

from claimdesk.core.match_text import terms as index_terms

SEARCH_INDEX_PREFIXES = ("passage_fts", "claim_fts")
SQLITE = "sqlite"
POSTGRESQL = "postgresql"

_VECTOR = "vector"
"""PostgreSQL: the stored ``array_to_tsvector(string_to_array(terms, ' '))`` (GIN-indexed)."""


@dataclass(frozen=True)
class _Index:
    """Where one index lives: its table and the column holding the indexed row's id."""

    table: str
    key: str  # the id column on PostgreSQL; SQLite's FTS5 tables use rowid

    def key_for(self, conn: Connection) -> str:
        return "rowid" if conn.dialect.name == SQLITE else self.key


PASSAGES = _Index("passage_fts", "passage_id")
CLAIMS = _Index("claim_fts", "claim_id")


def is_search_index_table(name: str | None) -> bool:
    return bool(name) and any(str(name).startswith(p) for p in SEARCH_INDEX_PREFIXES)


def include_in_schema_comparison(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's ``include_object``: the search index lives outside the models' schema."""
    return not (type_ == "table" and is_search_index_table(name))


@dataclass(frozen=True)
class IndexStats:
    documents: int
    terms: int

    @property
    def average_length(self) -> float:
        return self.terms / self.documents if self.documents > 0 else 0.0


def add(conn: Connection, rows: Sequence[tuple[int, str]]) -> None:
    """Index passages: ``(passage_id, space-joined terms)`` pairs."""
    _insert(conn, PASSAGES, rows)


def index_claims(conn: Connection, claims: Sequence[tuple[int, str]]) -> None:
    """Index claims by their statements: ``(claim_id, statement)`` pairs.

    A claim already indexed is re-indexed (call it again after a statement changes), so
    the index always holds the latest statement. Call it in the transaction that stores
    the claims. Database errors propagate.
    """
    if not claims:
        return
    latest = dict(claims)  # one row per claim: the last statement given wins
    remove_claims(conn, list(latest))
    _insert(conn, CLAIMS, [(cid, " ".join(index_terms(st))) for cid, st in latest.items()])


def remove_claims(conn: Connection, claim_ids: Sequence[int]) -> None:
    """Drop claims from the index (ids not indexed are ignored). Database errors propagate."""
    ids = sorted(set(claim_ids))
    if not ids:
        return
    if conn.dialect.name != SQLITE:  # a trigger on claim_fts keeps the counts
        for first in range(0, len(ids), _BATCH):
            conn.execute(
                text("DELETE FROM claim_fts WHERE claim_id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": ids[first : first + _BATCH]},
            )
        return
    for first in range(0, len(ids), _BATCH):
        batch = {"ids": ids[first : first + _BATCH]}
        select_old = text("SELECT terms FROM claim_fts WHERE rowid IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        old = [str(r[0]) for r in conn.execute(select_old, batch)]
        if not old:
            continue
        conn.execute(
            text("DELETE FROM claim_fts WHERE rowid IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            batch,
        )
        _count(conn, CLAIMS, -len(old), -sum(len(t.split()) for t in old))


_BATCH = 500


def _insert(conn: Connection, index: _Index, rows: Sequence[tuple[int, str]]) -> None:
    if not rows:
        return
    if conn.dialect.name == SQLITE:
        insert = f"INSERT INTO {index.table} (rowid, terms) VALUES (:id, :terms)"  # noqa: S608
        conn.execute(text(insert), [{"id": rid, "terms": terms} for rid, terms in rows])
    else:  # one statement a batch; a passage row also takes its source's kind
        values = (
            "SELECT u.id, u.terms FROM unnest(CAST(:ids AS integer[]), "
            "CAST(:terms AS text[])) AS u(id, terms)"
        )
        columns = f"{index.key}, terms"
        if index is PASSAGES:
            columns += ", kind"
            values = values.replace("u.terms FROM", "u.terms, s.kind FROM") + (
                " JOIN passage AS p ON p.id = u.id JOIN source AS s ON s.id = p.source_id"
            )
        conn.execute(
            text(f"INSERT INTO {index.table} ({columns}) {values}"),
            {"ids": [rid for rid, _ in rows], "terms": [terms for _, terms in rows]},
        )
        _add_doc_freq(conn, index, Counter(t for _, terms in rows for t in set(terms.split())))
    _count(conn, index, len(rows), sum(len(terms.split()) for _, terms in rows))


def _add_doc_freq(conn: Connection, index: _Index, counts: Counter[str]) -> None:
    """PostgreSQL: add ``counts`` (term -> rows added holding it) to the ``_df`` table, the
    term rows taken in term order (see the module docstring)."""
    if not counts:
        return
    wanted = sorted(counts)
    conn.execute(
        text(
            f"INSERT INTO {index.table}_df AS d (term, docs) "  # noqa: S608 (constant identifiers)
            "SELECT term, docs FROM unnest(CAST(:terms AS text[]), CAST(:docs AS bigint[])) "
            "AS u(term, docs) ORDER BY term "
            "ON CONFLICT (term) DO UPDATE SET docs = d.docs + excluded.docs"
        ),
        {"terms": wanted, "docs": [counts[t] for t in wanted]},
    )


def _count(conn: Connection, index: _Index, documents: int, words: int) -> None:
    conn.execute(
        text(
            f"UPDATE {index.table}_stats "  # noqa: S608 (constant identifiers)
            "SET documents = documents + :d, terms = terms + :w WHERE id = 1"
        ),
        {"d": documents, "w": words},
    )


def refresh_statistics(conn: Connection) -> None:
    """PostgreSQL: ``ANALYZE`` the library and its index, after a bulk import (autovacuum
    may be off, and the planner would go on planning for an empty library). SQLite's
    planner needs nothing here. Database errors propagate."""
    if conn.dialect.name != SQLITE:
        conn.execute(text("ANALYZE source, passage, passage_fts, passage_fts_df"))


def stats(conn: Connection) -> IndexStats:
    """How many passages are indexed and their summed number of terms."""
    return _stats(conn, PASSAGES)


def claim_stats(conn: Connection) -> IndexStats:
    """How many claims are indexed and their summed number of terms."""
    return _stats(conn, CLAIMS)


def _stats(conn: Connection, index: _Index) -> IndexStats:
    query = f"SELECT documents, terms FROM {index.table}_stats WHERE id = 1"  # noqa: S608
    row = conn.execute(text(query)).first()
    return IndexStats(int(row[0]), int(row[1])) if row is not None else IndexStats(0, 0)


def doc_freq(conn: Connection, terms: Iterable[str]) -> dict[str, int]:
    """How many indexed passages hold each term (absent terms are left out)."""
    return _doc_freq(conn, PASSAGES, terms)


def claim_doc_freq(conn: Connection, terms: Iterable[str]) -> dict[str, int]:
    """How many indexed claims hold each term (absent terms are left out)."""
    return _doc_freq(conn, CLAIMS, terms)


def _doc_freq(conn: Connection, index: _Index, terms: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(terms))
    if not wanted:
        return {}
    if conn.dialect.name == SQLITE:
        vocab = f"SELECT term, doc FROM {index.table}_vocab WHERE term IN :terms"  # noqa: S608
        query = text(vocab).bindparams(bindparam("terms", expanding=True))
        return {str(t): int(n) for t, n in conn.execute(query, {"terms": wanted})}
    counts = text(
        f"SELECT term, docs FROM {index.table}_df "  # noqa: S608 (constant identifiers)
        "WHERE term = ANY(CAST(:terms AS text[])) AND docs > 0"
    )
    return {str(t): int(n) for t, n in conn.execute(counts, {"terms": wanted})}


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def candidates(
    conn: Connection,
    terms: Sequence[str],
    weights: Mapping[str, float],
    *,
    limit: int,
    kind: str | None = None,
) -> list[tuple[int, str]]:
    """``(passage id, indexed terms)`` of the passages holding the most weight of ``terms``
    (the sum of ``weights``, IDF, of the terms a passage holds), best first, at most
    ``limit``; ties break on the passage id. ``kind`` keeps only passages of sources of
    that kind, before the ``limit`` is applied.

    Term at a time: each term's postings are read from the index (FTS5 on SQLite, the GIN
    index on PostgreSQL) and summed by the database, so the cost is the summed document
    frequency of ``terms``, which the caller bounds. Weights are summed as integers so
    both backends order exactly alike. ``terms`` must be index terms the index knows (see
    ``doc_freq``), which keeps the query syntax safe.
    """
    only: tuple[str, dict[str, object]] | None = None
    if kind is not None and conn.dialect.name == SQLITE:
        only = (
            "JOIN passage AS p ON p.id = scored.id "
            "WHERE p.source_id IN (SELECT id FROM source WHERE kind = :kind)",
            {"kind": kind},
        )
    return _candidates(conn, PASSAGES, terms, weights, limit=limit, only=only, kind=kind)


def claim_candidates(
    conn: Connection, terms: Sequence[str], weights: Mapping[str, float], *, limit: int
) -> list[tuple[int, str]]:
    """``(claim id, indexed terms)`` of the claims holding the most weight of ``terms``,
    best first, at most ``limit``; as ``candidates`` does for passages. Every indexed claim
    is considered, however old."""
    return _candidates(conn, CLAIMS, terms, weights, limit=limit)


def _candidates(
    conn: Connection,
    index: _Index,
    terms: Sequence[str],
    weights: Mapping[str, float],
    *,
    limit: int,
    only: tuple[str, dict[str, object]] | None = None,
    kind: str | None = None,
) -> list[tuple[int, str]]:
    if not terms or limit <= 0:
        return []
    sqlite = conn.dialect.name == SQLITE
    table, key = index.table, index.key_for(conn)
    params: dict[str, object] = {"limit": limit}
    parts = []
    for i, t in enumerate(terms):
        params[f"w{i}"] = max(1, round(1000 * float(weights.get(t, 1.0))))
        if sqlite:
            params[f"t{i}"] = f'"{t}"'
            parts.append(
                f"SELECT rowid AS id, :w{i} AS w FROM {table} WHERE {table} MATCH :t{i}"  # noqa: S608
            )
        else:
            params[f"t{i}"] = _lexeme(t)
            parts.append(
                f"SELECT {key} AS id, CAST(:w{i} AS BIGINT) AS w FROM {table} "  # noqa: S608
                f"WHERE {_VECTOR} @@ CAST(:t{i} AS tsquery)"
                + ("" if kind is None else " AND kind = :kind")
            )
    if not sqlite:  # a parallel plan costs more to start than these small scans take
        conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        if kind is not None:  # PostgreSQL's passage rows carry their source's kind
            params["kind"] = kind
    filter_join = ""
    if only is not None:
        filter_join, extra = only
        params.update(extra)
    query = text(
        f"SELECT f.{key}, f.terms FROM ("  # noqa: S608 (identifiers are constants; values bound)
        "SELECT scored.id, scored.s FROM (SELECT id, sum(w) AS s FROM ("
        + " UNION ALL ".join(parts)
        + f") AS postings GROUP BY id) AS scored {filter_join} "
        "ORDER BY scored.s DESC, scored.id LIMIT :limit) AS top "
        f"JOIN {table} AS f ON f.{key} = top.id ORDER BY top.s DESC, top.id"
    )
    return [(int(r[0]), str(r[1])) for r in conn.execute(query, params)]


def claims_holding_all(dialect: str, terms: Sequence[str]) -> TextualSelect:
    """A query of the ids (column ``claim_id``) of the indexed claims whose statement holds
    every one of ``terms`` (index terms, see ``core.match_text.terms``), to use as a
    subquery; ``dialect`` is the connection's dialect name. Values are bound, never spliced.
    """
    wanted = sorted(set(terms))
    if dialect == SQLITE:
        match = " ".join('"' + t.replace('"', '""') + '"' for t in wanted)
        query = text("SELECT rowid AS claim_id FROM claim_fts WHERE claim_fts MATCH :claim_q")
    else:
        match = " & ".join(_lexeme(t) for t in wanted)
        where = f"{_VECTOR} @@ CAST(:claim_q AS tsquery)"
        query = text(f"SELECT claim_id FROM claim_fts WHERE {where}")  # noqa: S608
    return query.bindparams(claim_q=match).columns(claim_id=Integer)


def similar(conn: Connection, query_terms: Sequence[str], *, limit: int) -> list[tuple[int, str]]:
    """PostgreSQL only: passages whose terms are trigram-similar to the query's (typos)."""
    if conn.dialect.name != POSTGRESQL or not query_terms or limit <= 0:
        return []
    query = text(
        "SELECT passage_id, terms FROM passage_fts WHERE :q <% terms "
        "ORDER BY word_similarity(:q, terms) DESC, passage_id LIMIT :limit"
    )
    rows = conn.execute(query, {"q": " ".join(query_terms), "limit": limit})
    return [(int(r[0]), str(r[1])) for r in rows]


def claims_holding_each(dialect: str, groups: Sequence[Sequence[str]]) -> TextualSelect:
    """As ``claims_holding_all``, but each item of ``groups`` is a set of alternatives: the
    ids of the indexed claims whose statement holds at least one term of every group."""
    wanted = [sorted(set(g)) for g in groups if g]
    if dialect == SQLITE:
        match = " AND ".join(
            "(" + " OR ".join('"' + t.replace('"', '""') + '"' for t in g) + ")" for g in wanted
        )
        query = text("SELECT rowid AS claim_id FROM claim_fts WHERE claim_fts MATCH :claim_q")
    else:
        match = " & ".join("(" + " | ".join(_lexeme(t) for t in g) + ")" for g in wanted)
        where = f"{_VECTOR} @@ CAST(:claim_q AS tsquery)"
        query = text(f"SELECT claim_id FROM claim_fts WHERE {where}")  # noqa: S608
    return query.bindparams(claim_q=match).columns(claim_id=Integer)


def claim_terms_like(
    conn: Connection, first: str, shortest: int, longest: int
) -> list[tuple[str, int]]:
    """``(term, claims holding it)`` of the claim index's terms that start with the letter
    ``first`` and are ``shortest`` to ``longest`` characters long (for fuzzy search)."""
    params = {"lo": first, "hi": first + "\U0010ffff", "short": shortest, "long": longest}
    if conn.dialect.name == SQLITE:
        query = text(
            "SELECT term, doc FROM claim_fts_vocab WHERE term >= :lo AND term < :hi "
            "AND length(term) BETWEEN :short AND :long"
        )
    else:
        params["lo"] = first.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = text(
            "SELECT term, docs FROM claim_fts_df WHERE term LIKE :lo "
            "AND docs > 0 AND length(term) BETWEEN :short AND :long"
        )
    return [(str(t), int(n)) for t, n in conn.execute(query, params)]
