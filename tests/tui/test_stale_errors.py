"""An error under a field goes when the field is changed (issue 17, item 9): a fixed quota,
a typed task name, a chosen sender no longer sit under their old complaint."""

from __future__ import annotations

from textual.widgets import Input, Static

from kootui.tui.pages.overview.workspace_form import WorkspaceForm
from kootui.tui.pages.tasks.create import TaskCreateScreen
from tests.support.tui_shell import SIZE, build_app, settle
from tests.support.tui_tasks import choose, fill, open_tasks, seed_task_sources, text_of


async def test_the_quota_error_goes_when_the_field_is_fixed(context) -> None:
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, WorkspaceForm)
        form.query_one("#field-max_domains", Input).value = "5000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "between 1 and 1000" in text_of(app, "#error-max_domains")
        await fill(pilot, "#field-max_domains", "10")
        await settle(pilot)
        assert text_of(app, "#error-max_domains") == ""
        assert not form.query_one("#error-max_domains", Static).has_class("-shown")


async def test_task_form_errors_go_as_their_fields_are_filled(context) -> None:
    ids = seed_task_sources(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await choose(pilot, "#field-template_id", str(ids["plain"]))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TaskCreateScreen)
        assert text_of(app, "#error-name") != ""
        await fill(pilot, "#field-name", "Spring notice")
        await settle(pilot)
        assert text_of(app, "#error-name") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "sender" in text_of(app, "#error-address_id")
        await choose(pilot, "#field-address_id", str(ids["sender"]))
        assert text_of(app, "#error-address_id") == ""
