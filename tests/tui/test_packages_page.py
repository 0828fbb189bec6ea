"""Pilot tests of the Packages page (add, policy, remove) and of the Overview's allowance
panel, with snapshots of both."""

from __future__ import annotations

from datetime import date

from textual.widgets import Checkbox, Input

from kootui.core.context import Context
from kootui.core.packages import add_package, get_policy, list_packages
from kootui.tui.pages.packages.page import PackagesScreen
from kootui.tui.widgets import ConfirmDialog
from kootui.tui.widgets.form import FormDialog
from tests.support.tui_shell import paste_into, settle
from tests.support.tui_templates import SIZE, build_app, notices, open_page, shown_rows, text_of


async def test_add_set_the_policy_and_remove_by_keyboard(context: Context) -> None:
    add_package(
        context, name="Autumn", units=500, first_day=date(2026, 9, 1), last_day=date(2026, 12, 31)
    )
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "packages")
        assert isinstance(app.screen, PackagesScreen)
        assert shown_rows(app)[0][:4] == ["Autumn", "500", "0", "500"]
        assert "Left now 500" in text_of(app, "#package-usage")

        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        await paste_into(pilot, app.screen.query_one("#field-name", Input), "Winter 100k")
        await paste_into(pilot, app.screen.query_one("#field-units", Input), "many")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "whole number" in text_of(app, "#error-units")
        await paste_into(pilot, app.screen.query_one("#field-units", Input), "100,000")
        await paste_into(pilot, app.screen.query_one("#field-last_day", Input), "2027-02-28")
        await paste_into(pilot, app.screen.query_one("#field-reference", Input), "INV-42")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PackagesScreen)
        assert "Added Winter 100k: 100,000 emails until 2027-02-28." in notices(app)
        assert [row[0] for row in shown_rows(app)] == ["Autumn", "Winter 100k"]
        assert "INV-42" in text_of(app, "#package-status")  # the cursor is on it
        assert "Left now 100,500" in text_of(app, "#package-usage")

        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        app.screen.query_one("#field-hard_stop", Checkbox).value = True
        await paste_into(pilot, app.screen.query_one("#field-warn_below", Input), "200000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert get_policy(context).hard_stop is True
        assert "Only 100,500 emails left in packages" in text_of(app, "#package-usage")

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert [p.name for p in list_packages(context)] == ["Autumn"]


def test_packages_page_snapshot(snap_compare, context: Context) -> None:
    add_package(
        context,
        name="Winter 100k",
        units=100_000,
        first_day=date(2026, 11, 1),
        last_day=date(2027, 2, 28),
        added_by="ann",
        reference="INV-42",
    )
    add_package(
        context, name="Spring", units=20_000, first_day=date(2027, 3, 1), last_day=date(2027, 5, 31)
    )

    async def open_packages(pilot) -> None:
        await open_page(pilot.app, pilot, "packages")
        await settle(pilot)

    assert snap_compare(build_app(context), terminal_size=SIZE, run_before=open_packages)


def test_overview_allowance_snapshot(snap_compare, demo: Context) -> None:
    from kootui.core.packages import set_policy

    add_package(
        demo,
        name="Winter 100k",
        units=100_000,
        first_day=date(2026, 11, 1),
        last_day=date(2027, 2, 28),
    )
    set_policy(demo, warn_below=150_000)
    from tests.support.tui_shell import build_app as build_shell_app

    async def wait(pilot) -> None:
        await settle(pilot)

    assert snap_compare(build_shell_app(demo), terminal_size=SIZE, run_before=wait)
