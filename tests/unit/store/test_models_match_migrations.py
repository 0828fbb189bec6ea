"""The tables the models declare are the tables the migrations build: a column, index or
type added to one and not the other is a difference alembic's autogenerate finds."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from kootui.core.context import Context


def test_the_migrated_store_matches_the_models(any_context: Context) -> None:
    with any_context.store.engine.connect() as connection, warnings.catch_warnings():
        # Expression indexes (lower(recipient)) cannot be reflected on SQLite: not compared.
        warnings.simplefilter("ignore")
        migration = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(migration, SQLModel.metadata)
    assert differences == []
