"""The browser face: textual-serve's server, with kootui's listen rules and guards.

textual-serve starts one console process per WebSocket and relays its terminal. Three
things are added to it here:

- the listen address follows the same rules as the API's (``check_tls_listen``), and
  TLS, when configured, is served by aiohttp itself;
- a WebSocket is accepted only from a page of this server: its ``Host`` must be one this
  server answers to and its ``Origin`` that same host, so another site open in the
  operator's browser (or a DNS name rebound to 127.0.0.1) cannot drive a console;
- each console process learns the browser's address (``--web-peer``), for the audit log;
- the page is kootui's own (``templates/``): it requests nothing from another host, where
  textual-serve's loads a font from fonts.googleapis.com.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import signal
import socket
import ssl
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from kootui.core.config import Settings, WebSection, check_tls_listen, is_loopback
from kootui.core.errors import SettingsError

log = logging.getLogger("kootui.web")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# kootui's page: textual-serve's loads its font from Google; this one only from this server.
TEMPLATES = Path(__file__).resolve().parent / "templates"


def check_web_listen(web_section: WebSection) -> None:
    check_tls_listen(web_section, "web", "passwords and the console")


def public_url(web_section: WebSection) -> str:
    if web_section.public_url:
        return web_section.public_url
    scheme = "https" if web_section.tls_cert else "http"
    host = f"[{web_section.host}]" if ":" in web_section.host else web_section.host
    return f"{scheme}://{host}:{web_section.port}"


def allowed_hosts(web_section: WebSection) -> frozenset[str]:
    """The ``Host`` values a browser may use to reach this server."""
    hosts = {urlsplit(public_url(web_section)).netloc.lower()}
    if is_loopback(web_section.host):
        hosts |= {f"{name}:{web_section.port}" for name in LOOPBACK_NAMES}
    return frozenset(hosts)


def session_command(peer: str) -> str:
    """The shell command textual-serve runs for one browser: a console that signs in first.

    It sends nothing itself (``--no-engine``): ``kootui serve`` or ``kootui worker``
    sends, once, for every browser."""
    return shlex.join(
        [sys.executable, "-m", "kootui", "--no-engine", "--web-session", "--web-peer", peer]
    )


def bind_web_socket(web_section: WebSection) -> socket.socket:
    family = socket.AF_INET6 if ":" in web_section.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((web_section.host, web_section.port))
    except OSError as exc:
        sock.close()
        raise SettingsError(
            f"cannot listen on {web_section.listen}: {exc.strerror}",
            field="web.listen",
            code="web.bind",
        ) from None
    sock.listen(128)
    return sock


class WebServer(Server):
    """textual-serve's ``Server`` for kootui's console (see the module's text)."""

    def __init__(self, settings: Settings) -> None:
        section = settings.web
        super().__init__(
            session_command("-"),
            host=section.host,
            port=section.port,
            title="kootui",
            public_url=public_url(section),
            templates_path=TEMPLATES,
        )
        self.section = section
        self.hosts = allowed_hosts(section)

    def initialize_logging(self) -> None:
        """kootui's command line has set up logging already (one line a record)."""

    async def on_startup(self, app: web.Application) -> None:
        log.info("serving the console on %s (sign-in required)", self.public_url)

    def _page_url(self, request: web.Request) -> str:
        """Where this page was reached: the WebSocket goes back to the same host."""
        host = request.host.lower()
        if host in self.hosts and host != urlsplit(self.public_url).netloc.lower():
            return f"{urlsplit(self.public_url).scheme}://{host}"
        return self.public_url

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        import aiohttp_jinja2

        base = self._page_url(request)
        scheme, _, rest = base.partition(":")
        router = request.app.router
        context: dict[str, Any] = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{'wss' if scheme == 'https' else 'ws'}:{rest}"
            f"{router['websocket'].url_for()}",
            "config": {"static": {"url": f"{base}{router['static'].url_for(filename='/')}"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        return response

    def same_origin(self, request: web.Request) -> bool:
        host = request.host.lower()
        origin = request.headers.get("Origin", "")
        return host in self.hosts and urlsplit(origin).netloc.lower() == host

    def peer_address(self, request: web.Request) -> str:
        # Behind a proxy the connection comes from the proxy; it appends the browser's.
        forwarded = request.headers.get("X-Forwarded-For", "")
        if self.section.behind_proxy and forwarded:
            return forwarded.rsplit(",", 1)[-1].strip()
        return request.remote or "-"

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self.same_origin(request):
            log.warning(
                "refused a console connection from %s: Origin %r is not this server's",
                self.peer_address(request),
                request.headers.get("Origin", ""),
            )
            raise web.HTTPForbidden(text="this console opens only from its own page\n")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        app_service: AppService | None = None
        peer = self.peer_address(request)

        async def close() -> None:
            await websocket.close()

        try:
            await websocket.prepare(request)
            app_service = AppService(
                session_command(peer),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=False,
            )
            log.info("console session opened for %s", peer)
            await app_service.start(width, height)
            try:
                await self._process_messages(websocket, app_service)
            finally:
                await app_service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            log.exception("console session for %s failed", peer)
        finally:
            if app_service is not None:
                await app_service.stop()
            log.info("console session closed for %s", peer)
        return websocket

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGTERM or SIGINT; the open consoles end with the server."""
        check_web_listen(self.section)
        ssl_context: ssl.SSLContext | None = None
        if self.section.tls_cert:
            ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ssl_context.load_cert_chain(self.section.tls_cert, self.section.tls_key)
        sock = bind_web_socket(self.section)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, self.request_exit)
        try:
            web.run_app(
                self._make_app(),
                sock=sock,
                ssl_context=ssl_context,
                handle_signals=False,
                loop=loop,
                print=None,
                access_log=None,
            )
        finally:
            sock.close()
        log.info("the console server stopped")
