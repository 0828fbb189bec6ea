"""Quitting with messages still queued says what is left and how it goes on (issue 17,
item 12); with nothing queued, q quits at once (test_shell's test_q_quits)."""

from __future__ import annotations

import builtins
import threading
from typing import Any

from kootui.core.recipients import TypedRecipients
from kootui.core.tasks import TaskDraft, create_task
from kootui.tui.widgets.dialogs import ConfirmDialog
from tests.support.tui_shell import SIZE, build_app, footer_keys, settle
from tests.support.tui_tasks import seed_task_sources


async def test_quit_with_queued_messages_asks_and_says_how_sending_goes_on(context) -> None:
    ids = seed_task_sources(context)
    draft = TaskDraft(
        name="Now",
        subject="Notice",
        template_id=ids["plain"],
        address_id=ids["sender"],
        recipients=TypedRecipients(["ann@example.com", "bob@example.com"]),
    )
    create_task(context, draft)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.dialog_title == "Quit with 2 messages still queued?"
        assert "1 task still has messages to send" in dialog.message
        assert "next start of kootui" in dialog.message and "kootui worker" in dialog.message
        assert footer_keys(app) == {"y": "Quit", "n": "Stay"}
        await pilot.press("n")  # stay
        await settle(pilot)
        assert app.return_code is None and app.screen is app.page_screen
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert app.return_code == 0


async def test_quit_loads_the_task_service_off_the_event_loop(context, monkeypatch) -> None:
    """Its import held the loop a quarter of a second as the user asked to leave."""
    importing_threads: list[threading.Thread] = []
    real_import = builtins.__import__

    def recording_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "kootui.core.tasks":
            importing_threads.append(threading.current_thread())
        return real_import(name, *args, **kwargs)

    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(builtins, "__import__", recording_import)
        await pilot.press("q")
        await settle(pilot)
        monkeypatch.undo()
        assert app.return_code == 0
    assert importing_threads, "quitting reads the queued work with the task service"
    assert threading.main_thread() not in importing_threads
