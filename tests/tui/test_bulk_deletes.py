"""Marked rows are what Delete acts on, on every list page, with the count in the
confirmation and a row that cannot go named with its reason (issue 17, item 3)."""

from __future__ import annotations

from kootui.core.domains import create_domain, list_domains
from kootui.core.senders import create_address, list_addresses
from kootui.core.store import TaskStatus
from kootui.core.templates import TemplateDraft, create_template, list_templates
from kootui.tui.widgets import ConfirmDialog
from tests.support.tui_domains import open_domains
from tests.support.tui_templates import (
    SIZE,
    add_task,
    build_app,
    notices,
    open_page,
    settle,
    verified_domain,
)


async def mark_all(pilot, count: int) -> None:
    for _ in range(count):
        await pilot.press("space")  # marks and moves on (k9s)
    await settle(pilot)


async def test_marked_addresses_are_deleted_and_one_in_use_is_named(context) -> None:
    domain_id = verified_domain(context, "mail.example.com")
    used = create_address(context, domain_id=domain_id, prefix="noreply").id
    create_address(context, domain_id=domain_id, prefix="billing")
    create_address(context, domain_id=domain_id, prefix="hello")
    template = create_template(context, TemplateDraft(title="T", body="<p>x</p>"))
    add_task(
        context, address_id=used, template_id=template.id, name="May", status=TaskStatus.SCHEDULED
    )
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "addresses")
        await mark_all(pilot, 3)
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.dialog_title == "Delete 3 sender addresses?"
        await pilot.press("y")
        await settle(pilot)
        said = notices(app)[-1]
        assert said.startswith("Deleted 2 sender addresses. Not deleted (1 sender address):")
        assert "noreply@mail.example.com" in said and '"May"' in said
    assert list_addresses(context).total == 1


async def test_marked_templates_are_deleted_together(context) -> None:
    for title in ("One", "Two", "Kept"):
        create_template(context, TemplateDraft(title=title, body="<p>x</p>"))
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        await mark_all(pilot, 2)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.dialog_title == "Delete 2 templates?"
        await pilot.press("y")
        await settle(pilot)
        assert "Deleted 2 templates." in notices(app)
    left = [row["title"] for row in list_templates(context).rows]
    assert len(left) == 1


async def test_marked_domains_ask_for_the_count_typed(context) -> None:
    create_domain(context, "one.example.com")
    create_domain(context, "two.example.com")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(app, pilot)
        await mark_all(pilot, 2)
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.dialog_title == "Delete 2 sender domains?"
        assert dialog.require_typing == "delete 2"
        await pilot.press("enter")  # nothing typed yet: Enter does not confirm
        await settle(pilot)
        assert app.screen is dialog
        await pilot.press(*"delete 2", "enter")
        await settle(pilot)
        assert "Deleted 2 sender domains." in notices(app)
    assert list_domains(context).total == 0
