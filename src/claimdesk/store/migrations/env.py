"""Alembic environment: claimdesk always passes an open connection in ``config.attributes``."""

from alembic import context
from sqlmodel import SQLModel

import claimdesk.store.models  # noqa: F401  (registers the tables)
from claimdesk.store.search_index import is_search_index_table

target_metadata = SQLModel.metadata


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and is_search_index_table(name))


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("claimdesk migrations run through claimdesk.store.migrate.upgrade()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
