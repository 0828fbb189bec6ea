"""The shared widgets and the detail pages show outside text as text: a stored name in a
details panel, a confirm question, a form error, a template preview's sender, a domain's
DNS answer and a server's SMTP reply keep their brackets and show their controls."""

from __future__ import annotations

from sqlalchemy import update
from textual.widgets import DataTable, Label, Static

from kootui.core.context import Context
from kootui.core.domains import zone_snippet
from kootui.core.errors import ValidationError
from kootui.core.store import DeliveryAttempt
from kootui.tui.pages.details.message import MessageDetailScreen
from kootui.tui.pages.domains.details import DomainDetailsScreen
from kootui.tui.widgets import ConfirmDialog, DetailField, DetailsScreen, FormDialog, TextField
from kootui.tui.widgets.file_picker import FilePicker
from kootui.tui.widgets.record_table import RecordTable
from kootui.tui.widgets.template_preview import PreviewPanel
from tests.support import tui_domains as domains_support
from tests.support.dns_server import LoopbackDnsServer
from tests.support.outside_text import HOSTILE, SHOWN, drawn_text, drives_nothing
from tests.support.tui_details import highlight, open_details, seed_details
from tests.support.tui_domains import add_domains, open_domains, settle_details
from tests.support.tui_shell import build_app, settle

dns_server = domains_support.dns_server
dns_context = domains_support.dns_context

WIDE = (160, 50)


async def test_the_details_panel_shows_a_stored_value_as_text(context):
    app = build_app(context)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = DetailsScreen(f"Task {HOSTILE}", [DetailField("Name", HOSTILE)])
        app.push_screen(screen)
        await settle(pilot)
        drawn = drawn_text(screen.query_one(".detail-value", Static))
        assert SHOWN in drawn
        assert drives_nothing(drawn)
        assert SHOWN in drawn_text(screen.query_one("#details-title", Label))


async def test_the_confirm_dialog_shows_the_name_it_asks_about_as_text(context):
    app = build_app(context)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        dialog = ConfirmDialog("Delete?", f"Delete task “{HOSTILE}”?", destructive=True)
        app.push_screen(dialog)
        await settle(pilot)
        drawn = drawn_text(dialog.query_one("#confirm-message", Static))
        assert f"Delete task “{SHOWN}”?" in drawn
        assert drives_nothing(drawn)


async def test_a_form_error_quoting_what_was_typed_is_shown_as_text(context):
    def refuse(values: dict[str, object]) -> None:
        raise ValidationError(f"{values['name']} is taken", field="name")

    app = build_app(context)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        form: FormDialog[None] = FormDialog("New", [TextField("name", "Name", HOSTILE)], refuse)
        app.push_screen(form)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        drawn = drawn_text(form.query_one("#error-name", Static))
        assert f"{SHOWN} is taken" in drawn
        assert drives_nothing(drawn)


async def test_the_template_preview_shows_the_sender_as_text(context):
    app = build_app(context)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        panel = PreviewPanel()
        await app.screen.mount(panel)
        panel.set_sender(f"{HOSTILE} <news@example.com>", None)
        await settle(pilot)
        drawn = drawn_text(panel.query_one("#preview-head", Static))
        assert "[red]FAKE[/]" in drawn
        assert drives_nothing(drawn)


async def test_a_dns_answer_with_controls_is_shown_as_text(
    dns_context: Context, dns_server: LoopbackDnsServer
):
    (domain_id,) = add_domains(dns_context, "mail.example.com")
    dns_server.load_bind(zone_snippet(dns_context, domain_id), origin="mail.example.com")
    # Short enough for the record table's Found column (13 characters).
    dns_server.set("_dmarc.mail.example.com", "TXT", "[b]x[/b]\x1b\u202e")
    app = build_app(dns_context)
    async with app.run_test(size=WIDE) as pilot:
        await open_domains(app, pilot)
        await pilot.press("enter")
        await settle_details(pilot)
        screen = app.screen
        assert isinstance(screen, DomainDetailsScreen)
        records = drawn_text(screen.query_one(RecordTable))
        doctor = drawn_text(screen.query_one("#doctor", Static))
        assert "[b]x[/b]␛\\u202e" in doctor
        assert "[b]x[/b]␛" in records
        assert drives_nothing(records + doctor)


async def test_an_smtp_reply_with_markup_is_shown_as_text(context):
    seeded = seed_details(context)
    reply = "550 5.1.1 [red]FAKE delivered[/] \x1b[2J\u202e"
    with context.store.session() as session:
        session.execute(
            update(DeliveryAttempt)
            .where(DeliveryAttempt.message_id == seeded.rejected)
            .values(reply_text=reply, remote_host=f"mx.{HOSTILE}")
        )
    app = build_app(context)
    async with app.run_test(size=WIDE) as pilot:
        await open_details(app, pilot)
        await highlight(app, seeded.rejected)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MessageDetailScreen)
        shown_reply = "550 5.1.1 [red]FAKE delivered[/] ␛[2J\\u202e"
        cells = [str(cell) for cell in screen.query_one("#attempts", DataTable).get_row_at(0)]
        assert shown_reply in cells
        assert f"mx.{SHOWN}" in cells
        drawn = drawn_text(screen.query_one("#attempt-reply", Static))
        assert shown_reply in drawn
        assert drives_nothing(drawn + drawn_text(screen.query_one("#attempts", DataTable)))


async def test_the_workspace_name_in_the_header_is_shown_as_text(context):
    app = build_app(context)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.show_workspace_name(HOSTILE)
        await settle(pilot)
        drawn = drawn_text(app.screen.query_one("#workspace-name", Static))
        assert SHOWN[:20] in drawn  # the header gives the name only so much room
        assert drives_nothing(drawn)
        assert app.sub_title == SHOWN


async def test_the_file_picker_error_quoting_the_typed_path_is_shown_as_text(context, tmp_path):
    app = build_app(context)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        picker = FilePicker("Upload", start=tmp_path, suffixes=(".xlsx",))
        app.push_screen(picker)
        await pilot.pause()  # not settle: the directory tree's loader never finishes
        picker.choose(str(tmp_path / "[red]gone[/]\x1b\u202e.xlsx"))
        await pilot.pause()
        drawn = drawn_text(picker.query_one("#picker-error", Static))
        assert "[red]gone[/]␛\\u202e.xlsx" in drawn.replace("\n", "")  # the line wraps
        assert drives_nothing(drawn)
