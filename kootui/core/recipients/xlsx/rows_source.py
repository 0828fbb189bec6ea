"""Where an import's sheet rows come from: this process, or a child process on the other core.

Reading the sheet (unzip, parse, build cells) is about half an import's CPU;
checking addresses and storing rows is the other half (2,000,000 rows: ~18-24
CPU s against ~20-26). When a core is idle, a large file is therefore read by
a child process that sends batches of rows through a pipe while this process
checks and stores the previous ones, so the wall time is the slower half, not
the sum. Small files are read here, where the child's start-up (~0.5 s to
import the reader) would cost more than it saves; so is every file when the
cores are contended (``spare_core``): on the saturated bench machine the two
processes mostly took turns, each waiting to be scheduled, and lost to one.

What stays exactly as before: the child reads the file with the same reader,
after ``check_workbook_file`` has checked the zip, and parses every XML part
with ``safe_expat_parser``; its errors come back as the same ValidationErrors
with the same codes and messages; memory stays bounded, as the pipe holds at
most ``PIPE_BYTES`` (~8 batches) and the child blocks when it is full; a
cancel, an error or a closed import kills the child and waits for it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from xml.parsers import expat

from kootui.core.errors import KootuiError, ValidationError

try:
    import fcntl
except ImportError:  # not on Windows; the pipe then keeps its default size
    fcntl = None  # type: ignore[assignment]
from kootui.core.recipients.xlsx.safety import FIELD, EntityRefused
from kootui.core.recipients.xlsx.sheet import (
    Cell,
    SheetRows,
    read_date_styles,
    read_layout,
    read_shared_strings,
)

BATCH_ROWS = 2000
# The pipe holds this much: the reader can run ~8 batches ahead, so neither process waits
# for the other to be scheduled after every batch (on a busy machine that wait cost more
# than the second core gave). Bounded: the reader blocks when the pipe is full.
PIPE_BYTES = 1024 * 1024
PRESSURE_FILE = "/proc/pressure/cpu"
MAX_CPU_PRESSURE = 50.0  # %: above it the two processes would mostly take turns
CHILD_EXIT_SECONDS = 10  # after its last answer the child only closes files and exits
PROCESS_FROM_BYTES = 2 * 1024 * 1024  # ~100,000 rows: a file this large is read in a child
# What a broken zip or XML part raises while it is read; each becomes "corrupt".
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    expat.ExpatError,
    KeyError,
    IndexError,
    ValueError,
    EOFError,
    OSError,
)

Row = tuple[int, list[Cell]]


class ReaderProcessFailed(KootuiError):
    """The child process reading the sheet ended without an answer (killed, out of memory)."""

    code = "xlsx.reader_failed"
    http_status = 500


class RowsSource(Protocol):
    """What the import loop reads: rows in order, and the row count the sheet declares."""

    last_row_declared: int | None

    def rows(self) -> Iterator[Row]: ...


def open_first_sheet(archive: zipfile.ZipFile) -> SheetRows:
    layout = read_layout(archive)
    if layout.first_sheet is None:
        raise ValidationError("the workbook has no worksheet", field=FIELD, code="xlsx.empty")
    strings = read_shared_strings(archive, layout.shared_strings)
    date_styles, duration_styles = read_date_styles(archive, layout.styles)
    return SheetRows(
        archive, layout.first_sheet, strings, date_styles, duration_styles, layout.epoch
    )


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is anywhere in the chain (a handler's error may arrive wrapped)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def read_error(exc: BaseException) -> ValidationError:
    """The error the user sees for one of READ_ERRORS: an entity bomb, or a corrupt file."""
    if _caused_by(exc, EntityRefused):
        return ValidationError(
            "the workbook declares XML entities (an entity bomb?); the file was not read",
            field=FIELD,
            code="xlsx.entity_bomb",
        )
    if isinstance(exc, expat.ExpatError):
        # What is wrong, without expat's "line 1, column N": plain rows are read without
        # expat, so its count of the bytes it saw is not a place in the file.
        detail = expat.ErrorString(exc.code) or str(exc)
    else:
        detail = " ".join(str(exc).split())[:200]  # one line, whatever the reader said
    return ValidationError(
        f"the workbook is corrupt and could not be read ({detail})",
        field=FIELD,
        code="xlsx.corrupt",
    )


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # Linux: the cores this process may use
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def cpu_pressure() -> float | None:
    """Linux's CPU pressure: the share of the last 10 s (%) in which a task waited for a core."""
    try:
        with open(PRESSURE_FILE) as pressure:
            first = pressure.readline().split()  # "some avg10=5.41 avg60=... total=..."
        return float(first[1].partition("=")[2]) if first[:1] == ["some"] else None
    except (OSError, IndexError, ValueError):
        return None


def spare_core() -> bool:
    """Whether a second core is free enough to read on.

    Measured on the bench machine with 2,000,000 rows: at a CPU pressure of 5-15%
    two processes took 28.4 s against one's 35.6 s; at 80-87% two took 72-103 s against
    one's 57-73 s. The pressure says how contended the cores are; the load average,
    the fallback, also counts tasks waiting for disks (it read ~2 in the quiet case).
    """
    cores = _cores()
    if cores < 2:
        return False
    pressure = cpu_pressure()
    if pressure is not None:
        return pressure < MAX_CPU_PRESSURE
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average here: assume the core is free
        return True
    return load <= cores - 1


def use_child_process(path: Path) -> bool:
    """A file large enough to pay for the child's start-up, and a spare core to read it on."""
    return path.stat().st_size >= PROCESS_FROM_BYTES and spare_core()


def start_child_reader(path: Path) -> ChildProcessRows | None:
    """A reader process for ``path`` when it is worth one and one can start; else None."""
    if not use_child_process(path):
        return None
    try:
        return ChildProcessRows(path)
    except OSError:  # no interpreter to start (an embedded Python): read in this process
        return None


def _read_in_child(path: str, channel: BinaryIO) -> None:
    """The child: send ("rows", batch, declared last row)..., then ("done",) or ("failed", ...)."""

    def send(message: tuple[Any, ...]) -> None:
        pickle.dump(message, channel, protocol=pickle.HIGHEST_PROTOCOL)
        channel.flush()

    try:
        try:
            with zipfile.ZipFile(path) as archive:
                sheet = open_first_sheet(archive)
                batch: list[Row] = []
                for row in sheet.rows():
                    batch.append(row)
                    if len(batch) >= BATCH_ROWS:
                        send(("rows", batch, sheet.last_row_declared))
                        batch = []
                send(("rows", batch, sheet.last_row_declared))
        except READ_ERRORS as exc:
            raise read_error(exc) from exc
        send(("done",))
    except KootuiError as exc:
        send(("failed", exc.message, exc.code, exc.field))
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the importing process went away or cancelled: nobody to tell
    except BaseException as exc:  # anything else is told to the parent, never to a terminal
        send(("crashed", f"{type(exc).__name__}: {exc}"[:300]))


class ChildProcessRows:
    """Rows read by a child process; ``close`` (always call it) stops and reaps the child.

    The child is ``python -m`` this module, not a multiprocessing spawn: spawn
    re-imports the parent's ``__main__``, which a script without a main guard
    turns into a second import run. Batches come back pickled on the child's
    stdout; only this module's own child writes there.
    """

    def __init__(self, path: Path) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a console owns the terminal: nothing may print on it
            bufsize=PIPE_BYTES,
        )
        _widen_pipe(self._process.stdout)
        self.last_row_declared: int | None = None
        self._answered = False  # "done" or "failed" came: the child is ending by itself

    @property
    def pid(self) -> int:
        return self._process.pid

    def rows(self) -> Iterator[Row]:
        assert self._process.stdout is not None
        channel = self._process.stdout
        while True:
            try:
                message = pickle.load(channel)  # our own child's output, nothing else's
            except (EOFError, pickle.UnpicklingError):
                code = self._process.wait()
                raise ReaderProcessFailed(
                    "the process reading the workbook stopped without an answer "
                    f"(exit code {code}); try again, or a smaller file"
                ) from None
            if message[0] == "rows":
                self.last_row_declared = message[2]
                yield from message[1]
            elif message[0] == "done":
                self._answered = True
                return
            elif message[0] == "failed":
                self._answered = True
                _kind, text, code, field = message
                raise ValidationError(text, code=code, field=field)
            else:
                raise ReaderProcessFailed(f"the process reading the workbook failed ({message[1]})")

    def close(self) -> None:
        """Let a child that answered exit by itself; kill one that is still reading."""
        if self._answered:
            try:
                self._process.wait(timeout=CHILD_EXIT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
        elif self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def _widen_pipe(pipe: Any) -> None:
    """Ask Linux for a PIPE_BYTES pipe (64 KB by default); elsewhere, or if refused, keep it."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if pipe is not None and set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), set_size, PIPE_BYTES)


def _child_main(path: str) -> None:
    # The channel is a copy of stdout; stdout itself then points nowhere, so a stray
    # print in any library can never corrupt the stream of pickles.
    channel = os.fdopen(os.dup(1), "wb", buffering=PIPE_BYTES)
    with open(os.devnull, "wb") as nowhere:
        os.dup2(nowhere.fileno(), 1)
    with channel:
        _read_in_child(path, channel)


if __name__ == "__main__":
    _child_main(sys.argv[1])
