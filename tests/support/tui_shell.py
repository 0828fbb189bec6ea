"""The console as tests open it: its size, the app, waiting for workers, a config file."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from kootui.core.context import Context
from kootui.tui.app import KootuiApp
from kootui.tui.opening import StoreOpening
from kootui.tui.shell.kootui_node import RefreshIntervals
from kootui.tui.theming import ThemeCatalog
from kootui.tui.widgets.filter_bar import FilterBar

SIZE = (120, 40)
# Views that poll the store read again at once: tests wait for what they expect to see.
FAST_REFRESH = RefreshIntervals(
    overview=0.05, task_progress=0.05, messages_while_sending=0.05, message_detail=0.05
)
PATIENCE_SECONDS = 15.0  # far beyond any wait on a loaded machine; a hang fails, not stalls


def build_app(context: Context | StoreOpening, **kwargs: object) -> KootuiApp:
    """The console with no cursor blink (tests compare screens): on an open store, or, given
    a ``StoreOpening``, as `kootui` opens it (the store on a thread after the first frame)."""
    catalog = ThemeCatalog.load(context.settings)
    return KootuiApp(context, catalog=catalog, cursor_blink=False, **kwargs)  # type: ignore[arg-type]


def awaits_a_dialog(worker: Worker[object], *, signing_in: bool = False) -> bool:
    """The worker waits for the user's answer (``push_screen_wait``), not for the store;
    or, while the console waits for someone to sign in, for the store the sign-in opens."""
    user_waits = {"push_screen_wait", "opened_context"} if signing_in else {"push_screen_wait"}
    task: asyncio.Task[object] | None = worker._task  # Textual keeps the task private
    awaiting: Any = task.get_coro() if task is not None else None
    while awaiting is not None:  # down the chain of awaits to where the worker is parked
        code = getattr(awaiting, "cr_code", None)
        if code is not None and code.co_name in user_waits:
            return True
        awaiting = getattr(awaiting, "cr_await", None)
    return False


def busy_workers(app: object) -> list[Worker[object]]:
    return [
        worker
        for worker in app.workers  # type: ignore[attr-defined]
        if worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        and not awaits_a_dialog(worker, signing_in=getattr(app, "awaiting_sign_in", False))
    ]


async def settle(pilot: object) -> None:
    """Until every worker has finished (or waits for a dialog's answer) and its effects
    have landed."""
    app = pilot.app  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    deadline = time.monotonic() + PATIENCE_SECONDS
    while busy := busy_workers(app):
        if time.monotonic() > deadline:
            raise AssertionError(f"workers still busy: {[w.name for w in busy]}")
        await pilot.pause(0.01)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def wait_until(pilot: object, condition: Callable[[], bool], what: str) -> None:
    """Until ``condition()`` holds (a timer, a debounce, another worker makes it so)."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    await settle(pilot)


async def type_into(pilot: object, field: Input, text: str) -> None:
    """Focus ``field`` and type ``text`` key by key."""
    field.value = ""
    field.focus()
    await pilot.press(*text)  # type: ignore[attr-defined]


async def paste_into(pilot: object, field: Input, text: str) -> None:
    """Focus ``field`` and paste ``text`` (a path, say): Pilot spends a frame on every key
    (~50 ms), which a 60-character path turns into seconds of a test's time."""
    field.value = ""
    field.focus()
    field.insert_text_at_cursor(text)
    await pilot.pause()  # type: ignore[attr-defined]


def filters_applied(app: App[Any]) -> bool:
    """Every filter bar's list shows what is typed in it (its debounce has fired)."""
    return all(bar.applied_text == bar.value.strip() for bar in app.screen.query(FilterBar))


def write_config(home: Path, text: str) -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(text, encoding="utf-8")


def footer_keys(app: App[Any]) -> dict[str, str]:
    """What the footer of the screen on top shows: key as displayed -> description."""
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey  # Textual exports no reader of its footer

    footers = list(app.screen.query(Footer))
    assert footers, f"{type(app.screen).__name__} shows no footer of its own"
    return {key.key_display: key.description for key in footers[0].query(FooterKey)}
