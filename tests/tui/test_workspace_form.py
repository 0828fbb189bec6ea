"""The Overview page's workspace form: the sensitive-industry flag, quota, name and the
report's time zone."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Static

from kootui.core.context import Context
from kootui.core.workspace import get_workspace
from kootui.tui.pages.overview.workspace_form import WorkspaceForm
from tests.support.tui_shell import SIZE, build_app, settle


async def test_turning_on_sensitive_industry_and_renaming_from_the_overview(
    context: Context,
) -> None:
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, WorkspaceForm)
        name = form.query_one("#field-name", Input)
        name.value = "Northwind ops"
        form.query_one("#field-sensitive_industry", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, WorkspaceForm)
        view = get_workspace(context)
        assert (view.name, view.sensitive_industry, view.max_domains) == (
            "Northwind ops",
            True,
            10,
        )
        assert app.sub_title == "Northwind ops"


async def test_a_bad_quota_is_shown_beside_its_field_and_nothing_is_saved(
    context: Context,
) -> None:
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
        assert app.screen is form
        error = str(form.query_one("#error-max_domains", Static).render())
        assert "between 1 and 1000" in error
        form.query_one("#field-max_domains", Input).value = "ten"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "whole number" in str(form.query_one("#error-max_domains", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert get_workspace(context).max_domains == 10


async def test_the_time_zone_is_set_from_the_form_and_a_bad_one_refused(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "r")
        await settle(pilot)
        assert " · UTC" in str(app.screen.query_one("#report-range", Static).render())
        await pilot.press("g", "o")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        form = app.screen
        field = form.query_one("#field-time_zone", Input)
        assert field.value == ""  # the machine's zone (TZ=UTC here)
        field.value = "Mars/Olympus"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Mars/Olympus" in str(form.query_one("#error-time_zone", Static).render())
        field.value = "Europe/Berlin"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert get_workspace(context).time_zone == "Europe/Berlin"
        await pilot.press("g", "r")  # the report reads again: its days are Berlin's now
        await settle(pilot)
        assert "Europe/Berlin" in str(app.screen.query_one("#report-range", Static).render())
