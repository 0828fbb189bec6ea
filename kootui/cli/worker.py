"""``kootui worker``: the headless dispatch engine for servers.

One process per core (``--processes``, or ``sending.processes``), each running its
own ``Dispatcher`` that claims its own batches: RSA signing is CPU-bound and one
Python process uses one core, so a pool of independent engines sharing the store
scales without any hand-off between processes. Logs go to stderr, one line per
event, never a password or a key. SIGTERM or SIGINT stops claiming, lets every
message already handed to the transport finish and be recorded, and exits 0; from the
first instruction of ``run_worker`` and of each engine process, so a stop that arrives
during start-up (migrating, spawning) exits 0 having sent nothing.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from multiprocessing import resource_tracker
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

from kootui.cli.output import PrintableFormatter
from kootui.core.bootstrap import open_context
from kootui.core.clock import SystemClock
from kootui.core.config import (
    MAX_PROCESSES,
    PROCESSES_PER_CORE,
    Settings,
    max_processes,
    redact_database_url,
)
from kootui.core.context import Context
from kootui.core.dispatch import check_relay_config, relay_config
from kootui.core.errors import SettingsError, StoreError
from kootui.core.long_lived import pause_collection_while_starting, start_up_done
from kootui.core.store import open_store

log = logging.getLogger("kootui.cli.worker")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopRequest:
    """SIGTERM or SIGINT taken as a request to stop, from the moment ``listen`` runs.

    Until the engine's event loop takes the signals over, a signal only marks the request
    (and calls ``on_request``), which each start-up step checks before the next; the
    default action would kill the process instead, with messages half sent."""

    def __init__(self) -> None:
        self._requested = False
        self.on_request: Callable[[], None] | None = None
        self._previous: dict[int, Any] = {}

    def listen(self) -> None:
        # `kootui worker` arrives with both signals blocked (kootui/__main__.py); any sent
        # during start-up is pending and reaches `_handle` on the unblock below.
        for signum in STOP_SIGNALS:
            previous = signal.signal(signum, self._handle)
            self._previous.setdefault(signum, previous)
        # A process started with these signals blocked (an engine process, see
        # ``_start_engines``) holds any that came early; they are handled here.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def restore(self) -> None:
        """Give the signals back the handlers they had before the first ``listen``."""
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)

    def requested(self) -> bool:
        # A method, not an attribute: a signal handler changes it between two reads.
        return self._requested

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        self._requested = True
        if self.on_request is not None:
            self.on_request()


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    # SMTP replies and DNS answers ride in log lines: shown inert, one line each.
    handler.setFormatter(
        PrintableFormatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Schema upgrades announce every plugin at INFO; only their problems matter here.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _event_loop_policy() -> None:
    """uvloop halves the per-message cost of the SMTP client where it is installed."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


async def _serve(
    context: Context,
    stop_request: StopRequest,
    *,
    until_idle: bool,
    check_domains: bool,
    store_in_loop: bool,
) -> None:
    from kootui.core.dispatch import Dispatcher, EngineOptions
    from kootui.core.domains import run_domain_checks

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    if stop_request.requested():  # before the loop took the signals over
        return
    options = EngineOptions.from_context(context, store_in_loop=store_in_loop)
    dispatcher = Dispatcher(context, options=options)
    checks_stop = asyncio.Event()
    checks = asyncio.create_task(run_domain_checks(context, checks_stop)) if check_domains else None
    start_up_done(collect_first=True)  # the engine's modules and settings, frozen
    try:
        await dispatcher.run(stop, until_idle=until_idle)
    finally:
        checks_stop.set()
        if checks is not None:
            await checks


def run_engine_process(
    settings: Settings,
    until_idle: bool,
    check_domains: bool = True,
    store_in_loop: bool = False,
    stop_request: StopRequest | None = None,
) -> int:
    """One engine in this process, on a store that is already migrated; ``check_domains``
    also runs the background domain check (one process per worker does); ``store_in_loop``
    when other engine processes keep the other cores busy (see ``EngineOptions``)."""
    if stop_request is None:
        stop_request = StopRequest()
        stop_request.listen()
    configure_logging()
    if stop_request.requested():
        return 0
    _event_loop_policy()
    try:
        store = open_store(settings.database_url, migrate=False)
    except StoreError as exc:
        return _stopped_by(exc)
    context = Context(store=store, settings=settings, clock=SystemClock())
    try:
        asyncio.run(
            _serve(
                context,
                stop_request,
                until_idle=until_idle,
                check_domains=check_domains,
                store_in_loop=store_in_loop,
            )
        )
    except StoreError as exc:
        # A locked or unreachable store is an OperationalError the engine waits out; a
        # StoreError (damaged, read-only, full, no schema) will not pass by itself.
        return _stopped_by(exc)
    finally:
        # Closing the loop gave the signals back to their default action (death).
        stop_request.listen()
        context.close()
    return 0


def _stopped_by(fault: StoreError) -> int:
    log.error("stopping: the store cannot be used [%s]: %s", fault.code, fault)
    return 1


def _child(settings: Settings, until_idle: bool, check_domains: bool) -> None:
    pause_collection_while_starting()  # a spawned interpreter: see kootui.core.long_lived
    stop_request = StopRequest()
    stop_request.listen()
    sys.exit(
        run_engine_process(
            settings, until_idle, check_domains, store_in_loop=True, stop_request=stop_request
        )
    )


def run_worker(settings: Settings, *, processes: int = 0, until_idle: bool = False) -> int:
    """Run ``processes`` engines (0: the setting, then one per core) until told to stop."""
    stop_request = StopRequest()
    stop_request.listen()
    try:
        return _run_worker(settings, stop_request, processes=processes, until_idle=until_idle)
    finally:
        stop_request.restore()


def _run_worker(
    settings: Settings, stop_request: StopRequest, *, processes: int, until_idle: bool
) -> int:
    configure_logging()
    requested, source = (
        (processes, "--processes")
        if processes
        else (settings.sending.processes, "sending.processes")
    )
    limit = max_processes()
    if not 0 <= requested <= limit:
        raise SettingsError(
            f"must be 0 (one per core) to {limit} on this machine ({PROCESSES_PER_CORE} per "
            f"core, {MAX_PROCESSES} in all), not {requested}",
            field=source,
        )
    count = requested or min(os.cpu_count() or 1, limit)
    if settings.relay.host:
        # Refuse a bad relay (plaintext to a remote host, ...) before anything starts.
        check_relay_config(relay_config(settings))
    # Migrate once here, so the engines never race each other through an upgrade.
    open_context(settings).close()
    if stop_request.requested():
        log.info("stopped before starting")
        return 0
    relay = settings.relay.host or "none (outbox)"
    log.info(
        "starting %d engine process(es); store %s; relay %s",
        count,
        redact_database_url(settings.database_url),
        relay,
    )
    if count == 1:
        return run_engine_process(settings, until_idle, stop_request=stop_request)
    spawn = multiprocessing.get_context("spawn")
    children = [
        spawn.Process(target=_child, args=(settings, until_idle, i == 0), name=f"engine-{i}")
        for i in range(count)
    ]
    _start_engines(children, stop_request)
    start_up_done()  # this process only waits for its children from here
    for child in children:
        if child.pid is not None:
            child.join()
    failed = [child.name for child in children if child.exitcode not in (0, None)]
    if failed:
        log.error("engine process(es) %s ended with an error", ", ".join(failed))
        return 1
    log.info("stopped")
    return 0


def _start_engines(children: Sequence[BaseProcess], stop: StopRequest) -> None:
    """Start the engine processes; once a stop is requested, pass it on to every started one
    and start no more."""
    told: set[int] = set()

    def tell_children() -> None:
        for child in children:
            if child.pid is not None and child.pid not in told and child.is_alive():
                told.add(child.pid)
                os.kill(child.pid, signal.SIGTERM)

    def on_request() -> None:
        log.info("stopping: finishing messages in flight")
        tell_children()

    stop.on_request = on_request
    # Starting the spawn context's resource tracker unblocks both signals in this process;
    # started first, it does not undo the blocking below.
    resource_tracker.ensure_running()
    for child in children:
        if stop.requested():
            break
        # Each engine starts with the stop signals blocked and unblocks them once it
        # listens (``StopRequest.listen``): one sent while it imports is held, not fatal.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            child.start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        if stop.requested():
            tell_children()
