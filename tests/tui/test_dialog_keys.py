"""Every dialog shows its own keys in its own footer, ctrl+s included (issue 17, item 6):
the page's footer underneath (``n New  d Delete``) is not what works in a popup."""

from __future__ import annotations

from kootui.core.domains import create_domain
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.form import FormDialog
from tests.support.tui_domains import open_domains
from tests.support.tui_shell import SIZE, build_app, footer_keys, settle


async def test_the_workspace_form_shows_save_and_cancel(context) -> None:
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        keys = footer_keys(app)
        assert keys.get("^s") == "Save" and keys.get("esc") == "Cancel"
        assert "Workspace" not in keys.values()  # not the Overview's keys


async def test_domain_forms_and_confirmations_show_their_own_keys(context) -> None:
    create_domain(context, "mail.example.com")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        for key in ("n", "e"):  # new and rename
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, FormDialog)
            keys = footer_keys(app)
            # ^s says what the form's button says ("Add", "Rename"), not a bare "Save".
            button = str(app.screen.query_one("#form-submit").label)
            assert keys.get("^s") == button and keys.get("esc") == "Cancel"
            assert not {"New", "Delete", "Sort"} & set(keys.values())
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        keys = footer_keys(app)
        # The footer names the answers as the buttons do, not a bare Yes/No.
        assert keys.get("y") == "Delete" and keys.get("n") == "No"
