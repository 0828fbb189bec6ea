"""The pages added this evening (Webhooks, Packages, Destinations, Access) in the usual SSH
window, 80x24: what the window cuts ends in an ellipsis, and a form's buttons stay on
screen."""

from __future__ import annotations

from textual.geometry import Region
from textual.widgets import Button, DataTable, Input, Label, Static

from kootui.tui.widgets.form import FormDialog
from kootui.tui.widgets.page_grid import PageGrid
from tests.support.tui_shell import build_app, footer_keys, settle

SSH_SIZE = (80, 24)


def lines_of(widget) -> list[str]:  # type: ignore[no-untyped-def]
    """Every line the widget draws, its padding included."""
    whole = Region(0, 0, *widget.outer_size)
    return [strip.text for strip in widget.render_lines(whole)]


async def test_destinations_say_where_the_window_cuts(demo):
    app = build_app(demo)
    async with app.run_test(size=SSH_SIZE) as pilot:
        await settle(pilot)
        app.go_page("destinations")
        await settle(pilot)
        rate = app.screen.query_one("#destination-rate", Static)
        shown = " ".join(line.strip() for line in lines_of(rate))
        assert shown.endswith("the outbox has no limits"), shown
        grid = app.screen.query_one(PageGrid)
        header, first_row = lines_of(grid)[:2]
        assert header.endswith("…") and first_row.endswith("…")

        # Its form is longer than the window: the fields scroll, the buttons stay.
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        save = form.query_one("#form-submit", Button)
        assert form.region.contains_region(save.region)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, FormDialog)


async def test_a_webhook_form_label_wraps_instead_of_being_cut(demo):
    app = build_app(demo)
    async with app.run_test(size=SSH_SIZE) as pilot:
        await settle(pilot)
        app.go_page("webhooks")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert footer_keys(app) == {"^s": "Add", "esc": "Cancel"}, "the key says what it does"
        events = app.screen.query_one("#form-field-events").query_one(Label)
        assert events.region.right <= events.parent.region.right, "drawn past its field"
        text = " ".join(line.strip() for line in lines_of(events))
        assert text.endswith("opened, clicked"), text


async def test_access_tables_say_where_the_window_cuts(demo):
    app = build_app(demo)
    async with app.run_test(size=SSH_SIZE) as pilot:
        await settle(pilot)
        app.go_page("access")
        await settle(pilot)
        users = app.screen.query_one("#users-table", DataTable)
        assert lines_of(users)[0].rstrip().endswith("…")
        await pilot.press("4")  # the audit log: its filters' hints show whole
        await settle(pilot)
        for field in app.screen.query("#audit-log-filters Input, #audit-user, #audit-action"):
            assert isinstance(field, Input)
            assert len(field.placeholder) <= field.content_region.width, field.placeholder
