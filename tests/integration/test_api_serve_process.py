"""``kootui serve`` as a real process, stopped with SIGTERM while requests pour in: every
``202`` it gave is a stored message, and nothing else is."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from kootui.client import AsyncKootuiClient
from kootui.core.apikeys import create_api_key
from kootui.core.bootstrap import open_context
from kootui.core.clock import SystemClock
from kootui.core.config import Settings
from kootui.core.store import Message
from tests.support.api_server import free_port
from tests.support.task_seed import seed_sources

pytestmark = pytest.mark.slow


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "kootui serve ended before listening"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("kootui serve did not listen")


async def test_sigterm_mid_load_keeps_exactly_the_accepted_messages(
    settings: Settings, home: Path
) -> None:
    context = open_context(settings, clock=SystemClock())
    ids = seed_sources(context)
    secret = create_api_key(context, "load").secret
    port = free_port()
    env = dict(
        os.environ,
        KOOTUI_HOME=str(home),
        KOOTUI_HTTP_LISTEN=f"127.0.0.1:{port}",
        KOOTUI_SMTP_LISTEN="",  # serve's loopback SMTP listener would take 2525
        KOOTUI_SENDING_TRACKING_HOST="track.example.net",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "kootui", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(port, server)
        accepted: set[int] = set()
        refused = 0
        stop_at = time.monotonic() + 1.0
        signalled = False

        async with AsyncKootuiClient(f"http://127.0.0.1:{port}", secret, timeout=30) as client:

            async def sender(worker: int) -> None:
                nonlocal refused
                n = 0
                while True:
                    n += 1
                    try:
                        done = await client.send_message(
                            sender="news@mail.example.com",
                            to=[f"w{worker}-{n}@example.org"],
                            template_id=ids["plain"],
                        )
                    except Exception:  # refused, reset or closed: not accepted
                        refused += 1
                        if signalled:
                            return
                        continue
                    accepted.update(done.message_ids)

            async def stopper() -> None:
                nonlocal signalled
                while time.monotonic() < stop_at or not accepted:
                    await asyncio.sleep(0.05)
                server.send_signal(signal.SIGTERM)
                signalled = True

            await asyncio.wait_for(
                asyncio.gather(stopper(), *(sender(i) for i in range(16))), timeout=90
            )
        _stdout, stderr = server.communicate(timeout=90)
        assert server.returncode == 0, stderr.decode(errors="replace")[-2000:]
    finally:
        if server.poll() is None:
            server.kill()
    with context.store.session() as session:
        stored = set(session.exec(select(Message.id).where(Message.send_method == "api")).scalars())
    context.close()
    assert accepted, "no request was accepted before the stop"
    assert stored == accepted
