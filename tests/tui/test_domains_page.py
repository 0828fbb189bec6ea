"""Pilot tests of the Sender Domains list: add, rename, delete and verify by keyboard."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from textual.widgets import Input

from kootui.core.context import Context
from kootui.core.domains import domain_records, get_domain, list_domains, zone_snippet
from kootui.core.store import DomainStatus, RecordStatus, SenderAddress
from kootui.core.workspace import update_workspace
from kootui.tui.pages.domains.details import DomainDetailsScreen
from kootui.tui.pages.domains.page import DomainsScreen
from kootui.tui.widgets import ConfirmDialog, FormDialog
from tests.support import tui_domains as domains_support
from tests.support.dns_server import LoopbackDnsServer, Misbehaviour
from tests.support.tui_domains import (
    add_domains,
    build_app,
    notices,
    open_domains,
    settle,
    shown_rows,
    text_of,
)
from tests.support.tui_shell import type_into

# The loopback DNS server and a store whose settings point at it (pytest fixtures).
dns_server = domains_support.dns_server
dns_context = domains_support.dns_context

SIZE = (120, 40)


async def test_add_a_domain_by_keyboard_with_the_error_beside_the_field(dns_context: Context):
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        assert "No sender domains yet. Press n" in text_of(app, ".empty-state")
        await pilot.press("n")
        assert isinstance(app.screen, FormDialog)
        await type_into(pilot, app.screen.query_one("#field-name", Input), "bad_name!.com")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)  # still open, with what was typed
        error = text_of(app, "#error-name")  # our words, not the IDNA library's (issue 17, 15)
        assert "'_' (low line) at character 4 is not allowed" in error and "Codepoint" not in error
        assert app.screen.query_one("#field-name", Input).value == "bad_name!.com"

        await type_into(pilot, app.screen.query_one("#field-name", Input), "Mail.Example.COM")
        await pilot.press("enter")
        await settle(pilot)
        # A new domain opens on its records: what to publish comes first.
        assert isinstance(app.screen, DomainDetailsScreen)
        assert "kootui1._domainkey.mail.example.com" in text_of(app, "#snippet")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DomainsScreen)
        assert shown_rows(app)[0][0] == "mail.example.com"  # stored lower-case
        assert list_domains(dns_context).total == 1


async def test_the_domain_limit_is_shown_beside_the_name(dns_context: Context):
    update_workspace(dns_context, max_domains=1)
    add_domains(dns_context, "one.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        await pilot.press("n")
        await type_into(pilot, app.screen.query_one("#field-name", Input), "two.example.com")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        assert "at most 1 sender domains" in text_of(app, "#error-name")
        assert list_domains(dns_context).total == 1


async def test_a_duplicate_in_the_other_form_is_refused(dns_context: Context):
    add_domains(dns_context, "xn--bcher-kva.example")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        assert shown_rows(app)[0][0] == "bücher.example"  # shown in Unicode
        await pilot.press("n")
        await type_into(pilot, app.screen.query_one("#field-name", Input), "BÜCHER.example")
        await pilot.press("enter")
        await settle(pilot)
        assert "bücher.example is already a sender domain" in text_of(app, "#error-name")


async def test_rename_starts_verification_over(dns_context: Context):
    (domain_id,) = add_domains(dns_context, "old.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        await pilot.press("e")
        field = app.screen.query_one("#field-name", Input)
        assert field.value == "old.example.com"
        await type_into(pilot, field, "new.example.com")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DomainsScreen)
        assert shown_rows(app)[0][:3] == ["new.example.com", "● Verifying", "0/2"]
        assert get_domain(dns_context, domain_id).status_reason == "renamed; not checked yet"


async def test_delete_an_unused_domain_after_confirming(dns_context: Context):
    add_domains(dns_context, "keep.example.com", "gone.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        await pilot.press("down", "d")  # the list is oldest first: the second row
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "Delete gone.example.com?" in str(app.screen.query_one("#confirm-title").render())
        await pilot.press("n")  # declining keeps it
        await settle(pilot)
        assert list_domains(dns_context).total == 2
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert [row[0] for row in shown_rows(app)] == ["keep.example.com"]
        assert "Deleted gone.example.com." in notices(app)


def _add_address(context: Context, domain_id: int, local_part: str) -> None:
    with context.store.session() as session:
        session.add(
            SenderAddress(
                domain_id=domain_id,
                local_part=local_part,
                alias="",
                created_at=context.clock.now(),
            )
        )


async def test_delete_a_domain_in_use_lists_its_addresses_and_asks_twice(dns_context: Context):
    (domain_id,) = add_domains(dns_context, "used.example.com")
    _add_address(dns_context, domain_id, "noreply")
    _add_address(dns_context, domain_id, "billing")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        await pilot.press("d")
        await settle(pilot)
        message = text_of(app, "#confirm-message")
        assert "billing@used.example.com" in message and "noreply@used.example.com" in message
        await pilot.press("y")  # first: yes, them too ...
        await settle(pilot)
        second = app.screen
        assert isinstance(second, ConfirmDialog) and second.require_typing == "used.example.com"
        await pilot.press("y", "enter")  # ... a stray key cannot confirm the second
        assert app.screen is second
        await type_into(pilot, second.query_one("#confirm-typed", Input), "used.example.com")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DomainsScreen)
        assert list_domains(dns_context).total == 0
        with dns_context.store.session() as session:
            assert session.exec(select(SenderAddress)).all() == []
        assert "Deleted used.example.com and 2 sender addresses." in notices(app)


async def test_verify_now_turns_the_records_green(
    dns_context: Context, dns_server: LoopbackDnsServer
):
    (domain_id,) = add_domains(dns_context, "mail.example.com")
    dns_server.load_bind(zone_snippet(dns_context, domain_id), origin="mail.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        assert shown_rows(app)[0][1:3] == ["● Verifying", "0/2"]
        await pilot.press("v")
        await settle(pilot)
        assert shown_rows(app)[0][1:4] == ["● Passed", "2/2", "2026-11-23 15:30"]
        assert any(
            "mail.example.com: Verification passed (2/2 required records pass)" in n
            for n in notices(app)
        )
        assert {r.label: r.status for r in domain_records(dns_context, domain_id)} == {
            "DKIM": RecordStatus.PASSED,
            "SPF": RecordStatus.PASSED,
            "DMARC": RecordStatus.PASSED,
            "Tracking": RecordStatus.PASSED,
            "MX": RecordStatus.PASSED,
            "Bounce MX": RecordStatus.PASSED,
            "Bounce SPF": RecordStatus.PASSED,
        }


async def test_verify_now_says_why_a_domain_failed(dns_context: Context):
    add_domains(dns_context, "mail.example.com")
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        await pilot.press("v")
        await settle(pilot)
        assert shown_rows(app)[0][1] == "● Failed"
        assert "DKIM: no TXT record at kootui1._domainkey.mail.example.com" in text_of(
            app, "#domain-reason"
        )


async def test_verify_now_when_dns_does_not_answer_keeps_the_status(
    dns_context: Context, dns_server: LoopbackDnsServer
):
    add_domains(dns_context, "mail.example.com")
    for name in ("kootui1._domainkey.mail.example.com", "mail.example.com"):
        dns_server.misbehave(name, Misbehaviour.TIMEOUT)
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        await pilot.press("v")
        await settle(pilot)
        assert shown_rows(app)[0][1] == "● Verifying"
        warned = [n for n in app._notifications if "DNS could not be asked" in n.message]
        assert warned and warned[0].severity == "warning"
        assert "the status stays Verifying and kootui retries on its own" in warned[0].message


async def test_the_background_check_tells_the_user_a_status_changed(
    dns_context: Context, dns_server: LoopbackDnsServer
):
    (domain_id,) = add_domains(dns_context, "mail.example.com")  # due at once
    app = build_app(dns_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        dns_server.load_bind(zone_snippet(dns_context, domain_id), origin="mail.example.com")
        assert app.domain_checks.check_now() is not None
        await settle(pilot)
        assert "mail.example.com: Verifying → Verification passed" in notices(app)
        assert shown_rows(app)[0][1] == "● Passed"  # the page on screen follows

        # Nothing is due for an hour: another round asks nothing and says nothing.
        asked = len(dns_server.queries)
        app.domain_checks.check_now()
        await settle(pilot)
        assert len(dns_server.queries) == asked

        # An hour later the DKIM record is gone: the check says so.
        dns_server.remove("kootui1._domainkey.mail.example.com")
        dns_context.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
        app.domain_checks.check_now()
        await settle(pilot)
        failed = [n for n in notices(app) if "Verification passed → Verification failed" in n]
        assert failed and "DKIM: no TXT record" in failed[0]
        assert get_domain(dns_context, domain_id).status == DomainStatus.FAILED
