"""Names of the full-text search tables, which live outside the SQLModel metadata."""

SEARCH_INDEX_PREFIXES = ("passage_fts", "claim_fts")


def is_search_index_table(name: str | None) -> bool:
    return bool(name) and any(str(name).startswith(p) for p in SEARCH_INDEX_PREFIXES)
