"""The queue engine processes form for SQLite's single writer slot.

SQLite lets one writer in at a time, and a writer that finds the database locked
polls with sleeps of up to 100 ms: with two engine processes, half the time went to
sleeping after the lock was already free. Engines therefore queue on ``flock`` of a
file beside the database, which the kernel hands over the moment it is released.
The file lock is always taken before SQLite's and nothing else waits on it, so it
cannot deadlock; SQLite's own locking still guards every other writer.

flock excludes open files, not processes: every turn opens a descriptor of its own,
so two threads of one process exclude each other too. A thread that already holds a
turn (``holding``) is not made to queue behind itself.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from kootui.core.errors import StoreError

if sys.platform == "win32":  # not POSIX: writers fall back on SQLite's busy timeout
    fcntl = None
else:
    import fcntl

NO_LOCK = -1  # the turn handed out when there is no file to lock (PostgreSQL, memory)


class WritersLock:
    def __init__(self, path: str | None) -> None:
        self.path = path if fcntl is not None else None
        self._held = threading.local()

    def take(self, *, wait: bool = True) -> int | None:
        """A turn (a descriptor to give back with ``release``), or None when ``wait`` is
        false and another writer has it."""
        if self.path is None:
            return NO_LOCK
        try:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(
                f"cannot open {self.path}, the file kootui's writers queue on beside the "
                f"database ({exc.strerror}): make the database's folder writable by this "
                "user, or create the file there for it",
                code="store.cannot_open",
            ) from exc
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        except BaseException:
            os.close(descriptor)
            raise
        return descriptor

    def release(self, turn: int) -> None:
        if turn != NO_LOCK:
            os.close(turn)

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Mark this thread as holding a turn taken by the caller."""
        self._held.active = True
        try:
            yield
        finally:
            self._held.active = False

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold a turn for the block, unless this thread holds one already."""
        if getattr(self._held, "active", False):
            yield
            return
        taken = self.take()
        assert taken is not None
        try:
            yield
        finally:
            self.release(taken)
