"""Running the API: the listen address's rules, then uvicorn (uvloop, httptools).

Loopback is the default. Any other address is refused in clear unless ``behind_proxy``
says a reverse proxy terminates TLS in front (then only ``trusted_proxies`` may set
``X-Forwarded-For``/``-Proto``), or a certificate and key are configured. uvicorn takes
SIGTERM and SIGINT as a graceful stop: it closes the listening socket, lets requests in
flight finish (at most ``GRACEFUL_SECONDS``), then runs the app's shutdown, which
commits whatever the intake still holds.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Mapping

from kootui.core.config import HttpSection, Settings, check_tls_listen, is_loopback
from kootui.core.context import Context
from kootui.core.errors import SettingsError
from kootui.serve.app import build_http_app

__all__ = ["bind_socket", "check_listen", "is_loopback", "serve_http"]

log = logging.getLogger("kootui.serve")
GRACEFUL_SECONDS = 30


def check_listen(http: HttpSection) -> None:
    """Refuse settings that would serve keys and addresses in clear to the network."""
    check_tls_listen(http, "http", "API keys")


def bind_socket(http: HttpSection) -> socket.socket:
    """The listening socket, bound before the engines start (a port in use fails first)."""
    family = socket.AF_INET6 if ":" in http.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((http.host, http.port))
    except OSError as exc:
        sock.close()
        raise SettingsError(
            f"cannot listen on {http.listen}: {exc.strerror}", field="http.listen", code="http.bind"
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve_http(
    context: Context,
    settings: Settings,
    sock: socket.socket,
    stop_requested: Callable[[], bool] = lambda: False,
    smtp_sockets: Mapping[str, socket.socket] | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT (or ``stop_requested()``, for a signal the caller took
    before uvicorn's handlers were in place); returns after the graceful stop."""
    import uvicorn

    class Server(uvicorn.Server):
        async def on_tick(self, counter: int) -> bool:
            return stop_requested() or await super().on_tick(counter)

    http = settings.http
    config = uvicorn.Config(
        build_http_app(context, settings, smtp_sockets=smtp_sockets or {}),
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,  # kootui's own access log leaves secrets and addresses out
        log_config=None,
        server_header=False,
        proxy_headers=http.behind_proxy,
        forwarded_allow_ips=list(http.trusted_proxies) if http.behind_proxy else None,
        ssl_certfile=http.tls_cert or None,
        ssl_keyfile=http.tls_key or None,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        timeout_keep_alive=30,
        backlog=2048,
    )
    scheme = "https" if http.tls_cert else "http"
    log.info("serving the API on %s://%s (docs at /v1/docs)", scheme, http.listen)
    Server(config).run(sockets=[sock])
    log.info("the API stopped")
