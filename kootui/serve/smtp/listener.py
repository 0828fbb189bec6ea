"""The listeners: loopback for local applications, and with a certificate, submission
(STARTTLS required) and implicit TLS. They run on the event loop of ``kootui serve``'s
API and share its ``SubmissionChecker`` and ``Intake``, so an SMTP message and an API
request can share a commit.

AUTH PLAIN and LOGIN are offered only on TLS or on loopback. The password check runs on
a thread; a client address that failed before waits first (``LoginThrottle``). Each
client address may hold ``max_sessions_per_client`` sessions; one more is told ``421``.
Stopping: no new sessions, DATA commands waiting for their commit get their answer, then
every session left is told ``421`` and closed (a message whose final dot had not come
is not stored; its client sends it again).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
import warnings
from collections import Counter
from collections.abc import Callable, Mapping

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from kootui.core.apikeys import LoginRefused, LoginThrottle, authenticate_smtp
from kootui.core.config import Settings, SmtpSection, listen_host_port
from kootui.core.context import Context
from kootui.core.errors import KootuiError, SettingsError
from kootui.core.submissions import Intake, SubmissionChecker
from kootui.serve.smtp.handler import SubmissionHandler, peer_host, reply_text
from kootui.serve.tls import server_tls_context

log = logging.getLogger("kootui.serve.smtp")
STOP_WAIT_SECONDS = 30.0
IDENT = "kootui ESMTP"
TOO_MANY_SESSIONS = b"421 4.7.0 too many sessions from your address; try again later\r\n"
STOPPING = b"421 4.3.2 the server is stopping; send again later\r\n"


def _defer_to_async_check(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
) -> AuthResult:
    # aiosmtpd calls this synchronously on the event loop; the store is read on a thread
    # by KootuiSMTP._checked, which gets the login back through auth_data.
    return AuthResult(success=False, handled=False, auth_data=auth_data)


class _Sessions:
    """Open sessions per client address, and the live ones to close at the stop."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.per_client: Counter[str] = Counter()
        self.live: set[KootuiSMTP] = set()

    def open(self, client: str) -> bool:
        if self.per_client[client] >= self.limit:
            return False
        self.per_client[client] += 1
        return True

    def close(self, client: str) -> None:
        self.per_client[client] -= 1
        if self.per_client[client] <= 0:
            del self.per_client[client]


class KootuiSMTP(SMTP):
    """aiosmtpd's session with kootui's logins and per-client session bound."""

    def __init__(
        self,
        handler: SubmissionHandler,
        *,
        sessions: _Sessions,
        throttle: LoginThrottle,
        **options: object,
    ) -> None:
        with warnings.catch_warnings():
            # Said of implicit TLS and of loopback too, where AUTH without STARTTLS is meant.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            super().__init__(handler, authenticator=_defer_to_async_check, **options)  # type: ignore[arg-type]
        self._context = handler.context
        self._sessions = sessions
        self._throttle = throttle
        self._client: str | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self._client is None and not self._refused
        if first:
            peer = transport.get_extra_info("peername")
            client = str(peer[0]) if isinstance(peer, tuple) and peer else ""
            if not self._sessions.open(client):
                self._refused = True
                if isinstance(transport, asyncio.WriteTransport):
                    transport.write(TOO_MANY_SESSIONS)
                transport.close()
                return
            self._client = client
            self._sessions.live.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self._refused:
            return
        if self._client is not None:
            self._sessions.close(self._client)
            self._sessions.live.discard(self)
            self._client = None
        super().connection_lost(error)

    def eof_received(self) -> bool | None:
        if self._refused:
            return False
        return super().eof_received()

    def stop(self) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            if isinstance(transport, asyncio.WriteTransport):
                transport.write(STOPPING)
            transport.close()

    async def auth_PLAIN(self, _: SMTP, args: list[str]) -> AuthResult:
        return await self._checked(await super().auth_PLAIN(_, args))

    async def auth_LOGIN(self, _: SMTP, args: list[str]) -> AuthResult:
        return await self._checked(await super().auth_LOGIN(_, args))

    async def _checked(self, result: AuthResult) -> AuthResult:
        login = result.auth_data
        if result.success or result.handled or not isinstance(login, LoginPassword):
            return result
        client = peer_host(self.session)
        wait = self._throttle.delay(client, time.monotonic())
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            credential = await asyncio.to_thread(
                authenticate_smtp,
                self._context,
                login.login.decode("utf-8", "replace"),
                login.password.decode("utf-8", "replace"),
            )
        except LoginRefused:
            self._throttle.failed(client, time.monotonic())
            return AuthResult(success=False, handled=False)  # "535 5.7.8"
        except KootuiError as exc:
            await self.push(f"454 4.7.0 {reply_text(exc)}")
            return AuthResult(success=False, handled=True)
        self._throttle.succeeded(client)
        return AuthResult(success=True, auth_data=credential)


def _tls_context(smtp: SmtpSection) -> ssl.SSLContext:
    return server_tls_context(smtp.tls_cert, smtp.tls_key, "smtp")


def check_smtp_listen(smtp: SmtpSection) -> None:
    """The loopback listener has no TLS of its own: refuse it on another address."""
    if bool(smtp.tls_cert) != bool(smtp.tls_key):
        raise SettingsError(
            "set both smtp.tls_cert and smtp.tls_key, or neither",
            field="smtp.tls_key" if smtp.tls_cert else "smtp.tls_cert",
            code="smtp.tls_incomplete",
        )
    if smtp.listen:
        host, _ = listen_host_port(smtp.listen)
        if host != "localhost":
            import ipaddress

            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = False
            if not loopback:
                raise SettingsError(
                    f"{smtp.listen} is not a loopback address; smtp.listen is for local "
                    "applications (no TLS): use smtp.submission_listen with a certificate",
                    field="smtp.listen",
                    code="smtp.clear_text_listen",
                )


def _listen_field(name: str) -> str:
    return "smtp.listen" if name == "loopback" else f"smtp.{name}_listen"


def wanted_listeners(smtp: SmtpSection) -> dict[str, str]:
    """Listener name -> ``host:port`` for every listener these settings turn on."""
    wanted = {"loopback": smtp.listen} if smtp.listen else {}
    if smtp.tls_configured:
        if smtp.submission_listen:
            wanted["submission"] = smtp.submission_listen
        if smtp.tls_listen:
            wanted["tls"] = smtp.tls_listen
    return wanted


def bind_smtp_sockets(smtp: SmtpSection) -> dict[str, socket.socket]:
    """The listening sockets, bound before the engines start (a port in use fails first,
    in one line, like the API's)."""
    check_smtp_listen(smtp)
    bound: dict[str, socket.socket] = {}
    try:
        for name, listen in wanted_listeners(smtp).items():
            host, port = listen_host_port(listen)
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as exc:
                sock.close()
                raise SettingsError(
                    f"cannot listen on {listen}: {exc.strerror}",
                    field=_listen_field(name),
                    code="smtp.bind",
                ) from None
            sock.listen(1024)
            bound[name] = sock
    except BaseException:
        for sock in bound.values():
            sock.close()
        raise
    return bound


class SmtpListeners:
    """Every configured SMTP listener of one ``kootui serve`` process."""

    def __init__(
        self,
        context: Context,
        settings: Settings,
        checker: SubmissionChecker,
        intake: Intake,
        *,
        throttle: LoginThrottle | None = None,
        sockets: Mapping[str, socket.socket] | None = None,
    ) -> None:
        self.settings = settings.smtp
        self.handler = SubmissionHandler(context, settings.smtp, checker, intake)
        self.throttle = throttle or LoginThrottle()
        self._sessions = _Sessions(settings.smtp.max_sessions_per_client)
        self._servers: list[asyncio.Server] = []
        self.ports: dict[str, int] = {}  # listener name -> bound port
        self._bound = dict(sockets or {})  # bound by the caller (kootui serve), else here

    async def start(self) -> None:
        smtp = self.settings
        check_smtp_listen(smtp)
        hostname = smtp.hostname or socket.gethostname()
        tls = _tls_context(smtp) if smtp.tls_configured else None
        common: dict[str, object] = {
            "hostname": hostname,
            "ident": IDENT,
            "data_size_limit": smtp.max_message_bytes,
            "enable_SMTPUTF8": False,  # addresses go out ASCII only: refused honestly
            "timeout": smtp.timeout_seconds,
        }
        try:
            if smtp.listen:
                await self._serve(
                    "loopback",
                    smtp.listen,
                    None,
                    common,
                    tls_context=tls,
                    auth_required=smtp.loopback_auth == "required",
                    auth_require_tls=False,
                )
            if tls is not None and smtp.submission_listen:
                await self._serve(
                    "submission",
                    smtp.submission_listen,
                    None,
                    common,
                    tls_context=tls,
                    require_starttls=True,
                    auth_required=True,
                    auth_require_tls=True,
                )
            if tls is not None and smtp.tls_listen:
                await self._serve(
                    "tls",
                    smtp.tls_listen,
                    tls,
                    common,
                    auth_required=True,
                    auth_require_tls=False,  # the whole connection is TLS
                )
        except BaseException:
            await self.close()
            raise

    async def _serve(
        self,
        name: str,
        listen: str,
        wrap: ssl.SSLContext | None,
        common: dict[str, object],
        **options: object,
    ) -> None:
        host, port = listen_host_port(listen)
        loop = asyncio.get_running_loop()
        factory: Callable[[], KootuiSMTP] = lambda: KootuiSMTP(  # noqa: E731
            self.handler,
            sessions=self._sessions,
            throttle=self.throttle,
            loop=loop,
            **common,
            **options,
        )
        sock = self._bound.pop(name, None)
        try:
            if sock is not None:
                server = await loop.create_server(factory, sock=sock, ssl=wrap, backlog=1024)
            else:
                server = await loop.create_server(factory, host, port, ssl=wrap, backlog=1024)
        except OSError as exc:
            raise SettingsError(
                f"cannot listen on {listen}: {exc.strerror}",
                field=_listen_field(name),
                code="smtp.bind",
            ) from None
        self._servers.append(server)
        bound = server.sockets[0].getsockname()[1] if server.sockets else port
        self.ports[name] = int(bound)
        log.info("SMTP %s listener on %s:%d", name, host, bound)

    async def close(self, wait: float = STOP_WAIT_SECONDS) -> None:
        """Stop accepting, let DATA commands in flight get their commit, close the rest."""
        for server in self._servers:
            server.close()
        try:
            await asyncio.wait_for(self.handler.idle.wait(), wait)
        except TimeoutError:
            log.warning("SMTP: %d message(s) still waiting at the stop", self.handler.in_flight)
        for session in list(self._sessions.live):
            session.stop()
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
