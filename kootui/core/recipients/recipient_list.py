"""The recipients of a task being prepared, kept compactly until the task is created.

A typed list is ten addresses; an imported file can be a million rows. Holding a
million Python tuples would cost hundreds of megabytes, so imported rows go to
a private temporary SQLite file (a 0700 folder, removed on ``close`` or when
the object is collected): memory stays at SQLite's small page cache whatever the
file's size. Duplicates are found there too, with an index, after the whole
sheet is read, and then dropped; the rows are renumbered so row ``i`` of the
list is one indexed lookup (the simulator steps through them).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kootui.core.recipients.addresses import duplicate_key

RecipientRow = tuple[str, dict[str, str]]  # (address, template parameter values)


class RecipientSource(Protocol):
    """What a task expands: addresses with their parameter values, in order."""

    @property
    def count(self) -> int: ...

    @property
    def description(self) -> str:
        """Where the recipients came from, as the task's detail view shows it."""
        ...

    def row(self, index: int) -> RecipientRow: ...

    def chunks(self, size: int) -> Iterator[list[RecipientRow]]: ...


@dataclass(frozen=True)
class TypedRecipients:
    """Addresses typed by hand: already validated, no parameters."""

    addresses: Sequence[str]

    @property
    def count(self) -> int:
        return len(self.addresses)

    @property
    def description(self) -> str:
        return f"typed by hand ({len(self.addresses)})"

    def row(self, index: int) -> RecipientRow:
        if not 0 <= index < len(self.addresses):
            raise IndexError(index)
        return self.addresses[index], {}

    def chunks(self, size: int) -> Iterator[list[RecipientRow]]:
        for start in range(0, len(self.addresses), size):
            yield [(address, {}) for address in self.addresses[start : start + size]]


@dataclass(frozen=True)
class SkippedRow:
    """A sheet row that will not be sent: its number as the spreadsheet shows it, and why."""

    row: int
    address: str
    reason: str


def _remove_folder(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


class ImportedRecipients:
    """Rows read from a file, stored in a temporary SQLite file.

    Fill with ``add_rows`` while reading, then call ``finish`` once: it drops
    repeated addresses (the first row wins) and returns them for the report.
    """

    def __init__(self, description: str, parameters: Sequence[str] = ()) -> None:
        self._description = description
        self._parameters = tuple(parameters)
        # One column per parameter (p0, p1, ...): no per-row JSON to build or parse.
        value_columns = "".join(f", p{i} TEXT NOT NULL" for i in range(len(self._parameters)))
        self._value_names = "".join(f", p{i}" for i in range(len(self._parameters)))
        self._folder = tempfile.mkdtemp(prefix="kootui-recipients-")
        self._closer = weakref.finalize(self, _remove_folder, self._folder)
        # The form reads rows (simulator) from the UI's worker threads: one lock, one query
        # at a time, as sqlite3 connections must not be used by two threads at once.
        self._lock = threading.Lock()
        self._db = sqlite3.connect(Path(self._folder) / "rows.db", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=OFF")  # a scratch file: no crash recovery needed
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE raw (id INTEGER PRIMARY KEY, row_number INTEGER NOT NULL,"
            f" address TEXT NOT NULL, key TEXT NOT NULL{value_columns})"
        )
        self._value_columns = value_columns
        self._count = 0
        self._finished = False

    @property
    def count(self) -> int:
        return self._count

    @property
    def description(self) -> str:
        return self._description

    @property
    def parameters(self) -> tuple[str, ...]:
        return self._parameters

    def add_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Append rows of (sheet row number, address, value of each parameter in order)."""
        marks = ", ?" * len(self._parameters)
        self._db.executemany(
            f"INSERT INTO raw (row_number, address, key{self._value_names})"
            f" VALUES (?, ?, ?{marks})",
            [(row[0], row[1], duplicate_key(row[1]), *row[2:]) for row in rows],
        )

    def finish(self, *, listed: int) -> tuple[int, list[SkippedRow]]:
        """Drop repeated addresses; returns how many, and the first ``listed`` of them.

        One grouped scan (a sort) finds the repeated keys. Most lists repeat
        nothing, and then the table is kept as it is: its ids already run 1..N.
        Otherwise an index is built, the repeats are listed, and the first row of
        each key is copied, renumbered, to a new table (~4x the work).
        """
        if self._finished:
            raise RuntimeError("finish() was already called")
        db = self._db
        duplicate_count = db.execute(
            "SELECT COALESCE(SUM(n - 1), 0) FROM"
            " (SELECT COUNT(*) AS n FROM raw GROUP BY key HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        shown: list[SkippedRow] = []
        if duplicate_count == 0:
            db.execute("ALTER TABLE raw RENAME TO kept")
        else:
            db.execute("CREATE INDEX raw_key ON raw (key, id)")
            repeated = (
                "SELECT r.id, r.row_number, r.address FROM raw r WHERE EXISTS "
                "(SELECT 1 FROM raw f WHERE f.key = r.key AND f.id < r.id)"
            )
            shown = [
                SkippedRow(number, address, "repeats an address already in the list")
                for _id, number, address in db.execute(
                    f"{repeated} ORDER BY r.id LIMIT ?", (listed,)
                )
            ]
            # Renumber what is kept so that row i of the list is the row with id i + 1.
            db.execute(
                "CREATE TABLE kept (id INTEGER PRIMARY KEY, row_number INTEGER NOT NULL,"
                f" address TEXT NOT NULL{self._value_columns})"
            )
            db.execute(
                f"INSERT INTO kept (row_number, address{self._value_names})"
                f" SELECT row_number, address{self._value_names} FROM raw"
                " WHERE id IN (SELECT MIN(id) FROM raw GROUP BY key) ORDER BY id"
            )
            db.execute("DROP TABLE raw")
        db.commit()
        # Ids run 1..N in both cases: the largest is the count, found without a scan.
        self._count = db.execute("SELECT COALESCE(MAX(id), 0) FROM kept").fetchone()[0]
        self._finished = True
        return duplicate_count, shown

    def _fetch(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _require_finished(self) -> None:
        if not self._finished:
            raise RuntimeError("the import has not finished")

    def row(self, index: int) -> RecipientRow:
        self._require_finished()
        rows = self._fetch(
            f"SELECT address{self._value_names} FROM kept WHERE id = ?", (index + 1,)
        )
        if not rows:
            raise IndexError(index)
        found = rows[0]
        return found[0], dict(zip(self._parameters, found[1:], strict=True))

    def sheet_row_number(self, index: int) -> int:
        """The spreadsheet row the ``index``-th recipient came from."""
        self._require_finished()
        rows = self._fetch("SELECT row_number FROM kept WHERE id = ?", (index + 1,))
        if not rows:
            raise IndexError(index)
        return int(rows[0][0])

    def chunks(self, size: int) -> Iterator[list[RecipientRow]]:
        self._require_finished()
        last_id = 0
        while True:
            batch = self._fetch(
                f"SELECT id, address{self._value_names} FROM kept WHERE id > ? ORDER BY id LIMIT ?",
                (last_id, size),
            )
            if not batch:
                return
            last_id = batch[-1][0]
            names = self._parameters
            yield [(row[1], dict(zip(names, row[2:], strict=True))) for row in batch]

    def close(self) -> None:
        """Delete the temporary file; the object is unusable afterwards."""
        with self._lock:
            self._db.close()
        self._closer()

    def __enter__(self) -> ImportedRecipients:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
