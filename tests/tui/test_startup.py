"""The console draws before its store is open (issue 17, item 17).

Given a ``StoreOpening``, as `kootui` starts it, the Overview is on screen with a quiet
"loading…" while the store opens on a thread; the figures, the workspace name and a
page asked for meanwhile come when it is open. A store that cannot open ends the
console, its error kept for the command line to print as it always has.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from kootui.cli.console import ConsoleStore
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.errors import StoreError
from kootui.tui.app import KootuiApp
from kootui.tui.opening import StoreOpening
from kootui.tui.pages.overview.page import CARDS
from tests.support.tui_shell import PATIENCE_SECONDS, SIZE, build_app, wait_until


class HeldOpening:
    """Opens the test's (real) store, and finishes opening it, when the test lets it."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.asked = threading.Event()
        self.release = threading.Event()
        self.finishing = threading.Event()
        self.release_finish = threading.Event()
        self.threads: list[threading.Thread] = []

    def open(self) -> Context:
        self.threads.append(threading.current_thread())
        self.asked.set()
        assert self.release.wait(PATIENCE_SECONDS)
        return self.context

    def finish(self, context: Context) -> None:
        assert context is self.context
        self.threads.append(threading.current_thread())
        self.finishing.set()
        assert self.release_finish.wait(PATIENCE_SECONDS)

    def let_go(self) -> None:
        self.release.set()
        self.release_finish.set()

    def opening(self) -> StoreOpening:
        return StoreOpening(
            self.context.settings, self.open, clock=self.context.clock, finish=self.finish
        )


@pytest.fixture
def held(context: Context) -> Iterator[HeldOpening]:
    opening = HeldOpening(context)
    yield opening
    opening.let_go()  # a failed test never leaves a worker thread waiting


def text_of(app: KootuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def until(pilot: object, condition: Callable[[], bool], what: str) -> None:
    """Like ``wait_until``, without waiting for workers (the store's is held on purpose)."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await pilot.pause(0.01)  # type: ignore[attr-defined]


async def test_the_overview_is_drawn_before_the_store_opens_and_filled_after(held):
    app = build_app(held.opening())
    async with app.run_test(size=SIZE) as pilot:
        # The store is asked for once the first page is on screen.
        await until(pilot, held.asked.is_set, "the console asks for its store")
        assert "Process guide" in text_of(app, "#guide-heading")
        assert text_of(app, "#overview-loaded") == "loading…"
        for card, label in CARDS.items():
            assert text_of(app, f"#card-{card}").splitlines() == [label, "loading…"]
        guide = app.screen.query_one("#guide", OptionList)
        assert [str(option.prompt) for option in guide.options] == ["loading…"]
        assert "Mon 23 Nov 2026 15:30" in text_of(app, "#clock")  # the settings' clock
        with pytest.raises(RuntimeError, match="not open yet"):
            app.context  # noqa: B018
        held.let_go()
        await wait_until(
            pilot, lambda: "figures as of" in text_of(app, "#overview-loaded"), "figures"
        )
        assert text_of(app, "#card-domains").splitlines()[1:] == ["0", "0 verified"]
        assert guide.option_count == 6  # the process guide's steps, with their ticks
        assert text_of(app, "#workspace-name") == "My workspace"
        assert app.domain_checks is not None  # started with the store, as before
        # Opened and finished on threads, never on the UI loop.
        assert len(held.threads) == 2
        assert threading.main_thread() not in held.threads


async def test_a_page_asked_for_while_the_store_opens_is_shown_once_it_is_open(held):
    app = build_app(held.opening())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, held.asked.is_set, "the console asks for its store")
        await pilot.press("g", "d")
        assert app.current_mode == "overview"
        # Readable: the figures come, but the other pages wait for the rest of the opening.
        held.release.set()
        # The rest of the opening (templates, engine) waits until the figures are painted.
        await until(pilot, held.finishing.is_set, "the console finishes opening")
        assert "figures as of" in text_of(app, "#overview-loaded")
        assert app.current_mode == "overview"
        held.release_finish.set()
        await wait_until(pilot, lambda: app.current_mode == "domains", "Sender Domains shown")
        await pilot.press("escape")  # back to where the user was
        assert app.current_mode == "overview"


def _damage(database: Path) -> None:
    for companion in ("-wal", "-shm"):
        Path(f"{database}{companion}").unlink(missing_ok=True)
    database.write_bytes(b"not a database at all")


async def test_a_store_that_cannot_open_ends_the_console_and_keeps_its_error(
    settings: Settings,
):
    settings.ensure_folders()
    _damage(settings.paths.database_file)
    store = ConsoleStore(settings, with_engine=False)
    app = build_app(StoreOpening(settings, store.open))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.store_error is not None, "the store's error")
    store.close()
    assert isinstance(app.store_error, StoreError)
    assert str(settings.paths.database_file) in str(app.store_error)
    assert app.return_code == 1
    assert store.context is None


async def test_figures_read_ahead_are_painted_before_the_store_opens_here(held: HeldOpening):
    from dataclasses import replace

    from kootui.tui.opening import EarlyRead
    from kootui.tui.pages.overview.paint import read_paint

    # What the read-ahead process would send: the same read, here made from the test's
    # store, with one figure changed so the test sees which read was painted.
    paint = read_paint(held.context)
    early = EarlyRead(replace(paint, overview=replace(paint.overview, domains=7)), "Read ahead")
    shown_when_opened: list[str] = []

    def open_after_the_paint() -> Context:
        shown_when_opened.append(app.call_from_thread(text_of, app, "#overview-loaded"))
        return held.open()

    opening = replace(held.opening(), open=open_after_the_paint, read_ahead=lambda: early)
    app = build_app(opening)
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot, lambda: "figures as of" in text_of(app, "#overview-loaded"), "early figures"
        )
        assert text_of(app, "#card-domains").splitlines()[1] == "7"
        assert text_of(app, "#workspace-name") == "Read ahead"
        # The store is opened here only once they are painted (its modules, loading on a
        # thread, would slow the paint down).
        await until(pilot, held.asked.is_set, "the console asks for its store")
        assert shown_when_opened and "figures as of" in shown_when_opened[0]
        held.let_go()
        await wait_until(pilot, lambda: app.domain_checks is not None, "the store's services")
        assert text_of(app, "#card-domains").splitlines()[1] == "7"  # not read twice
        app.screen.reload()  # the next read is the console's own
        await wait_until(
            pilot, lambda: text_of(app, "#card-domains").splitlines()[1] == "0", "a new read"
        )


async def test_no_figures_read_ahead_means_the_console_reads_them(held: HeldOpening):
    from dataclasses import replace

    app = build_app(replace(held.opening(), read_ahead=lambda: None))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, held.asked.is_set, "the console asks for its store")
        assert text_of(app, "#overview-loaded") == "loading…"
        held.let_go()
        await wait_until(
            pilot, lambda: "figures as of" in text_of(app, "#overview-loaded"), "figures"
        )
        assert text_of(app, "#workspace-name") == "My workspace"


async def test_quit_while_the_store_is_still_opening_quits(held: HeldOpening):
    app = build_app(held.opening())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, held.asked.is_set, "the console asks for its store")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: app.return_code is not None, "the console quits")
        held.let_go()  # the opening's thread ends (kootui.cli.console waits for it)
    assert app.return_code == 0
