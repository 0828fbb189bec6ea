"""Pilot tests of a domain's details screen: records, doctor, snippet, copy, save, rotate."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from kootui.core.context import Context
from kootui.core.domains import domain_records, zone_snippet
from kootui.core.store import RecordStatus
from kootui.tui.pages.domains.details import DomainDetailsScreen
from kootui.tui.widgets import ConfirmDialog, FormDialog
from kootui.tui.widgets.record_table import RecordTable
from tests.support import tui_domains as domains_support
from tests.support.dns_server import LoopbackDnsServer
from tests.support.tui_domains import (
    add_domains,
    build_app,
    notices,
    open_domains,
    settle,
    text_of,
)
from tests.support.tui_shell import paste_into, type_into

# The loopback DNS server and a store whose settings point at it (pytest fixtures).
dns_server = domains_support.dns_server
dns_context = domains_support.dns_context

SIZE = (120, 40)


def table_rows(app) -> list[list[str]]:
    table = app.screen.query_one(RecordTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_details(app, pilot) -> DomainDetailsScreen:
    await open_domains(app, pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, DomainDetailsScreen)
    return app.screen


async def test_details_show_records_doctor_and_snippet(
    dns_context: Context, dns_server: LoopbackDnsServer
):
    (domain_id,) = add_domains(dns_context, "mail.example.com")
    snippet = zone_snippet(dns_context, domain_id)
    dns_server.load_bind(snippet, origin="mail.example.com")
    dns_server.set("_dmarc.mail.example.com", "TXT", "v=DMARC1; p=none", "v=DMARC1; p=reject")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        rows = table_rows(app)
        assert [row[0] for row in rows] == ["TXT*", "TXT*", "TXT", "CNAME", "MX", "MX", "TXT"]
        assert [row[1] for row in rows] == [
            "kootui1._domainkey.mail.example.com",
            "mail.example.com",
            "_dmarc.mail.example.com",
            "tracking.mail.example.com",
            "mail.example.com",
            "bounce.mail.example.com",
            "bounce.mail.example.com",
        ]
        # Opening the details asked DNS: DKIM and SPF answer right, DMARC has two records.
        assert [row[4] for row in rows] == [
            "● Successful",
            "● Successful",
            "● Failed",
            "● Successful",
            "● Successful",
            "● Successful",
            "● Successful",
        ]
        assert "Verification passed" in text_of(app, "#domain-heading")
        doctor = text_of(app, "#doctor")
        assert f"    127.0.0.1:{dns_server.port}  v=DKIM1; k=rsa; p=" in doctor
        assert "v=DMARC1; p=reject" in doctor and "✗ extra DMARC record" in doctor
        assert "→ 2 DMARC records; receivers ignore DMARC" in doctor
        assert "DMARC (optional) TXT _dmarc.mail.example.com  ● Failed" in doctor
        assert text_of(app, "#snippet") == snippet.rstrip("\n")


async def test_copy_puts_the_snippet_on_the_clipboard(dns_context: Context):
    (domain_id,) = add_domains(dns_context, "mail.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await pilot.press("c")
        assert app.clipboard == zone_snippet(dns_context, domain_id)
        assert any(
            n.startswith("Copied the zone snippet of mail.example.com") for n in notices(app)
        )


async def test_save_the_snippet_to_a_file_and_see_a_bad_path_beside_the_field(
    dns_context: Context, tmp_path: Path
):
    (domain_id,) = add_domains(dns_context, "mail.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await pilot.press("w")
        assert isinstance(app.screen, FormDialog)
        field = app.screen.query_one("#field-path", Input)
        assert field.value == "mail.example.com.zone"
        await paste_into(pilot, field, str(tmp_path / "no-such-folder" / "x.zone"))
        await pilot.press("enter")
        await settle(pilot)
        assert "cannot write" in text_of(app, "#error-path")
        await type_into(pilot, field, "")
        await pilot.press("enter")
        await settle(pilot)
        assert "type the file to write" in text_of(app, "#error-path")

        await paste_into(pilot, field, str(tmp_path / "mail.zone"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DomainDetailsScreen)
        saved = tmp_path / "mail.zone"
        assert saved.read_text(encoding="utf-8") == zone_snippet(dns_context, domain_id)
        assert f"Saved the zone snippet to {saved}" in notices(app)


async def test_rotating_the_dkim_key_adds_the_next_selector(
    dns_context: Context, dns_server: LoopbackDnsServer
):
    (domain_id,) = add_domains(dns_context, "mail.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        names = [row[1] for row in table_rows(app)]
        assert names[:2] == [
            "kootui1._domainkey.mail.example.com",
            "kootui2._domainkey.mail.example.com",
        ]
        assert "kootui2._domainkey.mail.example.com." in text_of(app, "#snippet")

        # The new record is published and checked: it takes over, the old one retires.
        dns_server.load_bind(zone_snippet(dns_context, domain_id), origin="mail.example.com")
        await pilot.press("v")
        await settle(pilot)
        records = domain_records(dns_context, domain_id)
        assert records[0].name == "kootui2._domainkey.mail.example.com"
        assert records[0].status == RecordStatus.PASSED
        assert "DKIM selector kootui2" in text_of(app, "#domain-facts")


async def test_escape_goes_back_to_the_list(dns_context: Context):
    add_domains(dns_context, "mail.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "domains"
        assert not isinstance(app.screen, DomainDetailsScreen)
