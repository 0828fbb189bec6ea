"""``kootui db check``: is the store sound, and what to do when it is not.

SQLite: the file is read whole by ``PRAGMA integrity_check`` (every page, index and
constraint). PostgreSQL: a connection, then the schema revision. Both say whether the
schema is at the newest revision. Nothing is created or changed, not even a missing
file: a check that made an empty database would hide the missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from kootui.core.errors import StoreError
from kootui.core.store.engine import current_revision, head_revision, open_store
from kootui.core.store.faults import (
    RECOVER_HINT,
    RESTORE_HINT,
    first_line,
    parse_store_url,
    store_name,
)

SHOWN_PROBLEMS = 10


@dataclass(frozen=True)
class StoreCheck:
    """The verdict: ``ok`` and the lines to show (findings first, then what to do)."""

    ok: bool
    lines: tuple[str, ...]


def _fault(exc: StoreError) -> StoreCheck:
    # This is the check the fault's message points to: say what to do, not "check".
    return StoreCheck(
        ok=False, lines=(f"{exc.code}: {str(exc).replace(RECOVER_HINT, RESTORE_HINT)}",)
    )


def _sqlite_file_missing(url: str) -> StoreCheck | None:
    parsed = parse_store_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    database = Path(parsed.database)
    if database.exists():
        return None
    return StoreCheck(
        ok=False,
        lines=(
            f"no database at {database}",
            "kootui creates it on the first command that opens the store; if it should "
            "exist, check database.url (`kootui config`) or restore it from a backup",
        ),
    )


def check_store(url: str) -> StoreCheck:
    """Open the store at ``url`` without migrating and check it; never raises a fault."""
    missing = _sqlite_file_missing(url)
    if missing is not None:
        return missing
    try:
        store = open_store(url, migrate=False)
    except StoreError as exc:
        return _fault(exc)
    name = store_name(store.engine.url)
    try:
        problems: list[str] = []
        if store.dialect == "sqlite":
            with store.engine.connect() as connection:
                rows = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            problems = [str(row) for row in rows if str(row) != "ok"]
        revision, newest = current_revision(store), head_revision()
    except StoreError as exc:
        return _fault(exc)
    except DBAPIError as exc:
        reason = first_line(exc)
        return StoreCheck(ok=False, lines=(f"the database {name} could not be read: {reason}",))
    finally:
        store.close()
    if problems:
        shown = [f"  {problem}" for problem in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            shown.append(f"  ... and {len(problems) - SHOWN_PROBLEMS:,} more")
        return StoreCheck(
            ok=False,
            lines=(
                f"the database {name} is damaged: integrity_check found "
                f"{len(problems):,} problem(s):",
                *shown,
                f"Stop every kootui process, then {RESTORE_HINT} "
                f"(or recover what is readable: sqlite3 {store.engine.url.database} .recover)",
            ),
        )
    checked = "integrity_check: ok" if store.dialect == "sqlite" else "connection: ok"
    if revision != newest:
        return StoreCheck(
            ok=False,
            lines=(
                f"the database {name}: {checked}",
                f"schema revision {revision or 'none (empty database)'}, newest {newest}: "
                "run `kootui db upgrade`",
            ),
        )
    return StoreCheck(
        ok=True, lines=(f"the database {name}: {checked}; schema at the newest revision {newest}",)
    )
