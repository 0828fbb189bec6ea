"""The SMTP logins dialog (Overview, k, then s): create shows the password once with a copy
action and the user name; the list never shows it; revoke asks first."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from kootui.core.apikeys import LoginRefused, authenticate_smtp, list_smtp_credentials
from kootui.core.context import Context
from kootui.tui.pages.overview.smtp_credentials import (
    NewLoginForm,
    PasswordDialog,
    SmtpLoginsDialog,
)
from kootui.tui.widgets.dialogs import ConfirmDialog
from tests.support.tui_shell import SIZE, build_app, settle


async def test_create_copy_and_revoke_an_smtp_login_from_the_api_keys_dialog(
    context: Context,
) -> None:
    app = build_app(context)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k", "s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SmtpLoginsDialog)
        assert "No SMTP logins yet" in str(dialog.query_one("#smtp-logins-hint", Static).render())
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewLoginForm)
        form.query_one("#field-name", Input).value = "Billing [b]app[/]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown_dialog = app.screen
        assert isinstance(shown_dialog, PasswordDialog)
        password = str(shown_dialog.query_one("#password-value", Static).render())
        user = str(shown_dialog.query_one("#password-user", Static).render())
        username = user.removeprefix("User name: ")
        assert authenticate_smtp(context, username, password).name == "Billing [b]app[/]"
        await pilot.press("c")
        assert copied == [password]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is dialog
        table = dialog.query_one(DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[0] == username and row[1] == "Billing [b]app[/]" and row[4] == "active"
        assert password not in "".join(row)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert not list_smtp_credentials(context)[0].active
        with pytest.raises(LoginRefused):
            authenticate_smtp(context, username, password)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SmtpLoginsDialog)
