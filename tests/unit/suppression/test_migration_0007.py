"""Revision 0007 adds where a suppressed address came from, carrying existing rows forward."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from kootui.core.clock import FixedClock
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.store import current_revision, downgrade, head_revision, open_store, upgrade
from kootui.core.suppression import add_suppression, list_suppressions


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres":
        yield request.getfixturevalue("postgres_database_url")
    else:
        yield f"sqlite:///{tmp_path / 'from-0003.db'}"


def test_rows_from_0003_are_carried_forward(
    old_store_url: str, settings: Settings, clock: FixedClock
) -> None:
    store = open_store(old_store_url, migrate=False)
    try:
        upgrade(store, "0003")
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO suppression (address, reason, created_at) VALUES "
                    "('ann@example.com', 'unsubscribed', '2026-11-01 10:00:00.000000'),"
                    "('bob@example.org', 'hard_bounce', '2026-11-02 10:00:00.000000')"
                )
            )
        upgrade(store)  # what the app does on start
        assert current_revision(store) == head_revision()
        context = Context(store=store, settings=settings, clock=clock)
        page = list_suppressions(context, reveal=True)
        assert [
            (row["address"], row["reason"], row["message_id"], row["note"]) for row in page.rows
        ] == [
            ("bob@example.org", "hard_bounce", None, ""),
            ("ann@example.com", "unsubscribed", None, ""),
        ]
        add_suppression(context, "cat@example.com", note="by hand", message_id=3)
        indexes = {ix["name"] for ix in inspect(store.engine).get_indexes("suppression")}
        assert "ix_suppression_created_at" in indexes
        # The model and the migrated table agree on the suppression table.
        with store.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection), SQLModel.metadata
            )
        assert [d for d in differences if "suppression" in repr(d)] == []

        downgrade(store, "0003")  # and back, keeping the addresses
        with store.engine.connect() as connection:
            kept = connection.execute(text("SELECT address FROM suppression ORDER BY address"))
            assert [row[0] for row in kept] == [
                "ann@example.com",
                "bob@example.org",
                "cat@example.com",
            ]
        upgrade(store)
    finally:
        store.close()
