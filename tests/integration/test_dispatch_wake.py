"""Idle engines are woken when messages are committed, instead of waiting for their poll:
in the same process through their loop, in another through a datagram."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from kootui.core.context import Context
from kootui.core.dispatch import Dispatcher, EngineOptions, doorbell_folder, wake_engines
from kootui.core.recipients import TypedRecipients
from kootui.core.store import SendMethod
from kootui.core.submissions import Intake, RecipientInput, SubmissionChecker, SubmissionRequest
from kootui.core.tasks import TaskDraft, create_task
from tests.support.dispatch_seed import messages, seed_sender, seed_task
from tests.support.task_seed import seed_sources

NEVER_POLLS = 600.0  # seconds: longer than any test, so only a ring can start a claim


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@contextmanager
def idle_engine(context: Context) -> Iterator[Dispatcher]:
    """An engine on its own loop in a thread that polls only every ten minutes."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    dispatcher = Dispatcher(context, options=EngineOptions(poll_interval=NEVER_POLLS))
    thread = threading.Thread(target=loop.run_until_complete, args=(dispatcher.run(stop),))
    thread.start()
    try:
        # It has made its first (empty) claim and listens once ringing reaches it.
        assert wait_for(lambda: wake_engines(context.store, context.settings) >= 1)
        yield dispatcher
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()


def test_a_ring_in_the_same_process_starts_an_idle_engine_at_once(context: Context) -> None:
    address = seed_sender(context)
    with idle_engine(context) as engine:
        task = seed_task(context, address, 3)  # written behind the engine's back: no ring
        wake_engines(context.store, context.settings)
        assert wait_for(lambda: engine.recorded == 3)
        folder = doorbell_folder(context.store, context.settings)
        assert {oct(f.stat().st_mode & 0o777) for f in (folder, folder.parent)} == {"0o700"}
    assert {row.status for row in messages(context, task)} == {"delivered"}


def test_creating_a_task_rings_the_engines(context: Context) -> None:
    context.settings = context.settings.with_values(sending__tracking_host="t.example.net")
    ids = seed_sources(context)
    with idle_engine(context) as engine:
        draft = TaskDraft(
            name="Rung",
            subject="Notice",
            template_id=ids["plain"],
            address_id=ids["sender"],
            recipients=TypedRecipients(["rung@example.org"]),
            send_method=SendMethod.API,
        )
        started = time.monotonic()
        create_task(context, draft)
        assert wait_for(lambda: engine.recorded == 1)
        assert time.monotonic() - started < NEVER_POLLS / 10


def test_the_intakes_commit_rings_the_engines(context: Context) -> None:
    context.settings = context.settings.with_values(sending__tracking_host="t.example.net")
    ids = seed_sources(context)
    request = SubmissionRequest(
        "news@mail.example.com", [RecipientInput("api@example.org")], ids["plain"]
    )

    async def submit() -> None:
        intake = Intake(context)
        await intake.submit(SubmissionChecker(context).prepare(request))
        await intake.close()

    with idle_engine(context) as engine:
        asyncio.run(submit())
        assert wait_for(lambda: engine.recorded == 1)


DOORBELL_PROCESS = """
import asyncio, sys
from pathlib import Path
from kootui.core.dispatch import Doorbell

async def main() -> None:
    rung = asyncio.Event()
    bell = Doorbell(Path(sys.argv[1]))
    bell.open(asyncio.get_running_loop(), rung.set)
    print("listening", flush=True)
    await rung.wait()
    print("rung", flush=True)
    bell.close()

asyncio.run(main())
"""


@pytest.mark.slow  # a Python process starts (about 3 s on a busy machine)
def test_an_engine_of_another_process_hears_the_ring_and_a_dead_one_is_forgotten(
    context: Context,
) -> None:
    folder = doorbell_folder(context.store, context.settings)
    other = subprocess.Popen(
        [sys.executable, "-c", DOORBELL_PROCESS, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None
        assert other.stdout.readline().strip() == "listening"
        [name] = [entry.name for entry in folder.iterdir()]
        rings: list[int] = []

        def ring() -> bool:
            rings.append(wake_engines(context.store, context.settings))
            return other.poll() is not None

        # The ringer's listing of the folder may be a second old: ring until heard.
        assert wait_for(ring) and 1 in rings
        assert other.stdout.readline().strip() == "rung"
        assert other.wait(10) == 0
    finally:
        other.kill()
        other.wait()
    assert not (folder / name).exists()  # the engine took its name away when it closed
    (folder / name).touch()  # as an engine killed before it could
    assert wait_for(
        lambda: wake_engines(context.store, context.settings) == 0 and not (folder / name).exists()
    )
