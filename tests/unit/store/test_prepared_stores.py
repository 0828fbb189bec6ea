"""The stores tests start from (copies of one built per test process) hold what a first
start writes: the same rows at the same fixed time, at the newest revision."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from sqlmodel import select

from kootui.core.bootstrap import open_context
from kootui.core.clock import FixedClock
from kootui.core.config import Paths, Settings
from kootui.core.context import Context
from kootui.core.demo import seed_demo
from kootui.core.store import DkimKey, current_revision, head_revision
from tests.support.prepared_stores import PreparedStores

# What each build makes at random: DKIM keys, their files and the public halves the DNS
# records quote, the signatures made with them, and the Message-IDs and MIME boundaries
# (hence body hashes) of the demo's sent messages.
RANDOM = re.compile(
    r"MII[A-Za-z0-9+/]+=*|[\w-]+\.pem|<[0-9a-f]{32}@| b=[^;']+|bh=[^;']+|=_kootui_[0-9a-f]+"
)


def _elsewhere(settings: Settings, root: Path) -> Settings:
    return settings.model_copy(
        update={"paths": Paths(root / "data", root / "config", root / "state")}
    )


def _rows(database: Path, random: re.Pattern[str] | None = None) -> list[str]:
    """The database as SQL statements (schema, then rows in rowid order)."""
    connection = sqlite3.connect(database)
    try:
        lines = list(connection.iterdump())
    finally:
        connection.close()
    return [random.sub("(random)", line) for line in lines] if random else lines


def _dkim_keys(context: Context) -> list[DkimKey]:
    with context.store.session() as session:
        return list(session.exec(select(DkimKey)))


def test_a_copied_store_is_the_store_a_first_start_makes(
    settings: Settings, clock: FixedClock, prepared_stores: PreparedStores, tmp_path: Path
) -> None:
    fresh = open_context(_elsewhere(settings, tmp_path / "fresh"), clock=clock)
    fresh.close()
    copied = prepared_stores.open(settings, clock)
    try:
        assert current_revision(copied.store) == head_revision()
    finally:
        copied.close()
    assert _rows(settings.paths.database_file) == _rows(fresh.settings.paths.database_file)


def test_a_copied_demo_is_the_demo_a_first_start_seeds(
    settings: Settings, clock: FixedClock, prepared_stores: PreparedStores, tmp_path: Path
) -> None:
    fresh = open_context(_elsewhere(settings, tmp_path / "fresh").for_demo(), clock=clock)
    try:
        seed_demo(fresh)
    finally:
        fresh.close()
    copied = prepared_stores.open(settings.for_demo(), clock, demo=True)
    try:
        keys = {row.key_file for row in _dkim_keys(copied)}
    finally:
        copied.close()
    # The DKIM keys are made afresh by each seeding; everything else is the same.
    assert _rows(settings.for_demo().paths.database_file, RANDOM) == _rows(
        fresh.settings.paths.database_file, RANDOM
    )
    assert keys == {path.name for path in settings.for_demo().paths.keys_dir.iterdir()}
