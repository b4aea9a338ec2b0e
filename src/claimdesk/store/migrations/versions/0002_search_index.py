"""search index: passage_fts (SQLite FTS5 / PostgreSQL tsvector GIN + pg_trgm)

The index lives outside the SQLModel metadata (names start with ``passage_fts``); see
``claimdesk.store.search_index`` for how it is used. Each passage row holds the
space-joined index terms of its source's title and its text.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    """CREATE VIRTUAL TABLE passage_fts USING fts5(
        terms, detail=none, tokenize='unicode61 remove_diacritics 0')""",
    "CREATE VIRTUAL TABLE passage_fts_vocab USING fts5vocab(passage_fts, row)",
    """CREATE TABLE passage_fts_stats (
        id INTEGER PRIMARY KEY, documents BIGINT NOT NULL, terms BIGINT NOT NULL)""",
    "INSERT INTO passage_fts_stats (id, documents, terms) VALUES (1, 0, 0)",
    """CREATE TRIGGER passage_fts_forget AFTER DELETE ON passage BEGIN
        UPDATE passage_fts_stats SET documents = documents - 1, terms = terms - coalesce((
            SELECT CASE WHEN terms = '' THEN 0
                   ELSE length(terms) - length(replace(terms, ' ', '')) + 1 END
            FROM passage_fts WHERE rowid = old.id), 0)
        WHERE id = 1 AND EXISTS (SELECT 1 FROM passage_fts WHERE rowid = old.id);
        DELETE FROM passage_fts WHERE rowid = old.id;
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS passage_fts_forget",
    "DROP TABLE IF EXISTS passage_fts_vocab",
    "DROP TABLE IF EXISTS passage_fts",
    "DROP TABLE IF EXISTS passage_fts_stats",
]
POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE passage_fts (
        passage_id INTEGER PRIMARY KEY REFERENCES passage (id) ON DELETE CASCADE,
        terms TEXT NOT NULL)""",
    """CREATE INDEX passage_fts_terms_idx ON passage_fts
        USING GIN (array_to_tsvector(string_to_array(terms, ' ')))""",
    "CREATE INDEX passage_fts_trgm_idx ON passage_fts USING GIN (terms gin_trgm_ops)",
    """CREATE TABLE passage_fts_stats (
        id INTEGER PRIMARY KEY, documents BIGINT NOT NULL, terms BIGINT NOT NULL)""",
    "INSERT INTO passage_fts_stats (id, documents, terms) VALUES (1, 0, 0)",
    """CREATE FUNCTION passage_fts_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE passage_fts_stats SET documents = documents - 1, terms = terms - CASE
            WHEN old.terms = '' THEN 0
            ELSE length(old.terms) - length(replace(old.terms, ' ', '')) + 1 END
        WHERE id = 1;
        RETURN old;
    END $$""",
    """CREATE TRIGGER passage_fts_forget AFTER DELETE ON passage_fts
        FOR EACH ROW EXECUTE FUNCTION passage_fts_forget()""",
]
POSTGRESQL_DOWN = [
    "DROP TABLE IF EXISTS passage_fts",
    "DROP FUNCTION IF EXISTS passage_fts_forget()",
    "DROP TABLE IF EXISTS passage_fts_stats",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRESQL_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRESQL_DOWN:
        op.execute(statement)
