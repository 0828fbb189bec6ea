"""`kootui web`'s listen address follows the API's rules; its WebSocket only opens from
its own page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp import web

from kootui.core.config import Settings, WebSection
from kootui.core.errors import SettingsError
from kootui.web import WebServer, check_web_listen, session_command
from kootui.web.server import allowed_hosts, public_url


def test_loopback_is_the_default_and_serves_in_clear() -> None:
    section = WebSection()
    assert section.listen == "127.0.0.1:8026"
    check_web_listen(section)
    assert public_url(section) == "http://127.0.0.1:8026"


def test_another_address_in_clear_is_refused_naming_the_web_keys() -> None:
    with pytest.raises(SettingsError) as refused:
        check_web_listen(WebSection(listen="0.0.0.0:8026"))
    assert refused.value.code == "web.clear_text_listen"
    assert refused.value.field == "web.listen"
    assert "web.tls_cert" in str(refused.value) and "web.behind_proxy" in str(refused.value)


def test_a_proxy_or_tls_lets_another_address_listen(tmp_path: Path) -> None:
    check_web_listen(WebSection(listen="0.0.0.0:8026", behind_proxy=True))
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("x")
    key.write_text("x")
    section = WebSection(listen="192.0.2.7:443", tls_cert=str(cert), tls_key=str(key))
    check_web_listen(section)
    assert public_url(section) == "https://192.0.2.7:443"


def test_half_a_tls_configuration_is_refused() -> None:
    with pytest.raises(SettingsError) as refused:
        check_web_listen(WebSection(tls_cert="/etc/cert.pem"))
    assert refused.value.code == "web.tls_incomplete"
    assert refused.value.field == "web.tls_key"


@pytest.mark.parametrize("value", ["ftp://console.example.com", "console.example.com", "https://"])
def test_public_url_must_be_a_web_address(value: str) -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        WebSection(public_url=value)


def test_hosts_a_browser_may_use() -> None:
    assert allowed_hosts(WebSection(listen="127.0.0.1:9000")) == {
        "127.0.0.1:9000",
        "localhost:9000",
        "[::1]:9000",
    }
    proxied = WebSection(
        listen="10.0.0.5:8026", behind_proxy=True, public_url="https://console.example.com/"
    )
    assert allowed_hosts(proxied) == {"console.example.com"}


def test_each_browser_console_signs_in_sends_nothing_and_knows_its_peer() -> None:
    command = session_command("192.0.2.1; rm -rf /")
    assert "--web-session" in command and "--no-engine" in command
    assert "'192.0.2.1; rm -rf /'" in command  # quoted for the shell textual-serve runs


def _request(headers: dict[str, str], remote: str = "127.0.0.1") -> web.Request:
    from aiohttp.test_utils import make_mocked_request

    return make_mocked_request("GET", "/ws", headers=headers).clone(remote=remote)


def test_a_websocket_opens_only_from_a_page_of_this_server(settings: Settings) -> None:
    server = WebServer(settings.with_values(web__listen="127.0.0.1:9000"))
    own = {"Host": "localhost:9000", "Origin": "http://localhost:9000"}
    assert server.same_origin(_request(own))
    assert not server.same_origin(_request({**own, "Origin": "http://evil.example"}))
    assert not server.same_origin(_request({"Host": "localhost:9000"}))  # no Origin
    rebound = {"Host": "evil.example:9000", "Origin": "http://evil.example:9000"}
    assert not server.same_origin(_request(rebound))


def test_the_browsers_address_comes_from_the_proxy_only_behind_one(settings: Settings) -> None:
    forwarded = {"Host": "console.example.com", "X-Forwarded-For": "203.0.113.9, 192.0.2.4"}
    direct = WebServer(settings)
    assert direct.peer_address(_request(forwarded, remote="10.0.0.2")) == "10.0.0.2"
    proxied = WebServer(
        settings.with_values(
            web__listen="10.0.0.5:8026",
            web__behind_proxy=True,
            web__public_url="https://console.example.com",
        )
    )
    assert proxied.peer_address(_request(forwarded, remote="10.0.0.2")) == "192.0.2.4"


async def test_the_page_requests_nothing_from_another_host(settings: Settings) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    server = WebServer(settings.with_values(web__listen="127.0.0.1:9000"))
    async with TestClient(TestServer(await server._make_app())) as client:
        response = await client.get("/", headers={"Host": "localhost:9000"})
        assert response.status == 200
        page = await response.text()
        fonts = await client.get("/static/fonts/RobotoMono-VariableFont_wght.ttf")
        assert fonts.status == 200  # the font the page names is served here
    # Every address the page loads (src, href, url(...)), minus the SVG's namespace.
    loaded = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)|url\(\s*["']?([^"')]+)""", page)
    addresses = [address for pair in loaded for address in pair if address]
    assert any("fonts/RobotoMono" in address for address in addresses)
    outside = [
        address
        for address in addresses
        if urlsplit(address).netloc not in ("", "localhost:9000", "127.0.0.1:9000")
    ]
    assert not outside
    assert "googleapis" not in page and "gstatic" not in page
