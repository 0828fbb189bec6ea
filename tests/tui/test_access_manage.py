"""The Access page does what `kootui iam` does: a password set (typed twice, masked), a
user disabled, the idle sign-out, a member removed, a policy detached, and the audit log
bounded by time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input, Select, Static

from kootui.core.access import (
    Face,
    SignInRefused,
    authenticate,
    get_user,
    idle_sign_out_minutes,
    list_groups,
    list_policies,
)
from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.tui.app import KootuiApp
from kootui.tui.pages.access.page import AccessScreen
from kootui.tui.widgets.form import FormDialog
from tests.support.tui_access import SENDER, turn_sign_in_on
from tests.support.tui_domains import notices
from tests.support.tui_shell import SIZE, build_app, paste_into, settle, wait_until

NEW_PASSWORD = "ann's new password 1"


async def _open_access(app: KootuiApp, pilot: object) -> AccessScreen:
    app.go_page("access")
    await settle(pilot)
    page = app.screen
    assert isinstance(page, AccessScreen)
    users = page.query_one("#users-table", DataTable)
    await wait_until(pilot, lambda: users.row_count > 0, "users")
    return page


async def _form(pilot: object, key: str) -> FormDialog[object]:
    await pilot.press(key)  # type: ignore[attr-defined]
    await settle(pilot)
    form = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(form, FormDialog), key
    return form


async def _submit(pilot: object, page: AccessScreen) -> None:
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: pilot.app.screen is page, "the form closed")  # type: ignore[attr-defined]
    await settle(pilot)


async def test_users_passwords_idle_time_members_and_policies_change_on_the_page(
    context: Context,
) -> None:
    turn_sign_in_on(context)
    app = build_app(context)  # the owner: every key is allowed
    async with app.run_test(size=SIZE) as pilot:
        page = await _open_access(app, pilot)
        page.query_one("#users-table", DataTable).move_cursor(row=1)  # ann
        await settle(pilot)
        assert page.selected_user() is not None and page.selected_user().name == SENDER

        form = await _form(pilot, "p")
        password = form.query_one("#field-password", Input)
        assert password.password and form.query_one("#field-again", Input).password
        await paste_into(pilot, password, NEW_PASSWORD)
        await paste_into(pilot, form.query_one("#field-again", Input), NEW_PASSWORD + "x")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "differ" in str(form.query_one("#error-again", Static).render())
        await paste_into(pilot, form.query_one("#field-again", Input), NEW_PASSWORD)
        await _submit(pilot, page)
        assert authenticate(context, SENDER, NEW_PASSWORD, Face.CONSOLE).name == SENDER

        await pilot.press("d")  # disable: the next sign-in is refused
        await wait_until(pilot, lambda: get_user(context, SENDER).disabled, "disabled")
        with pytest.raises(SignInRefused):
            authenticate(context, SENDER, NEW_PASSWORD, Face.CONSOLE)
        await wait_until(
            pilot, lambda: "disabled" in str(page.query_one("#user-detail").render()), "shown"
        )

        form = await _form(pilot, "i")
        await paste_into(pilot, form.query_one("#field-idle_minutes", Input), "abc")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "whole number" in str(form.query_one("#error-idle_minutes", Static).render())
        await paste_into(pilot, form.query_one("#field-idle_minutes", Input), "25")
        await _submit(pilot, page)
        assert idle_sign_out_minutes(context) == 25
        await wait_until(
            pilot, lambda: "25 idle minutes" in str(page.query_one("#user-detail").render()), "25"
        )

        await pilot.press("2")  # groups: ann leaves "senders", its policy is detached
        await settle(pilot)
        form = await _form(pilot, "r")
        assert form.query_one("#field-user", Select).value == SENDER  # the only member
        await _submit(pilot, page)
        assert list_groups(context)[0].members == ()
        form = await _form(pilot, "u")
        assert form.query_one("#field-policy", Select).value == "Send no domains"
        await _submit(pilot, page)
        policies = {policy.name: policy for policy in list_policies(context)}
        assert policies["Send no domains"].groups == ()
        await pilot.press("u")  # nothing left to detach: said so, no empty form
        await settle(pilot)
        assert app.screen is page
        assert "No policy is attached to group senders itself." in notices(app)


async def test_the_audit_log_is_bounded_by_time(context: Context) -> None:
    turn_sign_in_on(context)  # eight lines, all at the fixed clock's time
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        page = await _open_access(app, pilot)
        await pilot.press("4")
        await settle(pilot)
        table = page.query_one("#audit-table", DataTable)
        await wait_until(pilot, lambda: table.row_count > 0, "the audit log")
        everything = table.row_count
        now = context.clock.now()
        later = local_text(now + timedelta(minutes=1), "%Y-%m-%d %H:%M")
        since = page.query_one("#audit-since", Input)
        await paste_into(pilot, since, later)
        await wait_until(pilot, lambda: table.row_count == 0, "nothing since a minute later")
        await paste_into(pilot, since, "2026-1")  # half typed: marked, left out
        await wait_until(pilot, lambda: table.row_count == everything, "the bound left out")
        assert since.has_class("-invalid")
        await paste_into(pilot, since, "")
        until = page.query_one("#audit-until", Input)
        await paste_into(pilot, until, later)
        await wait_until(pilot, lambda: table.row_count == everything, "all before")
        assert not until.has_class("-invalid")
        earlier = local_text(now - timedelta(minutes=1), "%Y-%m-%d %H:%M")
        await paste_into(pilot, until, earlier)
        await wait_until(pilot, lambda: table.row_count == 0, "nothing before")
