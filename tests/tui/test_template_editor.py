"""Pilot tests of the template editor: the live preview, problems, samples, save, upload."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, Select, TextArea

from kootui.core.context import Context
from kootui.core.store import PageRequest
from kootui.core.templates import TemplateDraft, create_template, get_template, list_templates
from kootui.tui.app import KootuiApp
from kootui.tui.pages.templates.editor import TemplateEditorScreen
from kootui.tui.pages.templates.page import TemplatesScreen
from kootui.tui.widgets import ConfirmDialog, FormDialog
from kootui.tui.widgets.param_samples import ParamSamples
from kootui.tui.widgets.template_preview import PreviewOutcome, compute_preview
from tests.support.tui_templates import (
    SIZE,
    build_app,
    notices,
    open_page,
    settle,
    text_of,
    wait_for_preview,
)


async def open_new_editor(app: KootuiApp, pilot: object) -> TemplateEditorScreen:
    await open_page(app, pilot, "templates")
    await pilot.press("n")  # type: ignore[attr-defined]
    await wait_for_preview(pilot)
    editor = app.screen
    assert isinstance(editor, TemplateEditorScreen)
    return editor


async def type_body(pilot: object, editor: TemplateEditorScreen, text: str) -> None:
    body = editor.query_one("#body", TextArea)
    body.load_text("")
    body.focus()
    keys = ["enter" if character == "\n" else character for character in text]
    await pilot.press(*keys)  # type: ignore[attr-defined]


def my_template_count(context: Context) -> int:
    return list_templates(context, PageRequest()).total


async def test_typing_updates_the_preview_after_a_pause(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_new_editor(app, pilot)
        await type_body(pilot, editor, "<p>Hello {{first}}, see {{link}}</p>")
        await wait_for_preview(pilot)
        assert "Hello {{first}}, see {{link}}" in text_of(app, "#preview-body")
        assert editor.query_one(ParamSamples).parameters == ("first", "link")
        # The plain-text part follows the HTML until it is edited.
        assert "Hello {{first}}" in editor.query_one("#text-body", TextArea).text

        editor.query_one("#subject", Input).focus()
        await pilot.press(*"Hi {{first}}")
        await wait_for_preview(pilot)
        assert "Subject: Hi {{first}}" in text_of(app, "#preview-head")


async def test_sample_values_change_the_preview(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_new_editor(app, pilot)
        await type_body(pilot, editor, "<p>Dear {{name}}</p>")
        await wait_for_preview(pilot)
        editor.query_one(ParamSamples).value_input("name").focus()
        await pilot.press(*"Ana <b>")
        await wait_for_preview(pilot)
        # Escaped in the HTML part, so the reader sees the characters, not a tag.
        assert "Dear Ana <b>" in text_of(app, "#preview-body")


async def test_a_refused_construct_shows_line_and_column_and_save_is_refused(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_new_editor(app, pilot)
        editor.query_one("#title", Input).value = "Shouting"
        await type_body(pilot, editor, "<p>Hi</p>\n<p>{{ x|upper }}</p>")
        await wait_for_preview(pilot)
        problems = text_of(app, "#problems")
        assert "Body, line 2, column 8: a filter ('|') is not allowed" in problems
        assert "filter" in problems.lower()
        assert "waits until the problems are fixed" in text_of(app, "#preview-note")

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TemplateEditorScreen)  # still editing
        assert any("line 2, column" in notice for notice in notices(app))
        assert my_template_count(context) == 0


async def test_a_new_template_is_saved_with_its_derived_text_part(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_new_editor(app, pilot)
        editor.query_one("#title", Input).focus()
        await pilot.press(*"Receipt")
        await type_body(pilot, editor, "<p>Paid {{amount}}</p>")
        await wait_for_preview(pilot)
        assert "No problems" in text_of(app, "#problems")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
        saved = get_template(context, int(list_templates(context).rows[0].key))
        assert (saved.title, saved.parameters, saved.status) == ("Receipt", ("amount",), "approved")
        assert saved.text_body.strip() == "Paid {{amount}}"


async def test_an_edited_text_part_is_kept_when_the_html_changes(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_new_editor(app, pilot)
        text_part = editor.query_one("#text-body", TextArea)
        text_part.load_text("")
        text_part.focus()
        await pilot.press(*"My own words")
        await type_body(pilot, editor, "<p>Other words</p>")
        await wait_for_preview(pilot)
        assert text_part.text == "My own words"
        assert "yours, kept as the HTML changes" in str(editor.query_one("#text-label").render())


async def test_the_editor_opens_on_the_title_and_says_how_to_leave_the_body(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_new_editor(app, pilot)
        body_before = editor.query_one("#body", TextArea).text
        await pilot.press(*"Spring sale")  # issue 17, item 5: this landed in the body
        assert editor.query_one("#title", Input).value == "Spring sale"
        assert editor.query_one("#body", TextArea).text == body_before
        assert "esc leaves the body" in str(editor.query_one("#body-label").render())
        body = editor.query_one("#body", TextArea)
        body.focus()
        await pilot.press("tab")  # indents, as the line says
        assert app.focused is body
        await pilot.press("escape")
        assert app.focused is not body and isinstance(app.screen, TemplateEditorScreen)


async def test_closing_with_changes_asks_first(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_new_editor(app, pilot)
        await type_body(pilot, editor, "<p>x</p>")
        await pilot.press("escape")  # the body's editor hands focus on (tab indents there)
        assert isinstance(app.screen, TemplateEditorScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert isinstance(app.screen, TemplateEditorScreen)


async def test_upload_replaces_the_body_after_confirming_what_was_removed(
    context: Context, tmp_path: Path
):
    page = tmp_path / "newsletter.html"
    page.write_bytes(
        b'<html><head><meta charset="windows-1252"></head><body>'
        b"<p>Caf\xe9 news for {{name}}</p><script>steal()</script>"
        b'<a href="https://example.com" onclick="x()">more</a></body></html>'
    )
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_new_editor(app, pilot)
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, FormDialog)
        field = app.screen.query_one("#field-upload", Input)
        field.value = f"{tmp_path}/"
        field.cursor_position = len(field.value)
        await pilot.press(*"news")
        await settle(pilot)  # the suggester runs in a worker
        await pilot.press("right")  # accepts the completion
        assert field.value == str(page)
        await pilot.press("enter")
        await settle(pilot)
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        message = text_of(app, "#confirm-message")
        assert "Charset: cp1252 (<meta charset> in the file)" in message
        assert "1 script" in message and "onclick" in message
        assert "overwrites the existing body" in message
        await pilot.press("y")
        await wait_for_preview(pilot)
        body = editor.query_one("#body", TextArea).text
        assert "Café news for {{name}}" in body and "<script" not in body
        assert "onclick" not in body
        assert editor.query_one("#body-type", Select).value == "html"
        assert "Café news for {{name}}" in text_of(app, "#preview-body")


async def test_an_unreadable_upload_says_why_beside_the_path(context: Context, tmp_path: Path):
    (tmp_path / "notes.txt").write_text("hello")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_new_editor(app, pilot)
        await pilot.press("ctrl+o")
        app.screen.query_one("#field-upload", Input).value = str(tmp_path / "notes.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        assert "choose an .html or .htm file" in text_of(app, "#error-upload")


async def test_save_the_rendered_html_as_a_file(context: Context, tmp_path: Path):
    create_template(context, TemplateDraft(title="Hello", body="<p>Hello {{name}}</p>"))
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        await pilot.press("e")
        await wait_for_preview(pilot)
        editor = app.screen
        assert isinstance(editor, TemplateEditorScreen)
        editor.query_one(ParamSamples).value_input("name").value = "Wei"
        await wait_for_preview(pilot)
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, FormDialog)
        app.screen.query_one("#field-path", Input).value = str(tmp_path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        written = (tmp_path / "hello.html").read_text(encoding="utf-8")
        assert "<p>Hello Wei</p>" in written and written.startswith("<!DOCTYPE html>")


def test_a_stale_preview_result_is_dropped():
    old = compute_preview(TemplateDraft(title="t", body="<p>old</p>"), {}, generation=1)
    assert isinstance(old, PreviewOutcome) and "old" in old.reader_text
    screen = TemplateEditorScreen.__new__(TemplateEditorScreen)
    screen.generation = 2
    screen.outcome = None
    asyncio.run(screen._show_outcome(old))
    assert screen.outcome is None  # a newer edit is on its way: this one is not shown
