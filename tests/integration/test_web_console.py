"""``kootui web`` as a real process: the page over HTTP, and the guard on its WebSocket."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from kootui.core.clock import FixedClock
from kootui.core.config import load_settings
from tests.support.api_server import SERVER_NOW, free_port
from tests.support.prepared_stores import PreparedStores

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
    prepared_stores.open(settings, FixedClock(SERVER_NOW)).close()  # no first migration
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
