"""`kootui web`'s listen address follows the API's rules; its WebSocket only opens from
its own page."""

from __future__ import annotations

from pathlib import Path

import pytest

from kootui.core.config import WebSection
from kootui.core.errors import SettingsError
from kootui.web import check_web_listen, session_command
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
