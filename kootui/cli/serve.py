"""``kootui serve``: the API server, the SMTP submission listeners ([smtp]) and, unless
``--no-engine``, the dispatch engines.

One systemd unit runs one server: the HTTP API in this process (one core) and the
engines in their own processes (``--processes``, default ``sending.processes`` or 1,
the other core). SIGTERM or SIGINT stops it in order: the server stops accepting and
finishes the requests in flight (every accepted message is committed before its
``202``), then the engines get their usual stop (messages in flight finish and are
recorded), then the process exits 0.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket

from kootui.cli.worker import StopRequest, _child, _start_engines, configure_logging, log
from kootui.core.bootstrap import open_context
from kootui.core.config import Settings, max_processes
from kootui.core.dispatch import check_relay_config, relay_config
from kootui.core.errors import SettingsError


def run_serve(settings: Settings, *, engine: bool = True, processes: int = 0) -> int:
    from kootui.serve import bind_socket, check_listen, serve_http
    from kootui.serve.mx import check_mx
    from kootui.serve.smtp import bind_smtp_sockets, check_smtp_listen

    stop_request = StopRequest()
    stop_request.listen()
    try:
        configure_logging()
        check_listen(settings.http)
        check_smtp_listen(settings.smtp)
        if settings.mx.enabled:
            # Engines of this process make the bounce secret they sign with; an MX alone
            # (--no-engine) must be given the sending hosts' secret, never make its own.
            check_mx(settings, create_secret=engine)
        count = processes or settings.sending.processes or 1
        if engine and not 1 <= count <= max_processes():
            raise SettingsError(
                f"must be 1 to {max_processes()} on this machine, not {count}",
                field="--processes",
            )
        if engine and settings.relay.host:
            check_relay_config(relay_config(settings))
        context = open_context(settings)  # migrates once, before any engine starts
        sock = bind_socket(settings.http)
        smtp_sockets: dict[str, socket.socket] = {}
        try:
            smtp_sockets = bind_smtp_sockets(settings.smtp)
        except BaseException:
            sock.close()
            raise
        children = []
        if engine and not stop_request.requested():
            spawn = multiprocessing.get_context("spawn")
            children = [
                spawn.Process(target=_child, args=(settings, False, i == 0), name=f"engine-{i}")
                for i in range(count)
            ]
            _start_engines(children, stop_request)
            log.info("started %d engine process(es)", len(children))
        try:
            if not stop_request.requested():
                serve_http(context, settings, sock, stop_request.requested, smtp_sockets)
        finally:
            sock.close()
            for smtp_sock in smtp_sockets.values():
                smtp_sock.close()
            context.close()
            # uvicorn gave the signal back on its way out, which told the engines to stop
            # (once: a second SIGTERM could land after an engine restored the default
            # action); a stop for another reason (the server failed) tells them here.
            if not stop_request.requested():
                for child in children:
                    if child.is_alive() and child.pid is not None:
                        os.kill(child.pid, signal.SIGTERM)
            for child in children:
                child.join()
        failed = [child.name for child in children if child.exitcode not in (0, None)]
        if failed:
            log.error("engine process(es) %s ended with an error", ", ".join(failed))
            return 1
        log.info("stopped")
        return 0
    finally:
        stop_request.restore()
