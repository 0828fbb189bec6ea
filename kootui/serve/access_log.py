"""The access log in the Common Log Format, with nothing secret or personal in it.

``host - user [time] "METHOD path HTTP/v" status bytes duration_ms``: the user is the API
key's prefix (``kt_1a2b3c4d``), never its secret; the query string keeps its parameter
names and drops their values (``?recipient=…``), since a filter may hold an address.
A pure ASGI middleware: it costs a few microseconds a request.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kootui.core.printable import printable

log = logging.getLogger("kootui.serve.access")


def redacted_query(query: bytes) -> str:
    if not query:
        return ""
    names = [part.split(b"=", 1)[0].decode("ascii", "replace")[:40] for part in query.split(b"&")]
    return "?" + "&".join(f"{name}=…" for name in names if name)


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        size = 0

        async def sending(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if log.isEnabledFor(logging.INFO):
                self._write(scope, status, size, time.perf_counter() - started)

    @staticmethod
    def _write(scope: Scope, status: int, size: int, took: float) -> None:
        client: Any = scope.get("client") or ("-", 0)
        state = scope.get("state") or {}
        user = state.get("key_prefix", "-")
        path = printable(scope.get("path", ""))[:200] + redacted_query(
            scope.get("query_string", b"")
        )
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
        log.info(
            '%s - %s [%s] "%s %s HTTP/%s" %d %d %.1f',
            client[0],
            user,
            stamp,
            scope.get("method", "-"),
            path,
            scope.get("http_version", "1.1"),
            status,
            size,
            took * 1000,
        )
