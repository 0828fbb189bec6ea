"""Pilot tests of the Templates page: the two lists, copy, delete, preview and approval."""

from __future__ import annotations

import getpass

from textual.widgets import Input, TabbedContent

from kootui.core.context import Context
from kootui.core.senders import create_address
from kootui.core.store import PageRequest, TaskStatus
from kootui.core.templates import TemplateDraft, create_template, get_template, list_templates
from kootui.core.workspace import update_workspace
from kootui.tui.pages.templates.editor import TemplateEditorScreen
from kootui.tui.pages.templates.page import TemplatesScreen
from kootui.tui.pages.templates.preview import TemplatePreviewScreen
from kootui.tui.widgets import ConfirmDialog, FormDialog
from tests.support.tui_templates import (
    SIZE,
    add_task,
    build_app,
    notices,
    open_page,
    settle,
    shown_rows,
    text_of,
    verified_domain,
    wait_for_preview,
)


def mine(context: Context) -> list[str]:
    return [row["title"] for row in list_templates(context, PageRequest()).rows]


def draft(title: str, body: str = "<p>Hello {{name}}</p>") -> TemplateDraft:
    return TemplateDraft(title=title, subject="Hi {{name}}", body=body)


async def test_public_templates_are_listed_filtered_and_previewed_with_samples(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        assert "No templates yet" in text_of(app, "#mine-list .empty-state")
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.query_one(TabbedContent).active == "public"
        assert len(shown_rows(app, "public-list")) >= 16
        await pilot.press("slash", *"password", "enter")  # Enter applies and goes to the rows
        await settle(pilot)
        titles = [row[1] for row in shown_rows(app, "public-list")]
        assert titles == ["Password reset"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TemplatePreviewScreen)
        assert "Public template" in text_of(app, "#preview-title")
        body = text_of(app, "#preview-body")
        assert "{{" not in body  # the template's own sample values fill every parameter
        await pilot.press("escape")
        assert isinstance(app.screen, TemplatesScreen)


async def test_public_templates_cannot_be_edited_or_deleted(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("e")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
        said = notices(app)
        assert any("Public templates cannot be edited; press c to copy" in n for n in said)
        assert any("Public templates cannot be deleted" in n for n in said)


async def test_copy_a_public_template_and_save_it(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        await pilot.press("2")
        await pilot.press("slash", *"Welcome", "enter")
        await settle(pilot)
        await pilot.press("c")
        await wait_for_preview(pilot)
        editor = app.screen
        assert isinstance(editor, TemplateEditorScreen)
        assert editor.query_one("#title", Input).value.startswith("Copy of Welcome")
        # The copy keeps the public template's sample values.
        assert "{{" not in text_of(app, "#preview-body")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
        assert app.screen.query_one(TabbedContent).active == "mine"
        assert mine(context)[0].startswith("Copy of Welcome")
        assert shown_rows(app, "mine-list")[0][1].startswith("Copy of Welcome")


async def test_copy_one_of_my_templates_from_its_preview(context: Context):
    create_template(context, draft("Invoice"))
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TemplatePreviewScreen)
        assert "Hello {{name}}" in text_of(app, "#preview-body")
        await pilot.press("c")
        await wait_for_preview(pilot)
        assert isinstance(app.screen, TemplateEditorScreen)
        assert app.screen.query_one("#title", Input).value == "Copy of Invoice"


async def test_edit_one_of_my_templates(context: Context):
    template_id = create_template(context, draft("Invoice")).id
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        await pilot.press("e")
        await wait_for_preview(pilot)
        editor = app.screen
        assert isinstance(editor, TemplateEditorScreen)
        editor.query_one("#subject", Input).value = "Your invoice, {{name}}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert get_template(context, template_id).subject == "Your invoice, {{name}}"


async def test_delete_after_confirming_and_the_refusal_while_a_task_uses_it(context: Context):
    used = create_template(context, draft("Used"))
    create_template(context, draft("Unused"))
    address = create_address(
        context, domain_id=verified_domain(context, "mail.example.com"), prefix="n"
    )
    add_task(
        context,
        address_id=address.id,
        template_id=used.id,
        name="Big send",
        status=TaskStatus.SENDING,
    )
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        rows = [row[1] for row in shown_rows(app, "mine-list")]
        assert rows == ["Used", "Unused"]
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert any('used by task "Big send"' in notice for notice in notices(app))
        assert mine(context) == ["Used", "Unused"]

        await pilot.press("down", "d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert mine(context) == ["Used"]
        assert [row[1] for row in shown_rows(app, "mine-list")] == ["Used"]


async def test_approve_and_reject_in_a_sensitive_workspace(context: Context):
    update_workspace(context, sensitive_industry=True)
    first = create_template(context, draft("Bill"))
    second = create_template(context, draft("Promo"))
    assert first.status == second.status == "approving"
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        assert "Sensitive industry" in text_of(app, "#approval-note")
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        approved = get_template(context, first.id)
        assert approved.status == "approved" and approved.reviewed_by == getpass.getuser()

        await pilot.press("down", "x")
        form = app.screen
        assert isinstance(form, FormDialog)
        await pilot.press("enter")  # no reason: refused beside the field
        await settle(pilot)
        assert "give a reason" in text_of(app, "#error-reason")
        await pilot.press(*"too pushy", "enter")
        await settle(pilot)
        rejected = get_template(context, second.id)
        assert (rejected.status, rejected.review_reason) == ("rejected", "too pushy")
        rows = shown_rows(app, "mine-list")
        assert rows[1][3:5] == ["● Rejected", "too pushy"]
        assert "rejected: too pushy" in text_of(app, "#template-status")

        await pilot.press("a")  # already reviewed: says why nothing happens
        assert any("not waiting for approval" in notice for notice in notices(app))


async def test_approval_keys_explain_a_workspace_that_is_not_sensitive(context: Context):
    create_template(context, draft("Bill"))
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        assert "not marked a sensitive industry" in text_of(app, "#approval-note")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
        assert any("nothing to approve" in notice for notice in notices(app))


async def test_advanced_search_by_status(context: Context):
    create_template(context, draft("Early"))
    update_workspace(context, sensitive_industry=True)
    create_template(context, draft("Waiting"))
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        screen = app.screen
        assert isinstance(screen, TemplatesScreen)
        panel = screen.query_one("#mine-list")
        panel.table.set_advanced({"status": "approving"})
        await settle(pilot)
        assert [row[1] for row in shown_rows(app, "mine-list")] == ["Waiting"]
        panel.table.set_advanced({"id": "x"})
        await settle(pilot)
        assert "must be a template ID (a number)" in text_of(app, "#mine-list .field-error")
