"""Alembic environment: runs on the connection tcmap hands over, or on sqlalchemy.url."""

from alembic import context
from sqlalchemy import create_engine

import tcmap.store  # noqa: F401  (registers every model on Base.metadata)
from tcmap.store.base import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _migrate(conn)
    else:
        _migrate(connection)


def _include_name(name, type_, parent_names) -> bool:
    """Leave out what the models do not describe: the SQLite FTS5 table and its shadows."""
    from tcmap.store.search import UNMODELLED

    return not (type_ in ("table", "index") and name in UNMODELLED)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
