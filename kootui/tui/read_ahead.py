"""The console's first figures, read by a forked process while the console draws.

A console start is one interpreter's work from end to end: Textual and the shell (about
0.45 s to the first frame), then the store's modules (SQLAlchemy, SQLModel, the tables:
0.3 s), the opening (in a new home the migrations too: 0.2 s more) and the Overview's
read, then its paint. The store's half needs no terminal. So where there is a second
core, ``kootui`` forks as it starts (``kootui.__main__``, before anything heavy has
loaded, so the fork copies next to nothing): the child loads the settings, opens the
store, reads the Overview's figures and the workspace's name, sends them pickled over a
pipe and exits, and the console paints them as soon as its first frame is up. It opens
its own store only after the child has ended, so two processes never migrate at once.

The child reads as the owner, so only while sign-in is off: it sends nothing when the
last console found sign-in on (the console then signs in first) or when the store says
it is on. The console does not wait for it in a browser's session. Whatever goes wrong in
the child (bad settings, a locked, damaged or unreachable store, a refused migration)
means no figures: the console opens and reads as without a second core, and reports the
error its usual way.

This module loads nothing heavy: ``kootui.__main__`` imports it before anything else.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kootui.core.config import Settings
    from kootui.tui.opening import EarlyRead

_started: ReadAhead | None = None  # forked as the process started, not yet taken


def spare_cores() -> int:
    """Cores this process may run on besides the one it uses."""
    try:
        return len(os.sched_getaffinity(0)) - 1
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) - 1


def start_read_ahead() -> None:
    """Fork the reader, where it can help (fork, a second core); ``take_read_ahead``
    then hands it to the console."""
    global _started
    if _started is None:
        _started = ReadAhead.start()


def take_read_ahead() -> ReadAhead | None:
    """The reader forked as the process started, to the console (once)."""
    global _started
    taken, _started = _started, None
    return taken


class ReadAhead:
    """The forked reader, from the console's side: ``result`` once, then it has ended."""

    def __init__(self, pid: int, descriptor: int) -> None:
        self.pid = pid
        self._descriptor = descriptor
        self._lock = threading.Lock()
        self._ended = False
        self._reaped = False  # once reaped, its pid may be another process's: never signalled
        self._result: EarlyRead | None = None

    @classmethod
    def start(cls) -> ReadAhead | None:
        if not hasattr(os, "fork") or spare_cores() < 1:
            return None
        reading, writing = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(reading)
            os.close(writing)
            return None
        if pid == 0:  # the child: never returns
            os.close(reading)
            _read_and_send(writing)
        os.close(writing)
        return cls(pid, reading)

    def result(self) -> EarlyRead | None:
        """What the child read, or None; blocks until it has ended (call on a thread)."""
        with self._lock:
            if not self._ended:
                self._result = self._receive()
                self._ended = True
            return self._result

    def end(self) -> None:
        """Not wanted, or the console is closing: a child still at work is stopped (an
        unfinished migration rolls back) and reaped."""
        if not self._reaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
        self.result()

    def _receive(self) -> EarlyRead | None:
        from kootui.tui.opening import EarlyRead

        chunks = []
        try:
            with os.fdopen(self._descriptor, "rb") as incoming:
                while chunk := incoming.read(65536):
                    chunks.append(chunk)
        finally:
            _, status = os.waitpid(self.pid, 0)
            self._reaped = True
        if not chunks or os.waitstatus_to_exitcode(status) != 0:
            return None
        try:
            early = pickle.loads(b"".join(chunks))  # our own child's bytes
        except Exception:  # a child cut short: the console reads for itself
            return None
        return early if isinstance(early, EarlyRead) else None


def _read_and_send(descriptor: int) -> None:
    status = 1
    try:
        # Nothing of the child may reach the console's terminal, not even a traceback.
        quiet = os.open(os.devnull, os.O_RDWR)
        for standard in (0, 1, 2):
            os.dup2(quiet, standard)
        from kootui.core.config import load_settings

        payload = pickle.dumps(read_early(load_settings()))
        with os.fdopen(descriptor, "wb") as outgoing:
            outgoing.write(payload)
        status = 0
    except BaseException:  # no figures: the console reads for itself
        status = 1
    finally:
        os._exit(status)


def read_early(settings: Settings) -> EarlyRead | None:
    """Open the store (migrating it when it is new or older), and read the Overview's
    figures and the workspace's name as the owner; None while sign-in is on."""
    from kootui.tui.ui_state import sign_in_expected

    if sign_in_expected(settings.paths.ui_state_file):
        return None  # the console signs in first: the figures are read for whoever signs in
    from kootui.core.access import iam_enabled
    from kootui.core.bootstrap import open_readable_context
    from kootui.core.workspace import get_workspace
    from kootui.tui.opening import EarlyRead
    from kootui.tui.pages.overview.paint import read_paint

    context = open_readable_context(settings)
    try:
        if iam_enabled(context):
            return None
        return EarlyRead(read_paint(context), get_workspace(context).name)
    finally:
        context.close()
