"""The API keys dialog (Overview, k): create shows the secret once with a copy action,
the list shows prefix, name, created, last used; revoke asks first."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from kootui.core.apikeys import authenticate, list_api_keys
from kootui.core.context import Context
from kootui.tui.pages.overview.api_keys import ApiKeysDialog, NewKeyForm, SecretDialog
from kootui.tui.widgets.dialogs import ConfirmDialog
from tests.support.tui_shell import SIZE, build_app, settle


async def test_create_copy_and_revoke_a_key_from_the_overview(context: Context) -> None:
    app = build_app(context)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ApiKeysDialog)
        assert "No API keys yet" in str(dialog.query_one("#api-keys-hint", Static).render())
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewKeyForm)
        form.query_one("#field-name", Input).value = "Shop [red]backend[/]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        secret_dialog = app.screen
        assert isinstance(secret_dialog, SecretDialog)
        shown = str(secret_dialog.query_one("#secret-value", Static).render())
        assert authenticate(context, shown).name == "Shop [red]backend[/]"
        await pilot.press("c")
        assert copied == [shown]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is dialog
        table = dialog.query_one(DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[0].startswith("kt_") and row[1] == "Shop [red]backend[/]"
        assert row[3:5] == ["never", "active"]
        assert shown not in "".join(row)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert not list_api_keys(context)[0].active
        assert [str(cell) for cell in table.get_row_at(0)][4] == "revoked"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ApiKeysDialog)
