"""Starting ``kootui worker`` as a real subprocess against a test store and relay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

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


def start_worker(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kootui", "worker", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so a test can kill all of it
    )


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
