"""claim search index: claim_fts (SQLite FTS5 / PostgreSQL tsvector GIN), with a backfill

"Checked before?" finds earlier claims through this index instead of reading and
tokenising every stored claim per request. On PostgreSQL the passage index gets the same
stored term vector as the claim index (see below). Each row holds the space-joined index terms of
a claim's statement; see ``claimdesk.store.search_index`` (``index_claims``). Existing
claims are indexed here, in id order, in batches (by this revision's own inserts: later
revisions change what ``index_claims`` writes).

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-29 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from claimdesk.core.match_text import terms as index_terms

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_BATCH = 2000

SQLITE_UP = [
    """CREATE VIRTUAL TABLE claim_fts USING fts5(
        terms, detail=none, tokenize='unicode61 remove_diacritics 0')""",
    "CREATE VIRTUAL TABLE claim_fts_vocab USING fts5vocab(claim_fts, row)",
    """CREATE TABLE claim_fts_stats (
        id INTEGER PRIMARY KEY, documents BIGINT NOT NULL, terms BIGINT NOT NULL)""",
    "INSERT INTO claim_fts_stats (id, documents, terms) VALUES (1, 0, 0)",
    """CREATE TRIGGER claim_fts_forget AFTER DELETE ON claim BEGIN
        UPDATE claim_fts_stats SET documents = documents - 1, terms = terms - coalesce((
            SELECT CASE WHEN terms = '' THEN 0
                   ELSE length(terms) - length(replace(terms, ' ', '')) + 1 END
            FROM claim_fts WHERE rowid = old.id), 0)
        WHERE id = 1 AND EXISTS (SELECT 1 FROM claim_fts WHERE rowid = old.id);
        DELETE FROM claim_fts WHERE rowid = old.id;
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS claim_fts_forget",
    "DROP TABLE IF EXISTS claim_fts_vocab",
    "DROP TABLE IF EXISTS claim_fts",
    "DROP TABLE IF EXISTS claim_fts_stats",
]
# PostgreSQL: a stored term vector per row (the planner chose sequential scans that built
# a vector from every row's terms over the expression index, ~0.3 s a term at 20k rows),
# GIN without a pending list (fastupdate off: reads never scan unmerged inserts).
_VECTOR_COLUMN = (
    "vector tsvector GENERATED ALWAYS AS (array_to_tsvector(string_to_array(terms, ' '))) STORED"
)
POSTGRESQL_UP = [
    "ALTER TABLE passage_fts ADD COLUMN " + _VECTOR_COLUMN,
    "CREATE INDEX passage_fts_vector_idx ON passage_fts USING GIN (vector) WITH (fastupdate = off)",
    "DROP INDEX passage_fts_terms_idx",
    f"""CREATE TABLE claim_fts (
        claim_id INTEGER PRIMARY KEY REFERENCES claim (id) ON DELETE CASCADE,
        terms TEXT NOT NULL,
        {_VECTOR_COLUMN})""",
    "CREATE INDEX claim_fts_vector_idx ON claim_fts USING GIN (vector) WITH (fastupdate = off)",
    """CREATE TABLE claim_fts_stats (
        id INTEGER PRIMARY KEY, documents BIGINT NOT NULL, terms BIGINT NOT NULL)""",
    "INSERT INTO claim_fts_stats (id, documents, terms) VALUES (1, 0, 0)",
    """CREATE FUNCTION claim_fts_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE claim_fts_stats SET documents = documents - 1, terms = terms - CASE
            WHEN old.terms = '' THEN 0
            ELSE length(old.terms) - length(replace(old.terms, ' ', '')) + 1 END
        WHERE id = 1;
        RETURN old;
    END $$""",
    """CREATE TRIGGER claim_fts_forget AFTER DELETE ON claim_fts
        FOR EACH ROW EXECUTE FUNCTION claim_fts_forget()""",
]
POSTGRESQL_DOWN = [
    "DROP TABLE IF EXISTS claim_fts",
    "DROP FUNCTION IF EXISTS claim_fts_forget()",
    "DROP TABLE IF EXISTS claim_fts_stats",
    """CREATE INDEX passage_fts_terms_idx ON passage_fts
        USING GIN (array_to_tsvector(string_to_array(terms, ' ')))""",
    "ALTER TABLE passage_fts DROP COLUMN vector",
]


def upgrade() -> None:
    conn = op.get_bind()
    # Earlier fact-checks: the candidate query keeps passages of sources of one kind.
    op.create_index("ix_source_kind", "source", ["kind"])
    for statement in SQLITE_UP if conn.dialect.name == "sqlite" else POSTGRESQL_UP:
        op.execute(statement)
    backfill(conn)


def backfill(conn: sa.Connection) -> None:
    """Index every stored claim's statement, ``BACKFILL_BATCH`` claims at a time."""
    claim = sa.table("claim", sa.column("id", sa.Integer()), sa.column("statement", sa.Text()))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(claim.c.id, claim.c.statement)
            .where(claim.c.id > last)
            .order_by(claim.c.id)
            .limit(BACKFILL_BATCH)
        ).all()
        if not rows:
            return
        _index(conn, [(int(cid), " ".join(index_terms(str(st or "")))) for cid, st in rows])
        last = int(rows[-1][0])


def _index(conn: sa.Connection, rows: list[tuple[int, str]]) -> None:
    """Insert index rows and count them, as the schema stands at this revision (not through
    ``search_index``, which writes what later revisions add)."""
    key = "rowid" if conn.dialect.name == "sqlite" else "claim_id"
    conn.execute(
        sa.text(f"INSERT INTO claim_fts ({key}, terms) VALUES (:id, :terms)"),  # noqa: S608
        [{"id": cid, "terms": terms} for cid, terms in rows],
    )
    conn.execute(
        sa.text(
            "UPDATE claim_fts_stats SET documents = documents + :d, terms = terms + :w WHERE id = 1"
        ),
        {"d": len(rows), "w": sum(len(terms.split()) for _, terms in rows)},
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRESQL_DOWN:
        op.execute(statement)
    op.drop_index("ix_source_kind", table_name="source")
