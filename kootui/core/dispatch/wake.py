"""Waking idle engines when messages become due, instead of leaving them to their poll.

An idle engine looks for due messages every ``poll_interval`` (0.5 s), so a message
accepted just after a look waited up to that long before its claim: most of the API's
accept-to-delivery time at moderate load. Whoever commits messages that are due now (the
intake's group commit, task creation) therefore calls ``wake_engines``:

- engines of this process hear it at once, through their own event loop;
- engines of other processes on this machine hear a one-byte datagram on the Linux
  abstract Unix socket each of them binds. The sockets are listed as empty files in
  ``<state>/wake/<store>/`` (``<store>``: a hash of the store's URL, so only engines of the
  same store are rung). An abstract socket dies with its process: a ring refused by a dead
  one removes its file.

A ring is only a hint. A lost one costs the poll, a spurious one an empty claim; engines
on other machines, or where abstract sockets do not exist, keep polling as before.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kootui.core.config import Settings
from kootui.core.store import Store

log = logging.getLogger("kootui.dispatch")
_NAME_PREFIX = "kootui-wake-"
_LIST_EVERY = 1.0  # seconds a ringer trusts its listing of the folder (new engines poll)
_RING = b"!"


def doorbell_folder(store: Store, settings: Settings) -> Path:
    """The registry of the doorbells of engines sending from ``store``. Takes the store,
    not a context: ringing is a hint about committed rows, no principal's action."""
    url = store.engine.url.render_as_string(hide_password=True)
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return settings.paths.state_dir / "wake" / digest


class _LocalDoorbells:
    """The doorbells opened in this process, by folder: rung without a datagram."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_folder: dict[Path, dict[str, Callable[[], None]]] = {}

    def add(self, folder: Path, name: str, ring: Callable[[], None]) -> None:
        with self._lock:
            self._by_folder.setdefault(folder, {})[name] = ring

    def remove(self, folder: Path, name: str) -> None:
        with self._lock:
            found = self._by_folder.get(folder)
            if found is not None:
                found.pop(name, None)
                if not found:
                    del self._by_folder[folder]

    def of(self, folder: Path) -> dict[str, Callable[[], None]]:
        with self._lock:
            return dict(self._by_folder.get(folder, {}))


_local = _LocalDoorbells()


class Doorbell:
    """An engine's doorbell: ``on_ring`` runs on the engine's loop when someone rings."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = f"{_NAME_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
        self._socket: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def open(self, loop: asyncio.AbstractEventLoop, on_ring: Callable[[], None]) -> None:
        """Listen on ``loop``. Where no doorbell can be made, the engine only polls."""
        self._loop = loop

        def ring_here() -> None:
            try:
                loop.call_soon_threadsafe(on_ring)
            except RuntimeError:
                pass  # the engine's loop has closed

        _local.add(self.folder, self.name, ring_here)
        try:
            self.folder.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            for folder in (self.folder.parent, self.folder):  # private, as the state folder
                folder.mkdir(mode=0o700, exist_ok=True)
            listening = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        except OSError as exc:
            log.info("engines of other processes cannot wake this one (%s); it polls", exc)
            return
        try:
            listening.bind("\0" + self.name)
            listening.setblocking(False)
            (self.folder / self.name).touch(mode=0o600)
        except OSError as exc:  # not Linux (no abstract sockets), or a read-only folder
            listening.close()
            log.info("engines of other processes cannot wake this one (%s); it polls", exc)
            return
        self._socket = listening

        def heard() -> None:
            while True:
                try:
                    listening.recv(64)
                except OSError:  # drained (BlockingIOError) or closed
                    break
            on_ring()

        loop.add_reader(listening.fileno(), heard)

    def close(self) -> None:
        _local.remove(self.folder, self.name)
        if self._socket is None:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._socket.fileno())
        self._socket.close()
        self._socket = None
        (self.folder / self.name).unlink(missing_ok=True)


class _Ringer:
    """Rings every doorbell of one folder; its listing is re-read at most once a second."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._names: list[str] = []
        self._listed_at = -_LIST_EVERY
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None

    def ring(self) -> int:
        """Ring every engine of the store; how many doorbells were rung."""
        local = _local.of(self.folder)
        for ring_here in local.values():
            ring_here()
        others = [name for name in self._listing() if name not in local]
        if not others:
            return len(local)
        sender = self._sender()
        if sender is None:
            return len(local)
        rung = 0
        for name in others:
            try:
                sender.sendto(_RING, "\0" + name)
                rung += 1
            except BlockingIOError:
                rung += 1  # its queue is full of rings it has not read yet: it will wake
            except OSError as exc:
                if exc.errno in (errno.ECONNREFUSED, errno.ENOENT):
                    (self.folder / name).unlink(missing_ok=True)  # its engine has ended
                    with self._lock:
                        self._names = [known for known in self._names if known != name]
        return len(local) + rung

    def _listing(self) -> list[str]:
        now = time.monotonic()
        with self._lock:
            if now - self._listed_at < _LIST_EVERY:
                return self._names
            self._listed_at = now
            try:
                self._names = [
                    entry.name
                    for entry in os.scandir(self.folder)
                    if entry.name.startswith(_NAME_PREFIX)
                ]
            except OSError:
                self._names = []
            return self._names

    def _sender(self) -> socket.socket | None:
        with self._lock:
            if self._socket is None:
                try:
                    made = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                except OSError:
                    return None
                made.setblocking(False)
                self._socket = made
            return self._socket


_ringers: dict[Path, _Ringer] = {}
_ringers_lock = threading.Lock()


def wake_engines(store: Store, settings: Settings) -> int:
    """Tell the engines sending from ``store`` that messages are due now.

    Cheap (no store access, one datagram per engine of another process); how many
    engines were rung."""
    folder = doorbell_folder(store, settings)
    with _ringers_lock:
        ringer = _ringers.get(folder)
        if ringer is None:
            ringer = _ringers[folder] = _Ringer(folder)
    return ringer.ring()
