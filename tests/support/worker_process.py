"""Starting ``kootui worker`` as a real subprocess against a test store and relay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from select import select as readable

from sqlalchemy import func, select

from kootui.core.context import Context
from kootui.core.store import Message


def worker_env(context: Context, port: int, **settings: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "KOOTUI_RELAY_HOST": "127.0.0.1",
            "KOOTUI_RELAY_PORT": str(port),
            "KOOTUI_RELAY_TLS": "none",
            "KOOTUI_RELAY_CONCURRENCY": "4",
            "KOOTUI_RELAY_CONNECT_TIMEOUT": "5",
            "KOOTUI_RELAY_COMMAND_TIMEOUT": "5",
            "KOOTUI_RELAY_DOT_TIMEOUT": "5",
            "PYTHONUNBUFFERED": "1",
        }
    )
    database_url = context.settings.database.url.get_secret_value()
    if database_url:
        env["KOOTUI_DATABASE_URL"] = database_url
    for key, value in settings.items():
        env[f"KOOTUI_{key.replace('__', '_').upper()}"] = value
    return env


STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def start_worker(
    env: dict[str, str], *args: str, hold_stop_signals: bool = False
) -> subprocess.Popen[bytes]:
    """``hold_stop_signals``: start it with SIGTERM and SIGINT blocked (the mask is
    inherited through exec), so a signal sent right after the spawn waits until the worker
    unblocks them, where it starts listening, instead of racing the interpreter's start."""
    if hold_stop_signals:
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "kootui", "worker", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so a test can kill all of it
        )
    finally:
        if hold_stop_signals:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def read_stderr_until(process: subprocess.Popen[bytes], marker: str, timeout: float) -> str:
    """What the worker wrote to stderr up to the first line holding ``marker`` (or all it
    wrote before it ended or ``timeout`` ran out)."""
    assert process.stderr is not None
    descriptor = process.stderr.fileno()
    seen = bytearray()
    deadline = time.monotonic() + timeout
    while marker.encode() not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not readable([descriptor], [], [], left)[0]:
            break
        chunk = os.read(descriptor, 65536)
        if not chunk:
            break
        seen.extend(chunk)
    return seen.decode(errors="replace")


def stop_worker(process: subprocess.Popen[bytes], timeout: float = 30) -> tuple[int, str]:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=timeout)
    return process.returncode, stderr.decode(errors="replace")


def kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate(timeout=10)


def count_status(context: Context, *statuses: str) -> int:
    with context.store.engine.connect() as connection:
        statement = select(func.count()).where(Message.status.in_(statuses))  # type: ignore[attr-defined]
        return int(connection.execute(statement).scalar_one())


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()
