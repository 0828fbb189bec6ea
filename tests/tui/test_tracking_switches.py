"""The open/click tracking switches of the console: the template editor's checkbox and the
task form's choice (the template's, on, off), refused beside the field without a host.

Marked slow: each drives a whole form (7-10 s here), and the rules behind the switches are
covered by the core and CLI tests of the default run (tests/unit/tasks/test_task_tracking.py).
"""

from __future__ import annotations

import pytest
from sqlmodel import select
from textual.widgets import Checkbox, Input, TextArea

from kootui.core.context import Context
from kootui.core.store import Task
from kootui.core.templates import get_template, list_templates
from kootui.tui.pages.tasks.create import TaskCreateScreen
from kootui.tui.pages.tasks.progress import TaskProgressScreen
from kootui.tui.pages.templates.editor import TemplateEditorScreen
from kootui.tui.pages.templates.page import TemplatesScreen
from tests.support import tui_templates
from tests.support.tui_shell import SIZE
from tests.support.tui_tasks import (
    build_app,
    choose,
    fill,
    open_tasks,
    seed_task_sources,
    settle,
    text_of,
)


async def _fill_task_form(app, pilot, ids: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    await open_tasks(app, pilot)
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(app.screen, TaskCreateScreen)
    await fill(pilot, "#field-name", "Tracked notice")
    await choose(pilot, "#field-template_id", str(ids["plain"]))
    await fill(pilot, "#field-subject", "Notice")
    await choose(pilot, "#field-address_id", str(ids["sender"]))
    await fill(pilot, "#manual-address", "ann@example.com")
    await pilot.press("enter")
    await choose(pilot, "#field-track_opens_clicks", "on")


pytestmark = pytest.mark.slow


async def test_the_task_form_turns_tracking_on_and_needs_a_host_for_it(
    context: Context,
) -> None:
    ids = seed_task_sources(context)
    host = context.settings.sending.tracking_host
    context.settings = context.settings.with_values(sending__tracking_host="")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await _fill_task_form(app, pilot, ids)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskCreateScreen)
        assert "sending.tracking_host" in text_of(app, "#error-track_opens_clicks")
        # The app reads the same context: with a host the same form goes through.
        context.settings = context.settings.with_values(sending__tracking_host=host)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskProgressScreen)
    with context.store.session() as session:
        [task] = session.exec(select(Task)).all()
    assert task.track_opens_clicks is True


async def test_the_template_editor_saves_the_tracking_switch(context: Context) -> None:
    app = tui_templates.build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await tui_templates.open_page(app, pilot, "templates")
        await pilot.press("n")
        await tui_templates.wait_for_preview(pilot)
        editor = app.screen
        assert isinstance(editor, TemplateEditorScreen)
        switch = editor.query_one("#track-opens-clicks", Checkbox)
        assert switch.value is False  # off unless asked
        editor.query_one("#title", Input).focus()
        await pilot.press(*"Tracked")
        editor.query_one("#body", TextArea).load_text('<p><a href="https://x.example">x</a></p>')
        switch.focus()
        await pilot.press("space")
        await tui_templates.wait_for_preview(pilot)
        await pilot.press("ctrl+s")
        await tui_templates.settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
    saved = get_template(context, int(list_templates(context).rows[0].key))
    assert (saved.title, saved.track_opens_clicks) == ("Tracked", True)
