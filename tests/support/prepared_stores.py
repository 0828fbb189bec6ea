"""Stores built once per test process and copied for each test.

Opening a store from nothing runs every Alembic revision and the public-template sync
(0.2-0.5 s), and seeding the demo workspace takes another second; hundreds of tests need
exactly that starting point. ``PreparedStores`` builds it once per xdist worker, in the
worker's own temporary folder, and hands each test a copy: the SQLite file (checkpointed,
so the copy is whole), or a PostgreSQL database made with ``CREATE DATABASE ... TEMPLATE``.
The test then opens its copy with ``open_context`` as before, which finds it at the
newest revision with the built-ins in place.

What a store holds at the start depends on the settings (the workspace row takes its
name and domain limit from them, the demo its sending hosts) and on the clock's time, so
a prepared store is keyed by both; a test with other settings or another fixed time gets
its own prepared store, and one without a fixed clock opens a store from nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from kootui.core.bootstrap import open_context
from kootui.core.clock import Clock, FixedClock
from kootui.core.config import Paths, Settings
from kootui.core.context import Context
from kootui.core.demo import seed_demo

# The files SQLite keeps beside a database while it is open; a closed, checkpointed
# database needs none of them.
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal", "-writers")


def admin_engine(server_url: str) -> Engine:
    """An engine on the PostgreSQL server at ``server_url`` that may create databases."""
    return create_engine(
        make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )


def _checkpoint(database_file: Path) -> None:
    """Fold the WAL into the database file, so copying that one file copies every row."""
    connection = sqlite3.connect(database_file)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for suffix in _SQLITE_SIDE_FILES:
        Path(f"{database_file}{suffix}").unlink(missing_ok=True)


def _copy_sqlite_store(source_data_dir: Path, target_data_dir: Path) -> None:
    """Copy a prepared data folder (database and DKIM keys) into a test's empty one."""

    def leave_out(_folder: str, names: list[str]) -> set[str]:
        return {name for name in names if name.endswith(_SQLITE_SIDE_FILES)}

    shutil.copytree(source_data_dir, target_data_dir, ignore=leave_out, dirs_exist_ok=True)


class PreparedStores:
    """One per test process: prepared stores under ``root``, PostgreSQL templates on
    ``postgres_url``'s server (dropped by ``close``)."""

    def __init__(self, root: Path, postgres_url: str = "") -> None:
        self.root = root
        self.postgres_url = postgres_url
        self._prefix = f"kootui_tpl_{uuid.uuid4().hex[:8]}"
        self._sqlite: dict[str, Path] = {}
        self._postgres: dict[str, str] = {}

    @staticmethod
    def _key(settings: Settings, clock: FixedClock, *, demo: bool) -> str:
        # Everything the first start writes depends on: settings (secrets only ever hashed
        # here) and the time. The database URL is left out: that is where the copy goes.
        values = settings.model_dump(mode="json", exclude={"paths"})
        values["database"].pop("url", None)
        seed = repr((sorted(values.items()), demo))
        return hashlib.sha256(f"{seed}|{clock.now().isoformat()}".encode()).hexdigest()[:16]

    def _build(self, settings: Settings, clock: FixedClock, *, demo: bool) -> None:
        """Open a store from nothing, as a first start does, and seed the demo if asked."""
        context = open_context(settings, clock=FixedClock(clock.now()))
        try:
            if demo:
                seed_demo(context)
        finally:
            context.close()

    def _sqlite_source(self, settings: Settings, clock: FixedClock, *, demo: bool) -> Path:
        """The data folder of the prepared store for this key (built on first use)."""
        key = self._key(settings, clock, demo=demo)
        if key not in self._sqlite:
            home = self.root / key
            shutil.rmtree(home, ignore_errors=True)
            prepared = settings.model_copy(
                update={"paths": Paths(home / "data", home / "config", home / "state")}
            )
            self._build(prepared, clock, demo=demo)
            _checkpoint(prepared.paths.database_file)
            self._sqlite[key] = prepared.paths.data_dir
        return self._sqlite[key]

    def _postgres_template(self, settings: Settings, clock: FixedClock) -> str:
        """The name of the template database for this key (built on first use)."""
        key = self._key(settings, clock, demo=False)
        if key not in self._postgres:
            name = f"{self._prefix}_{key}"
            admin = admin_engine(self.postgres_url)
            try:
                with admin.connect() as connection:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
            finally:
                admin.dispose()
            url = make_url(self.postgres_url).set(database=name)
            prepared = settings.with_values(database__url=url.render_as_string(hide_password=False))
            self._build(prepared, clock, demo=False)
            self._postgres[key] = name
        return self._postgres[key]

    def open(self, settings: Settings, clock: Clock, *, demo: bool = False) -> Context:
        """``open_context`` on a copy of the prepared store, for a test's own settings.

        ``settings`` is the test's (already ``for_demo()`` for the demo): a SQLite file
        in its data folder is copied there; any other database URL is opened as it is (a
        PostgreSQL copy is made beforehand by ``create_postgres_copy``). Without a fixed
        clock, or when the test's database file already exists, the store is opened as it
        is, from nothing."""
        in_data_dir = settings.demo or not settings.database.url.get_secret_value()
        fixed = isinstance(clock, FixedClock)
        if fixed and in_data_dir and not settings.paths.database_file.exists():
            source = self._sqlite_source(settings, clock, demo=demo)
            _copy_sqlite_store(source, settings.paths.data_dir)
            return open_context(settings, clock=clock)
        context = open_context(settings, clock=clock)
        if demo:
            seed_demo(context)
        return context

    def create_postgres_copy(self, name: str, settings: Settings, clock: Clock) -> None:
        """Create the database ``name``: a copy of the prepared store for these settings
        when the clock is fixed, else an empty one."""
        template = ""
        if isinstance(clock, FixedClock):
            template = f' TEMPLATE "{self._postgres_template(settings, clock)}"'
        admin = admin_engine(self.postgres_url)
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"{template}'))
        finally:
            admin.dispose()

    def close(self) -> None:
        if self._postgres:
            admin = admin_engine(self.postgres_url)
            try:
                with admin.connect() as connection:
                    for name in self._postgres.values():
                        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            finally:
                admin.dispose()
        self._postgres.clear()
        self._sqlite.clear()
