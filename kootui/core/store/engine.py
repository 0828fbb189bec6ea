"""The store: engine factory, sessions, and schema upgrades.

No engine exists until ``open_store`` is called: importing this module does no I/O.
SQLite runs in WAL mode with synchronous=FULL and foreign keys on, so a crash
never loses a committed row and readers never block the writer.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from kootui.core.errors import StoreError
from kootui.core.store.faults import (
    first_line,
    missing_driver,
    parse_store_url,
    prepare_database_file,
    refuse_unusable_url,
    store_name,
    watch_store_faults,
)
from kootui.core.store.writers_lock import WritersLock

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# A revision file's own ids, as every file in versions/ writes them (one per line).
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*(.+?)\s*$", re.MULTILINE)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url`` whose store faults are ``StoreError``s (see ``store_faults``);
    an unusable URL (no such driver, an in-memory SQLite) is refused here, saying why."""
    parsed = parse_store_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            prepare_database_file(Path(parsed.database))
        try:
            engine = create_engine(
                parsed,
                connect_args={"check_same_thread": False, "timeout": 10},
                poolclass=NullPool if parsed.database in (None, "", ":memory:") else None,
            )
        except (ImportError, NoSuchModuleError) as exc:
            raise missing_driver(parsed, exc) from exc
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            engine = create_engine(parsed, pool_pre_ping=True)
        except (ImportError, NoSuchModuleError) as exc:
            raise missing_driver(parsed, exc) from exc
    watch_store_faults(engine)
    return engine


def _writers_lock_path(engine: Engine) -> str | None:
    """The file the engine's SQLite writers queue on, beside the database's -wal file."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        return None
    return f"{database}-writers"


def take_write_lock(connection: Connection) -> None:
    """Make the connection's transaction SQLite's writer now, before it reads. A deferred
    transaction that reads, then writes after another connection committed, fails at once
    with "busy snapshot" (no busy timeout helps); one that writes first waits its turn
    under the busy timeout and then reads the newest rows. A write that changes nothing
    (no task has id -1) is enough. PostgreSQL: nothing to do."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("UPDATE task SET name = name WHERE id = -1")


class Store:
    """An open database: the single source of truth and the send queue."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.writers = WritersLock(_writers_lock_path(engine))

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction of the dispatch engine (commits at the end of the block),
        taken in turn with the other engines' (see ``writers_lock``)."""
        with self.writers.turn(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def writing_first(self) -> Iterator[Connection]:
        """``writing`` whose transaction writes before it reads (SQLite: ``take_write_lock``),
        for a read-then-write that other writers (sessions, other processes) must not
        interleave with."""
        with self.writing() as connection:
            take_write_lock(connection)
            yield connection

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends without error and rolls back otherwise."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(store: Store, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe to call on every start."""
    from alembic import command

    try:
        command.upgrade(_alembic_config(store.engine), revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not upgrade the database schema: {exc}") from exc


def downgrade(store: Store, revision: str) -> None:
    from alembic import command

    command.downgrade(_alembic_config(store.engine), revision)


def current_revision(store: Store) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    config = _alembic_config(create_engine("sqlite://"))
    return ScriptDirectory.from_config(config).get_current_head()


@cache
def newest_revision_on_disk() -> str | None:
    """The head of the revision files, read from their ``revision =`` lines; ``None`` when
    that is not one clear head (the caller then asks alembic, which knows for sure).

    Loading alembic and its script directory costs about a tenth of a second, which every
    start would pay only to learn that there is nothing to do."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        ids = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        try:
            revision = ast.literal_eval(ids["revision"])
            down = ast.literal_eval(ids.get("down_revision", "None"))
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(parent) for parent in down)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _schema_is_newest(connection: Connection) -> bool:
    """Whether the store's one recorded revision is the newest on disk (one query)."""
    newest = newest_revision_on_disk()
    if newest is None or not inspect(connection).has_table("alembic_version"):
        return False
    stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return list(stored) == [newest]


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open the database at ``url`` and (by default) upgrade its schema to the newest."""
    refuse_unusable_url(parse_store_url(url))
    store = Store(make_engine(url))
    try:
        with store.engine.connect() as connection:
            if store.dialect == "sqlite":
                # Reading the schema is the first read of the file: a damaged or foreign
                # file is found here, as a StoreError, not by the first command's query.
                connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
            # At the newest revision (nearly every start) alembic is not even loaded.
            at_newest = not migrate or _schema_is_newest(connection)
    except (DBAPIError, OSError) as exc:
        store.close()
        raise StoreError(
            f"cannot open the database {store_name(store.engine.url)}: {first_line(exc)}; "
            "check the database URL, that the server is up and that this user may connect",
            code="store.unavailable",
        ) from exc
    except StoreError:
        store.close()
        raise
    if not at_newest:
        upgrade(store)
    return store
