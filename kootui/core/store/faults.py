"""Store faults as ``StoreError``s: what is wrong with which file or URL, and what to do.

Every engine made by ``make_engine`` sends its database errors through
``watch_store_faults``. A fault that will not pass by itself — a file that is not a
database or is damaged, a read-only file or folder, a full disk, a missing table,
refused permissions — becomes a ``StoreError`` with a stable code, so each face
prints one line and a worker stops. A fault that can pass (SQLite busy or locked, a
PostgreSQL server away, a deadlock) stays SQLAlchemy's ``OperationalError``, which
the dispatch engine waits out and retries. Every other error (a constraint, a bug)
is left as it is. Passwords never appear: a URL is shown with ``***``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError

from kootui.core.config import redact_database_url
from kootui.core.errors import StoreError
from kootui.core.private_files import create_private_file, make_database_private

# SQLite's primary result codes (the low byte of the extended code).
SQLITE_ERROR = 1
SQLITE_PERM = 3
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

RESTORE_HINT = (
    "restore it from a backup, or move it away (with its -wal and -shm files) to start "
    "an empty store"
)
RECOVER_HINT = f"{RESTORE_HINT}; `kootui db check` says more"


def first_line(exc: BaseException) -> str:
    """The driver's reason on one line (SQLAlchemy appends SQL and a link on later lines)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _shown(url: URL) -> str:
    # SQLAlchemy's hide_password misses a password holding "@" and ?password= values.
    return redact_database_url(url.render_as_string(hide_password=False))


def store_name(url: URL) -> str:
    """How a fault names the store: a SQLite file's path, else the URL without password."""
    if url.get_backend_name() == "sqlite":
        return f"file {url.database}"
    return _shown(url)


def parse_store_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as exc:
        # The text is not shown: a URL that does not parse may hold a password in clear.
        raise StoreError(
            "the database URL cannot be read; write it as sqlite:////path/to/kootui.db or "
            "postgresql://user:password@host/name",
            code="store.url_invalid",
            field="database.url",
        ) from exc


def refuse_unusable_url(url: URL) -> None:
    """An in-memory SQLite database or an asyncio driver cannot hold kootui's store."""
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and (
        database in ("", ":memory:") or url.query.get("mode") == "memory"
    ):
        raise StoreError(
            f"{_shown(url)} is an in-memory database: it is "
            "empty for every connection and gone when kootui stops; give a file, e.g. "
            "sqlite:////var/lib/kootui/kootui.db",
            code="store.memory",
            field="database.url",
        )
    if url.get_driver_name() in {"asyncpg", "aiosqlite", "psycopg_async", "asyncmy", "aiomysql"}:
        raise StoreError(
            f"{_shown(url)} names an asyncio driver "
            f"({url.get_driver_name()}); kootui needs a plain one: write postgresql://... "
            "(psycopg) or sqlite:///...",
            code="store.driver_unusable",
            field="database.url",
        )


def missing_driver(url: URL, exc: BaseException) -> StoreError:
    return StoreError(
        f"the database URL {_shown(url)} needs the driver "
        f"{url.drivername!r}, which is not installed here ({first_line(exc)}); install it "
        "into kootui's environment, or write postgresql://... (psycopg, installed with "
        "kootui) or sqlite:///...",
        code="store.driver_missing",
        field="database.url",
    )


def _sqlite_fault(name: str, error: BaseException) -> StoreError | None:
    extended = getattr(error, "sqlite_errorcode", None)
    if not isinstance(extended, int):
        return None
    primary, reason = extended & 0xFF, first_line(error)
    if primary == SQLITE_NOTADB:
        return StoreError(
            f"the database {name} is not a SQLite database (damaged, or another kind of "
            f"file); {RECOVER_HINT}",
            code="store.not_a_database",
        )
    if primary == SQLITE_CORRUPT:
        return StoreError(
            f"the database {name} is damaged ({reason}); {RECOVER_HINT}", code="store.corrupt"
        )
    if primary == SQLITE_READONLY:
        return StoreError(
            f"the database {name} cannot be written ({reason}): make the file, its -wal and "
            "-shm files and their folder writable by this user, or run kootui as their owner",
            code="store.read_only",
        )
    if primary in (SQLITE_CANTOPEN, SQLITE_PERM):
        return StoreError(
            f"the database {name} cannot be opened ({reason}): check that its folder exists "
            "and that this user may read, write and create files in it",
            code="store.cannot_open",
        )
    if primary == SQLITE_IOERR:
        return StoreError(
            f"reading or writing the database {name} failed ({reason}): check the disk "
            "and its file system (dmesg), then `kootui db check`",
            code="store.io_error",
        )
    if primary == SQLITE_FULL:
        return StoreError(
            f"the disk holding the database {name} is full: free some space, then run "
            "the command again",
            code="store.disk_full",
        )
    if primary == SQLITE_ERROR and reason.startswith("no such table"):
        return _missing_table(name, reason)
    return None


def _missing_table(name: str, reason: str) -> StoreError:
    return StoreError(
        f"the database {name} lacks kootui's tables ({reason}): it is not a kootui store "
        "or its schema was never made; run `kootui db upgrade`, or point database.url "
        "at the right database",
        code="store.schema_missing",
    )


# SQLSTATEs (PostgreSQL) that do not pass by themselves.
_POSTGRES_FAULTS = {
    "42P01": "store.schema_missing",
    "42501": "store.permission",
    "25006": "store.read_only",
    "53100": "store.disk_full",
    "XX001": "store.corrupt",
    "XX002": "store.corrupt",
}


def _postgres_fault(name: str, error: BaseException) -> StoreError | None:
    code = _POSTGRES_FAULTS.get(str(getattr(error, "sqlstate", "") or ""))
    if code is None:
        return None
    reason = first_line(error)
    if code == "store.schema_missing":
        return _missing_table(name, reason)
    advice = {
        "store.permission": "grant this database user the rights on kootui's tables",
        "store.read_only": "point database.url at the primary server, not a read-only replica",
        "store.disk_full": "free space on the database server",
        "store.corrupt": "restore the database from a backup",
    }[code]
    return StoreError(f"the database {name} refused: {reason}; {advice}", code=code)


def store_fault(name: str, error: BaseException) -> StoreError | None:
    """The StoreError for a DBAPI ``error`` that will not pass by itself, else None."""
    return _sqlite_fault(name, error) or _postgres_fault(name, error)


def watch_store_faults(engine: Engine) -> None:
    name = store_name(engine.url)

    def translate(context: ExceptionContext) -> None:
        if context.is_disconnect:
            return  # the pool reconnects; a server that stays away is an OperationalError
        fault = store_fault(name, context.original_exception)
        if fault is not None:
            raise fault from context.sqlalchemy_exception or context.original_exception

    event.listen(engine, "handle_error", translate)


def prepare_database_file(database: Path) -> None:
    """The SQLite file's folder, and the file itself created private (0600) before SQLite
    opens it, so its -wal and -shm files are private too."""
    if database.exists() and not database.is_file():
        # Never tighten (or open) a folder or a device named by mistake: sqlite:////tmp
        # would otherwise turn /tmp to 0700.
        raise StoreError(
            f"the database path {database} is a folder or a device, not a file: give the "
            "path of a file, e.g. sqlite:////var/lib/kootui/kootui.db",
            code="store.not_a_file",
            field="database.url",
        )
    try:
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        create_private_file(database)
    except OSError as exc:
        raise StoreError(
            f"cannot create the database file {database} ({exc.strerror}): check that its "
            "folder exists and this user may create files in it",
            code="store.cannot_open",
        ) from exc
    make_database_private(database)


def sqlite_database_path(url: str) -> Path | None:
    """The SQLite file ``url`` names, or None (PostgreSQL, memory, a URL that does not parse)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))
