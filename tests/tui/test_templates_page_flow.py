"""Issue 4's "done when", by keyboard only: an address on a verified domain, a public
template copied, edited while the preview follows, and saved."""

from __future__ import annotations

from kootui.core.context import Context
from kootui.core.senders import list_addresses
from kootui.core.store import PageRequest
from kootui.core.templates import get_template, list_templates
from kootui.tui.pages.addresses.page import AddressesScreen, AddressForm
from kootui.tui.pages.templates.editor import TemplateEditorScreen
from kootui.tui.pages.templates.page import TemplatesScreen
from kootui.tui.pages.templates.preview import TemplatePreviewScreen
from tests.support.tui_templates import (
    SIZE,
    build_app,
    settle,
    shown_rows,
    text_of,
    verified_domain,
    wait_for_preview,
)


async def test_address_then_copy_edit_and_save_a_public_template(context: Context):
    verified_domain(context, "mail.example.com")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # An address on the verified domain.
        await pilot.press("g", "a")
        await settle(pilot)
        assert isinstance(app.screen, AddressesScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, AddressForm)
        await pilot.press("tab", *"1noreply!", "tab", *"Northwind", "enter")
        await settle(pilot)
        # "1noreply!" is a valid dot-atom: the strict check allows ! in a local part.
        assert isinstance(app.screen, AddressesScreen)
        assert (
            list_addresses(context).rows[0]["preview"] == "Northwind <1noreply!@mail.example.com>"
        )

        # A public template, previewed, then copied into the editor.
        await pilot.press("g", "t")
        await settle(pilot)
        await pilot.press("2", "slash", *"one-time", "enter")
        await settle(pilot)
        assert [row[1] for row in shown_rows(app, "public-list")] == ["One-time code"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TemplatePreviewScreen)
        await pilot.press("c")
        await wait_for_preview(pilot)
        editor = app.screen
        assert isinstance(editor, TemplateEditorScreen)
        assert "482913" in text_of(app, "#preview-body")  # the public template's sample code

        # Edit the subject (one field down from the title, where the editor opens).
        await pilot.press("tab")
        await pilot.press("end", *" (Northwind)")
        await wait_for_preview(pilot)
        assert "(Northwind)" in text_of(app, "#preview-head")
        await pilot.press("shift+tab")  # the title: a new name
        await pilot.press("end", "backspace", "backspace", "backspace", "backspace", *"CODE")
        await wait_for_preview(pilot)
        assert "No problems" in text_of(app, "#problems")

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
        saved = get_template(context, int(list_templates(context, PageRequest()).rows[0].key))
        assert saved.title == "Copy of One-time CODE"
        assert saved.subject.endswith(" (Northwind)")
        assert saved.status == "approved"
        assert "code" in saved.parameters
