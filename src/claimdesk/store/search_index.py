"""The passage search index, kept outside the SQLModel metadata (tables ``passage_fts*``).

Each passage is indexed as the space-joined index terms of its source's title and its
text (``claimdesk.core.match_text.terms``), so both backends see exactly the same terms:

- SQLite: an FTS5 table ``passage_fts(terms)`` (rowid = passage id, ``detail=none``:
  postings only, no positions), with an ``fts5vocab`` table ``passage_fts_vocab`` for document
  frequencies.
- PostgreSQL: a table ``passage_fts(passage_id, terms)`` with a GIN index on
  ``array_to_tsvector(string_to_array(terms, ' '))`` (exact lexemes, no parser) and a
  pg_trgm GIN index on ``terms`` for typo-tolerant fallback.

``passage_fts_stats`` holds the number of indexed passages and terms (for BM25). Inserts
update it per batch from Python; deleting a passage (directly or by cascade) removes its
index row and updates the counts through a trigger, so the index never outlives a passage.
The structures are created by migration 0002 (``0002_search_index.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, text

SEARCH_INDEX_PREFIXES = ("passage_fts", "claim_fts")
SQLITE = "sqlite"
POSTGRESQL = "postgresql"

_VECTOR = "array_to_tsvector(string_to_array(terms, ' '))"


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
    if not rows:
        return
    if conn.dialect.name == SQLITE:
        insert = "INSERT INTO passage_fts (rowid, terms) VALUES (:id, :terms)"
    else:
        insert = "INSERT INTO passage_fts (passage_id, terms) VALUES (:id, :terms)"
    conn.execute(text(insert), [{"id": pid, "terms": terms} for pid, terms in rows])
    words = sum(len(terms.split()) for _, terms in rows)
    conn.execute(
        text(
            "UPDATE passage_fts_stats SET documents = documents + :d, terms = terms + :w "
            "WHERE id = 1"
        ),
        {"d": len(rows), "w": words},
    )


def stats(conn: Connection) -> IndexStats:
    row = conn.execute(text("SELECT documents, terms FROM passage_fts_stats WHERE id = 1")).first()
    return IndexStats(int(row[0]), int(row[1])) if row is not None else IndexStats(0, 0)


def doc_freq(conn: Connection, terms: Iterable[str]) -> dict[str, int]:
    """How many indexed passages hold each term (absent terms are left out)."""
    wanted = sorted(set(terms))
    if not wanted:
        return {}
    if conn.dialect.name == SQLITE:
        query = text("SELECT term, doc FROM passage_fts_vocab WHERE term IN :terms").bindparams(
            bindparam("terms", expanding=True)
        )
        return {str(t): int(n) for t, n in conn.execute(query, {"terms": wanted})}
    found: dict[str, int] = {}
    count = text(f"SELECT count(*) FROM passage_fts WHERE {_VECTOR} @@ CAST(:q AS tsquery)")  # noqa: S608
    for t in wanted:
        n = int(conn.execute(count, {"q": _lexeme(t)}).scalar_one())
        if n:
            found[t] = n
    return found


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def candidates(
    conn: Connection, terms: Sequence[str], weights: Mapping[str, float], *, limit: int
) -> list[tuple[int, str]]:
    """``(passage id, indexed terms)`` of the passages holding the most weight of ``terms``
    (the sum of ``weights``, IDF, of the terms a passage holds), best first, at most
    ``limit``; ties break on the passage id.

    Term at a time: each term's postings are read from the index (FTS5 on SQLite, the GIN
    index on PostgreSQL) and summed by the database, so the cost is the summed document
    frequency of ``terms``, which the caller bounds. Weights are summed as integers so
    both backends order exactly alike. ``terms`` must be index terms the index knows (see
    ``doc_freq``), which keeps the query syntax safe.
    """
    if not terms or limit <= 0:
        return []
    sqlite = conn.dialect.name == SQLITE
    params: dict[str, object] = {"limit": limit}
    parts = []
    for i, t in enumerate(terms):
        params[f"w{i}"] = max(1, round(1000 * float(weights.get(t, 1.0))))
        if sqlite:
            params[f"t{i}"] = f'"{t}"'
            parts.append(
                f"SELECT rowid AS id, :w{i} AS w FROM passage_fts WHERE passage_fts MATCH :t{i}"  # noqa: S608
            )
        else:
            params[f"t{i}"] = _lexeme(t)
            parts.append(
                f"SELECT passage_id AS id, CAST(:w{i} AS BIGINT) AS w FROM passage_fts "  # noqa: S608
                f"WHERE {_VECTOR} @@ CAST(:t{i} AS tsquery)"
            )
    key = "rowid" if sqlite else "passage_id"
    query = text(
        "SELECT f."  # noqa: S608 (identifiers are constants; values are bound)
        + key
        + ", f.terms FROM (SELECT id, sum(w) AS s FROM ("
        + " UNION ALL ".join(parts)
        + ") AS postings GROUP BY id ORDER BY s DESC, id LIMIT :limit) AS top "
        f"JOIN passage_fts AS f ON f.{key} = top.id ORDER BY top.s DESC, top.id"
    )
    return [(int(r[0]), str(r[1])) for r in conn.execute(query, params)]


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
