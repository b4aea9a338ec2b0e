"""Alembic environment: claimdesk always passes an open connection in ``config.attributes``."""

from alembic import context
from sqlmodel import SQLModel

import claimdesk.store.models  # noqa: F401  (registers the tables)
from claimdesk.store.search_index import include_in_schema_comparison

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("claimdesk migrations run through claimdesk.store.migrate.upgrade()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_in_schema_comparison,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
