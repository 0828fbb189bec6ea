"""Pilot tests of the Sender Addresses page: create by keyboard, filter, delete."""

from __future__ import annotations

from textual.widgets import Input, Select

from kootui.core.context import Context
from kootui.core.domains import create_domain
from kootui.core.senders import create_address, list_addresses
from kootui.core.store import DomainStatus, TaskStatus
from kootui.core.templates import TemplateDraft, create_template
from kootui.tui.pages.addresses.page import AddressesScreen, AddressForm
from kootui.tui.widgets import ConfirmDialog
from tests.support.tui_shell import filters_applied, wait_until
from tests.support.tui_templates import (
    SIZE,
    add_task,
    build_app,
    notices,
    open_page,
    set_domain_status,
    settle,
    shown_rows,
    text_of,
    verified_domain,
)


async def test_create_an_address_by_keyboard_with_errors_beside_the_field(context: Context):
    verified_domain(context, "mail.example.com")
    create_domain(context, "pending.example.com")  # not verified: never offered
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "addresses")
        assert "No sender addresses yet" in text_of(app, ".empty-state")
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AddressForm)
        select = form.query_one("#field-domain_id", Select)
        offered = [str(prompt) for prompt, _value in select._options if _value is not Select.NULL]
        assert offered == ["mail.example.com"]
        assert select.value is not Select.NULL  # the only verified domain is chosen already

        # Focus starts on the domain; tab to the prefix and type a prefix with a space.
        await pilot.press("tab", *"no reply", "tab", *"Northwind Shop")
        assert "Northwind Shop <no reply@mail.example.com>" in text_of(app, "#address-preview")
        await pilot.press("enter")  # the last text field submits
        await settle(pilot)
        assert isinstance(app.screen, AddressForm)  # still open, with what was typed
        assert "invalid characters before the @-sign: SPACE" in text_of(app, "#error-prefix")
        assert app.screen.query_one("#field-prefix", Input).value == "no reply"

        prefix = app.screen.query_one("#field-prefix", Input)
        prefix.value = ""
        prefix.focus()
        await pilot.press(*"noreply")
        assert "Northwind Shop <noreply@mail.example.com>" in text_of(app, "#address-preview")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AddressesScreen)
        rows = shown_rows(app)
        assert rows[0][:3] == ["noreply@mail.example.com", "Northwind Shop", "● Usable"]
        assert list_addresses(context).total == 1


async def test_a_duplicate_is_refused_beside_the_prefix(context: Context):
    domain_id = verified_domain(context, "mail.example.com")
    create_address(context, domain_id=domain_id, prefix="hello")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "addresses")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("tab", *"HELLO", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AddressForm)
        assert "HELLO@mail.example.com already exists" in text_of(app, "#error-prefix")


async def test_no_verified_domain_means_no_form_and_says_where_to_go(context: Context):
    create_domain(context, "pending.example.com")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "addresses")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, AddressesScreen)
        assert any("No verified sender domain yet" in notice for notice in notices(app))


async def test_an_address_whose_domain_lost_verification_says_so(context: Context):
    domain_id = verified_domain(context, "mail.example.com")
    create_address(context, domain_id=domain_id, prefix="news", alias="News")
    set_domain_status(context, domain_id, DomainStatus.FAILED)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "addresses")
        assert shown_rows(app)[0][2] == "● Domain not verified"
        status = text_of(app, "#address-status")
        assert "mail.example.com is not verified (failed)" in status
        assert "cannot be chosen for new tasks" in status


async def test_filter_by_address_substring(context: Context):
    domain_id = verified_domain(context, "mail.example.com")
    other_id = verified_domain(context, "shop.example.org")
    create_address(context, domain_id=domain_id, prefix="billing")
    create_address(context, domain_id=other_id, prefix="hello")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "addresses")
        assert len(shown_rows(app)) == 2
        await pilot.press("slash", *"shop.ex")
        await wait_until(pilot, lambda: filters_applied(app), "the typed filter is applied")
        assert [row[0] for row in shown_rows(app)] == ["hello@shop.example.org"]


async def test_delete_is_refused_while_a_task_uses_the_address(context: Context):
    domain_id = verified_domain(context, "mail.example.com")
    used = create_address(context, domain_id=domain_id, prefix="noreply").id
    template = create_template(context, TemplateDraft(title="T", body="<p>x</p>"))
    add_task(
        context,
        address_id=used,
        template_id=template.id,
        name="May newsletter",
        status=TaskStatus.SCHEDULED,
    )
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "addresses")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        refusal = notices(app)[-1]
        assert 'used by task "May newsletter"' in refusal and "scheduled" in refusal
        assert list_addresses(context).total == 1


async def test_delete_an_unused_address_after_confirming(context: Context):
    domain_id = verified_domain(context, "mail.example.com")
    create_address(context, domain_id=domain_id, prefix="old")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "addresses")
        await pilot.press("d", "n")  # declined: nothing happens
        await settle(pilot)
        assert list_addresses(context).total == 1
        await pilot.press("d", "y")
        await settle(pilot)
        assert list_addresses(context).total == 0
        assert "Deleted old@mail.example.com." in notices(app)
