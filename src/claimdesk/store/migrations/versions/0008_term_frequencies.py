"""PostgreSQL: per-term document frequencies kept with the search indexes; passage rows
carry their source's kind

Each search needs, per query term, how many indexed rows hold it (for IDF, and to choose
the selective terms). SQLite's FTS5 keeps these in its vocab tables; on PostgreSQL they
were counted from the GIN index per query, which was most of a search's time (about
20 ms a search at 100k passages, and ~340 ms of ~430 ms at 1M). This keeps them in
``passage_fts_df`` and ``claim_fts_df``, filled here from the stored index rows and then
maintained by ``claimdesk.store.search_index`` (inserts) and a statement-level delete
trigger (which also replaces the per-row trigger that kept the stats row), taking the term
rows in term order and then the stats row, as inserts do, so writers never deadlock.

Passage index rows also get their source's ``kind`` and the fact-check rows a partial GIN
index: "earlier fact-checks" read every posting of the query's terms and joined each
scored passage to its source before keeping one kind in ten (~130 ms a search at 100k
passages; ~3 ms now). SQLite is unchanged.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 15:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (("passage_fts", "passage_id"), ("claim_fts", "claim_id"))


def _forget(table: str, key: str) -> str:
    """The statement-level delete trigger's function: subtract the deleted rows' terms
    from the document frequencies, then their counts from the stats row."""
    return f"""CREATE OR REPLACE FUNCTION {table}_forget() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM {table}_df AS d
            WHERE d.term IN (SELECT unnest(string_to_array(g.terms, ' ')) FROM gone AS g)
            ORDER BY d.term FOR UPDATE;
        UPDATE {table}_df AS d SET docs = d.docs - c.n
            FROM (SELECT t.term, count(DISTINCT g.{key}) AS n
                  FROM gone AS g, unnest(string_to_array(g.terms, ' ')) AS t(term)
                  GROUP BY t.term) AS c
            WHERE d.term = c.term;
        UPDATE {table}_stats SET
            documents = documents - (SELECT count(*) FROM gone),
            terms = terms - (SELECT coalesce(sum(cardinality(string_to_array(g.terms, ' '))), 0)
                             FROM gone AS g)
            WHERE id = 1;
        RETURN NULL;
    END $$"""  # noqa: S608 (constant identifiers)


def _row_forget(table: str) -> str:
    """0002/0006's per-row trigger function, for the downgrade."""
    return f"""CREATE OR REPLACE FUNCTION {table}_forget() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE {table}_stats SET documents = documents - 1, terms = terms - CASE
            WHEN old.terms = '' THEN 0
            ELSE length(old.terms) - length(replace(old.terms, ' ', '')) + 1 END
        WHERE id = 1;
        RETURN old;
    END $$"""  # noqa: S608 (constant identifiers)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, key in INDEXES:
        op.execute(f"CREATE TABLE {table}_df (term TEXT PRIMARY KEY, docs BIGINT NOT NULL)")
        op.execute(
            f"""INSERT INTO {table}_df (term, docs)
            SELECT t.term, count(DISTINCT f.{key}) FROM {table} AS f,
                unnest(string_to_array(f.terms, ' ')) AS t(term)
            GROUP BY t.term"""  # noqa: S608 (constant identifiers)
        )
        op.execute(f"DROP TRIGGER {table}_forget ON {table}")
        op.execute(_forget(table, key))
        op.execute(
            f"""CREATE TRIGGER {table}_forget AFTER DELETE ON {table}
            REFERENCING OLD TABLE AS gone
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_forget()"""
        )
        op.execute(f"ANALYZE {table}_df")
    op.execute("ALTER TABLE passage_fts ADD COLUMN kind TEXT")
    op.execute(
        """UPDATE passage_fts AS f SET kind = s.kind FROM passage AS p
        JOIN source AS s ON s.id = p.source_id WHERE p.id = f.passage_id"""
    )
    op.execute(
        """CREATE INDEX passage_fts_fact_check_idx ON passage_fts USING GIN (vector)
        WITH (fastupdate = off) WHERE kind = 'fact_check'"""
    )
    op.execute("ANALYZE passage_fts")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP INDEX passage_fts_fact_check_idx")
    op.execute("ALTER TABLE passage_fts DROP COLUMN kind")
    for table, _ in INDEXES:
        op.execute(f"DROP TRIGGER {table}_forget ON {table}")
        op.execute(_row_forget(table))
        op.execute(
            f"""CREATE TRIGGER {table}_forget AFTER DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_forget()"""
        )
        op.execute(f"DROP TABLE {table}_df")
