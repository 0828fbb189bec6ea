"""``kootui web`` as a real process: it needs sign-in on, serves the page over HTTP,
guards its WebSocket, and a browser's WebSocket gets a console that asks to sign in."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kootui.core.access import enable_iam
from kootui.core.clock import FixedClock
from kootui.core.config import load_settings
from tests.support.api_server import SERVER_NOW, free_port
from tests.support.prepared_stores import PreparedStores

pytestmark = pytest.mark.slow  # processes: kootui web and the console it starts per browser

WEBSOCKET_UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


@dataclass
class RunningWeb:
    url: str
    process: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def web_console(
    tmp_path_factory: pytest.TempPathFactory, prepared_stores: PreparedStores
) -> Iterator[RunningWeb]:
    """One server for the module: starting it (and each console it runs) takes a second."""
    home = tmp_path_factory.mktemp("web") / "kootui-home"
    with pytest.MonkeyPatch.context() as env_patch:
        env_patch.setenv("KOOTUI_HOME", str(home))
        settings = load_settings()
    context = prepared_stores.open(settings, FixedClock(SERVER_NOW))  # no first migration
    enable_iam(context, "admin", "admin-password-1")
    context.close()
    port = free_port()
    env = dict(os.environ, KOOTUI_HOME=str(home), KOOTUI_WEB_LISTEN=f"127.0.0.1:{port}")
    process = subprocess.Popen(
        [sys.executable, "-m", "kootui", "web"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "kootui web did not listen"
                time.sleep(0.05)
        yield RunningWeb(url, process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_page_points_its_websocket_back_at_the_host_it_was_reached_by(
    web_console: RunningWeb,
) -> None:
    page = httpx.get(web_console.url)
    assert page.status_code == 200
    assert "<div>kootui</div>" in page.text
    assert f'data-session-websocket-url="ws://{web_console.url[7:]}/ws"' in page.text
    port = web_console.url.rsplit(":", 1)[1]
    by_name = httpx.get(web_console.url, headers={"Host": f"localhost:{port}"})
    assert f'data-session-websocket-url="ws://localhost:{port}/ws"' in by_name.text


def test_another_site_cannot_open_a_console(web_console: RunningWeb) -> None:
    port = web_console.url.rsplit(":", 1)[1]
    for origin, host in (
        ("http://attacker.example", f"127.0.0.1:{port}"),
        # DNS rebinding: the attacker's name resolved to 127.0.0.1, Origin and Host agree.
        (f"http://attacker.example:{port}", f"attacker.example:{port}"),
        ("", f"127.0.0.1:{port}"),
    ):
        headers = {**WEBSOCKET_UPGRADE, "Host": host}
        if origin:
            headers["Origin"] = origin
        refused = httpx.get(f"{web_console.url}/ws", headers=headers)
        assert refused.status_code == 403, (origin, host)


async def test_a_browser_gets_a_console_that_asks_to_sign_in(web_console: RunningWeb) -> None:
    """What textual-serve's page does: open the WebSocket and read the terminal's bytes
    (the console's own process, started for this browser) until the sign-in form shows."""
    import aiohttp

    seen = b""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            f"{web_console.url}/ws?width=100&height=30", headers={"Origin": web_console.url}
        ) as websocket,
    ):
        deadline = time.monotonic() + 60
        while b"Sign in" not in seen or b"Password" not in seen:
            assert time.monotonic() < deadline, seen[-500:]
            message = await websocket.receive(timeout=60)
            assert message.type == aiohttp.WSMsgType.BINARY, message
            seen += message.data
    assert b"kootui" in seen


def test_kootui_web_refuses_to_serve_with_sign_in_off(
    tmp_path: Path, prepared_stores: PreparedStores
) -> None:
    home = tmp_path / "kootui-home"
    with pytest.MonkeyPatch.context() as env_patch:
        env_patch.setenv("KOOTUI_HOME", str(home))
        settings = load_settings()
    prepared_stores.open(settings, FixedClock(SERVER_NOW)).close()
    env = dict(os.environ, KOOTUI_HOME=str(home), KOOTUI_WEB_LISTEN=f"127.0.0.1:{free_port()}")
    done = subprocess.run(
        [sys.executable, "-m", "kootui", "web"], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 1
    assert b"kootui web needs sign-in" in done.stderr and b"kootui iam enable" in done.stderr
