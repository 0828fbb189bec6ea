"""The create form end to end: fields, errors beside them, typed and uploaded recipients."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from textual.widgets import Input

from kootui.core.clock import local_text
from kootui.core.store import Message, Task
from kootui.tui.pages.tasks.create import TaskCreateScreen
from kootui.tui.pages.tasks.progress import TaskProgressScreen
from kootui.tui.widgets.dialogs import ConfirmDialog
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


@pytest.fixture
def task_ids(context) -> dict[str, int]:
    return seed_task_sources(context)


def stored_tasks(context) -> list[Task]:
    with context.store.session() as session:
        return list(session.exec(select(Task)).all())


def stored_recipients(context, task_id: int) -> list[str]:
    with context.store.session() as session:
        rows = session.exec(select(Message.recipient).where(Message.task_id == task_id)).all()
        return sorted(rows)


async def test_manual_recipients_with_a_refused_one(context, task_ids):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, TaskCreateScreen)
        await fill(pilot, "#field-name", "November notice")
        await choose(pilot, "#field-template_id", str(task_ids["plain"]))
        await fill(pilot, "#field-subject", "Notice for you")
        await choose(pilot, "#field-address_id", str(task_ids["sender"]))
        for address in ("ann@example.com", "not an address"):
            await fill(pilot, "#manual-address", address)
            await pilot.press("enter")
        await settle(pilot)
        # A refused address stays in the field to be fixed, its reason listed below...
        assert "'not an address'" in text_of(app, "#manual-refused")
        assert app.screen.query_one("#manual-address", Input).value == "not an address"
        await fill(pilot, "#manual-address", "bob@bücher.example")
        await pilot.press("enter")
        await settle(pilot)
        # ...until the field changes: the reason is stale then (issue 17, item 9).
        assert text_of(app, "#manual-refused") == ""
        kept = text_of(app, "#manual-kept")
        assert "ann@example.com" in kept and "bob@xn--bcher-kva.example" in kept
        assert "2 recipients" in text_of(app, "#estimate")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskProgressScreen)
    tasks = stored_tasks(context)
    assert [task.name for task in tasks] == ["November notice"]
    assert stored_recipients(context, tasks[0].id) == [
        "ann@example.com",
        "bob@xn--bcher-kva.example",
    ]


async def test_a_template_with_parameters_refuses_typed_recipients(context, task_ids):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await choose(pilot, "#field-template_id", str(task_ids["personal"]))
        assert "name, code" in text_of(app, "#template-note")
        await choose(pilot, "#field-recipient_mode", "manual")
        await fill(pilot, "#manual-address", "ann@example.com")
        await pilot.press("enter")
        await settle(pilot)
        error = text_of(app, "#error-recipients")
        assert "this template has parameters" in error
        assert "email, name, code" in error
        assert "ann@example.com" not in text_of(app, "#manual-kept")


async def test_a_scheduled_time_in_the_past_is_refused_beside_the_field(context, task_ids):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, "#field-name", "Too late")
        await choose(pilot, "#field-template_id", str(task_ids["plain"]))
        await fill(pilot, "#field-subject", "Notice")
        await choose(pilot, "#field-address_id", str(task_ids["sender"]))
        await fill(pilot, "#manual-address", "ann@example.com")
        await pilot.press("enter")
        await choose(pilot, "#field-send_type", "scheduled")
        past = local_text(context.clock.now() - timedelta(hours=1), "%Y-%m-%d %H:%M")
        await fill(pilot, "#field-scheduled_at", past)
        await settle(pilot)
        assert "(local time)" in text_of(app, "#schedule-echo")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskCreateScreen)
        assert "must be in the future" in text_of(app, "#error-scheduled_at")
        await fill(pilot, "#field-scheduled_at", "tomorrow")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "YYYY-MM-DD HH:MM" in text_of(app, "#error-scheduled_at")
    assert stored_tasks(context) == []


async def test_escape_asks_before_discarding_what_was_typed(context, task_ids):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")  # nothing typed yet: closes at once
        await settle(pilot)
        assert not isinstance(app.screen, TaskCreateScreen)
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, "#field-name", "Half done")
        await pilot.press("escape")  # issue 17, item 15: this dropped the form unasked
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.dialog_title == "Discard this task?"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, TaskCreateScreen)
        assert app.screen.query_one("#field-name", Input).value == "Half done"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, TaskCreateScreen)
    assert stored_tasks(context) == []


async def test_the_estimate_follows_the_live_workspace_rate_read_on_a_thread(context, task_ids):
    from kootui.core.shaping import set_workspace_rate
    from tests.support.tui_shell import wait_until

    # A console set 0.01 a second (one message each 100 s) while the file says otherwise.
    set_workspace_rate(context, 0.01)
    assert context.settings.sending.rate != 0.01
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await choose(pilot, "#field-address_id", str(task_ids["sender"]))
        for address in ("ann@example.com", "bob@example.com"):
            await fill(pilot, "#manual-address", address)
            await pilot.press("enter")
        await wait_until(
            pilot, lambda: "estimating" not in text_of(app, "#estimate"), "the forecast's read"
        )
        assert "2 recipients" in text_of(app, "#estimate")
        assert "done in about 3 min" in text_of(app, "#estimate")  # 200 s at the live rate
