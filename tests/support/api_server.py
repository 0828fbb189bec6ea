"""A real ``kootui serve`` API on loopback, in a thread of the test process.

uvicorn runs the app built by ``build_http_app`` on a random port with uvloop and
httptools, as ``kootui serve`` does; the tests talk to it over TCP with httpx. One server
per test module: its store is a copy of the prepared one, seeded once.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from kootui.core.clock import FixedClock
from kootui.core.config import load_settings
from kootui.core.context import Context
from kootui.core.store import open_store
from kootui.serve import build_http_app
from kootui.serve.state import ApiState
from tests.support.prepared_stores import PreparedStores

SERVER_NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


@dataclass
class RunningApi:
    url: str
    context: Context
    state: ApiState
    server: uvicorn.Server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def api_context(home: Path, prepared: PreparedStores, **http: object) -> Iterator[Context]:
    """A context on a copy of the prepared store, with ``[http]`` values for the server."""
    previous = os.environ.get("KOOTUI_HOME")
    os.environ["KOOTUI_HOME"] = str(home)
    try:
        settings = load_settings()
    finally:
        if previous is None:
            del os.environ["KOOTUI_HOME"]
        else:
            os.environ["KOOTUI_HOME"] = previous
    values = {"http__key_cache_seconds": 0, **{f"http__{k}": v for k, v in http.items()}}
    settings = settings.with_values(**values)
    context = prepared.open(settings, FixedClock(SERVER_NOW))
    try:
        yield context
    finally:
        context.close()


@contextmanager
def another_process_context(context: Context, **http: object) -> Iterator[Context]:
    """What another server process on the same store has: its own connections (a Store of
    its own) and its own ``[http]`` values."""
    url = context.store.engine.url.render_as_string(hide_password=False)
    values = {f"http__{name}": value for name, value in http.items()}
    other = Context(
        open_store(url, migrate=False), context.settings.with_values(**values), context.clock
    )
    try:
        yield other
    finally:
        other.close()


def revoke_in_another_process(context: Context, prefix: str) -> None:
    """``kootui apikey revoke`` as a command of its own, on ``context``'s store."""
    env = dict(os.environ)
    env["KOOTUI_HOME"] = str(context.settings.paths.data_dir.parent)
    env["KOOTUI_DATABASE_URL"] = context.store.engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-m", "kootui", "apikey", "revoke", prefix],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


@contextmanager
def running_api(context: Context) -> Iterator[RunningApi]:
    app = build_http_app(context, context.settings)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_config=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="api-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.005)
    try:
        yield RunningApi(f"http://127.0.0.1:{port}", context, app.state.api, server)
    finally:
        server.should_exit = True
        thread.join(10)
