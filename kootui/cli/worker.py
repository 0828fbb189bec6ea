"""``kootui worker``: the headless dispatch engine for servers.

One process per core (``--processes``, or ``sending.processes``), each running its
own ``Dispatcher`` that claims its own batches: RSA signing is CPU-bound and one
Python process uses one core, so a pool of independent engines sharing the store
scales without any hand-off between processes. Logs go to stderr, one line per
event, never a password or a key. SIGTERM or SIGINT stops claiming, lets every
message already handed to the transport finish and be recorded, and exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import sys
from types import FrameType

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
from kootui.core.store import open_store

log = logging.getLogger("kootui.cli.worker")


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
    context: Context, *, until_idle: bool, check_domains: bool, store_in_loop: bool
) -> None:
    from kootui.core.dispatch import Dispatcher, EngineOptions
    from kootui.core.domains import run_domain_checks

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    options = EngineOptions.from_context(context, store_in_loop=store_in_loop)
    dispatcher = Dispatcher(context, options=options)
    checks_stop = asyncio.Event()
    checks = asyncio.create_task(run_domain_checks(context, checks_stop)) if check_domains else None
    try:
        await dispatcher.run(stop, until_idle=until_idle)
    finally:
        checks_stop.set()
        if checks is not None:
            await checks


def run_engine_process(
    settings: Settings, until_idle: bool, check_domains: bool = True, store_in_loop: bool = False
) -> int:
    """One engine in this process, on a store that is already migrated; ``check_domains``
    also runs the background domain check (one process per worker does); ``store_in_loop``
    when other engine processes keep the other cores busy (see ``EngineOptions``)."""
    configure_logging()
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
        context.close()
    return 0


def _stopped_by(fault: StoreError) -> int:
    log.error("stopping: the store cannot be used [%s]: %s", fault.code, fault)
    return 1


def _child(settings: Settings, until_idle: bool, check_domains: bool) -> None:
    sys.exit(run_engine_process(settings, until_idle, check_domains, store_in_loop=True))


def run_worker(settings: Settings, *, processes: int = 0, until_idle: bool = False) -> int:
    """Run ``processes`` engines (0: the setting, then one per core) until told to stop."""
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
    relay = settings.relay.host or "none (outbox)"
    log.info(
        "starting %d engine process(es); store %s; relay %s",
        count,
        redact_database_url(settings.database_url),
        relay,
    )
    if count == 1:
        return run_engine_process(settings, until_idle)
    spawn = multiprocessing.get_context("spawn")
    children = [
        spawn.Process(target=_child, args=(settings, until_idle, i == 0), name=f"engine-{i}")
        for i in range(count)
    ]

    def forward(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping: finishing messages in flight")
        for child in children:
            if child.pid is not None and child.is_alive():
                os.kill(child.pid, signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for child in children:
            child.start()
        for child in children:
            child.join()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    failed = [child.name for child in children if child.exitcode not in (0, None)]
    if failed:
        log.error("engine process(es) %s ended with an error", ", ".join(failed))
        return 1
    log.info("stopped")
    return 0
