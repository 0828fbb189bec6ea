"""Alembic environment: run by kootui.core.store.engine.upgrade with the engine in attributes."""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import kootui.core.store.models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _migrate_sqlite(connection: Connection) -> None:
    """SQLite's recipe for rebuilding a table: a rebuild drops the old table, and with
    foreign keys on that drop deletes the rows of every child (ON DELETE CASCADE). So keys
    are off for the upgrade (a pragma that only works outside a transaction) and, when a
    revision ran, checked before the commit (a scan of every table: not on a start with
    nothing to do); the connection goes back to the pool with them on."""
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        with connection.begin():
            _configure(connection)
            before = context.get_context().get_current_heads()
            context.run_migrations()
            if context.get_context().get_current_heads() != before:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the upgrade would break foreign keys: {broken[:5]}")
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def run_migrations() -> None:
    engine = config.attributes["engine"]
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            _migrate_sqlite(connection)
        return
    with engine.begin() as connection:
        _configure(connection)
        context.run_migrations()


run_migrations()
