"""``kootui serve``'s HTTP server as configured by ``[http]``: HTTPS with the configured
certificate and key (a real client verifying it), and ``behind_proxy``, where only the
trusted proxies' ``X-Forwarded-For`` names the client."""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from kootui.core.context import Context
from kootui.serve import bind_socket, serve_http
from tests.support.api_server import api_context, free_port
from tests.support.prepared_stores import PreparedStores
from tests.support.tls_certs import make_tls_contexts

FORWARDED = {"X-Forwarded-For": "198.51.100.4, 203.0.113.9"}


@contextmanager
def served(context: Context) -> Iterator[str]:
    """``serve_http`` on the context's ``http.listen``, in a thread, as ``kootui serve``
    runs it (uvicorn's settings from ``[http]``); yields the address."""
    sock = bind_socket(context.settings.http)
    stop = threading.Event()
    thread = threading.Thread(
        target=serve_http, args=(context, context.settings, sock, stop.is_set), daemon=True
    )
    thread.start()
    try:
        yield context.settings.http.listen
    finally:
        stop.set()
        thread.join(30)
        sock.close()


@contextmanager
def server(tmp_path: Path, prepared: PreparedStores, **http: object) -> Iterator[str]:
    listen = f"127.0.0.1:{free_port()}"
    with api_context(tmp_path / "home", prepared, listen=listen, **http) as context:
        with served(context) as address:
            yield address


def test_https_serves_the_configured_certificate_to_a_verifying_client(
    tmp_path: Path, prepared_stores: PreparedStores
) -> None:
    _, trusting = make_tls_contexts(tmp_path)
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    with server(tmp_path, prepared_stores, tls_cert=str(cert), tls_key=str(key)) as address:
        with httpx.Client(verify=trusting) as client:
            answer = client.get(f"https://{address}/v1/health")
        assert answer.status_code == 200 and answer.json() == {"status": "ok"}
        with pytest.raises(httpx.ConnectError) as untrusted:
            httpx.get(f"https://{address}/v1/health", verify=ssl.create_default_context())
        assert "CERTIFICATE_VERIFY_FAILED" in str(untrusted.value)
        with pytest.raises(httpx.HTTPError):  # no clear text on the TLS port
            httpx.get(f"http://{address}/v1/health")


def _client_logged(caplog: pytest.LogCaptureFixture, address: str) -> str:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="kootui.serve.access"):
        assert httpx.get(f"http://{address}/v1/health", headers=FORWARDED).status_code == 200
        # The server's thread logs the line once the answer is sent: it may come after it.
        deadline = time.monotonic() + 10
        while not (lines := _access_lines(caplog)) and time.monotonic() < deadline:
            time.sleep(0.01)
    [line] = lines
    return line.split(" ", 1)[0]


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "kootui.serve.access"]


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_client(
    tmp_path: Path, prepared_stores: PreparedStores, caplog: pytest.LogCaptureFixture
) -> None:
    trusted = ["127.0.0.1"]
    with server(tmp_path, prepared_stores, behind_proxy=True, trusted_proxies=trusted) as address:
        # The nearest address the proxy did not add itself (the rightmost untrusted one).
        assert _client_logged(caplog, address) == "203.0.113.9"


def test_forwarded_headers_from_anyone_else_are_ignored(
    tmp_path: Path, prepared_stores: PreparedStores, caplog: pytest.LogCaptureFixture
) -> None:
    elsewhere = ["10.0.0.1"]
    with server(tmp_path, prepared_stores, behind_proxy=True, trusted_proxies=elsewhere) as at:
        assert _client_logged(caplog, at) == "127.0.0.1"
    with server(tmp_path / "direct", prepared_stores) as address:  # not behind_proxy at all
        assert _client_logged(caplog, address) == "127.0.0.1"
