"""Outside text on the console is shown as the characters it holds: markup in a task name
is shown as brackets, an ESC or a bidi override is shown as a visible stand-in, and
nothing of either reaches what the terminal is sent."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.color import Color
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.widgets._toast import Toast

from kootui.core.printable import printable
from kootui.core.recipients import TypedRecipients
from kootui.core.tasks import TaskDraft, create_task
from kootui.tui.app import TERMINAL_SAFE
from kootui.tui.pages.tasks.import_report import ImportScreen
from tests.support.outside_text import HOSTILE, SHOWN, drawn_text, drives_nothing
from tests.support.tui_shell import SIZE, build_app, settle, wait_until
from tests.support.tui_tasks import open_tasks, seed_task_sources, shown_rows, write_xlsx


async def test_a_notification_shows_markup_and_controls_as_text(context):
    app = build_app(context)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.notify(f"Deleted task 7 “{HOSTILE}”.", title="[b]x[/b]\x1b")
        await settle(pilot)
        toast = app.screen.query(Toast).last()
        shown = toast.render().plain
        assert f"Deleted task 7 “{SHOWN}”." in shown
        assert "[b]x[/b]␛" in shown
        assert drives_nothing(shown)


async def test_a_styled_notification_keeps_its_style_and_its_outside_text_literal(context):
    app = build_app(context)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.notify(Content.assemble(("Deleted ", "bold"), printable(HOSTILE)))
        await settle(pilot)
        shown = app.screen.query(Toast).last().render()
        assert shown.plain == f"Deleted {SHOWN}"
        assert any(span.end == len("Deleted ") for span in shown.spans)


async def test_a_task_name_in_the_list_is_shown_as_text(context):
    ids = seed_task_sources(context)
    draft = TaskDraft(
        name=HOSTILE,
        subject="Notice",
        template_id=ids["plain"],
        address_id=ids["sender"],
        recipients=TypedRecipients(["ann@example.com"]),
    )
    create_task(context, draft)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_tasks(app, pilot)
        assert any(row[1] == SHOWN for row in shown_rows(app))
        drawn = drawn_text(page.query_one("PageGrid"))
        assert "␛]0;pwned␇[red]FA…" in drawn  # the column is narrower than the name
        assert drives_nothing(drawn)


async def test_no_control_reaches_the_terminal_even_from_a_widget_shown_raw(context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        raw = Static(Text("before\x1b[2Jafter \u202eevil\x9b"), markup=False)
        await app.screen.mount(raw)
        await settle(pilot)
        drawn = drawn_text(raw)
        assert "before[2Jafter evil" in drawn
        assert drives_nothing(drawn)


def test_the_line_filter_keeps_safe_segments_as_they_are():
    segments = [Segment("plain"), Segment(" ␛ shown")]
    assert TERMINAL_SAFE.apply(segments, Color(0, 0, 0)) is segments


async def test_the_import_report_shows_file_name_cells_and_reasons_as_text(context, tmp_path):
    name = "[reverse]list\x1b[2J\u202e.xlsx"  # a file name holds no "/", so no closing tag
    path = write_xlsx(
        tmp_path / name,
        [
            ["email", "name"],
            ["ann@example.com", "Ann"],
            # openpyxl refuses C0 controls in a cell; a C1 CSI and a bidi override pass.
            ["[red]not-an-address[/]\x9b31m\u202e", "X"],
        ],
    )
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = ImportScreen(path, ["name"])
        app.push_screen(screen)
        await wait_until(pilot, lambda: not screen.reading, "the import report")
        await settle(pilot)
        title = drawn_text(screen.query_one("#import-title"))
        assert "Recipients from [reverse]list␛[2J\\u202e.xlsx" in title
        table = screen.query_one("#import-refused", DataTable)
        address, reason = (str(cell) for cell in table.get_row_at(0)[1:])
        assert address == "[red]not-an-address[/]\\x9b31m\\u202e"
        assert not any(char in reason for char in ("\x9b", "\u202e"))
        drawn = drawn_text(table)
        assert "[red]not-an-address[/]\\x9b31m" in drawn
        assert drives_nothing(drawn + title)
