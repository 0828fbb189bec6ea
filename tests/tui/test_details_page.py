"""The Sending Details list: masked rows, the quick filter, the advanced search (a refused
value beside its field), the 24-hour default range and widening it, sorting, paging, and
revealing one row's address."""

from __future__ import annotations

from sqlalchemy import update
from textual.widgets import Input, Select, Static

from kootui.core.store import Message, Task, TaskStatus
from tests.support.tui_details import (
    OLD,
    RECENT,
    build_app,
    highlight,
    message_list,
    open_details,
    seed_details,
    settle,
    shown_column,
)
from tests.support.tui_shell import SIZE, type_into


def note(app) -> str:
    return str(app.page_screen.query_one("#range-note", Static).render())


def footer(app) -> str:
    return str(message_list(app).table.query_one(".page-footer", Static).render())


async def test_rows_show_the_seeds_columns_with_masked_recipients(context):
    seeded = seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        rows = {row.key: row for row in message_list(app).table.result.rows}
        assert len(rows) == len(RECENT)  # the old task's messages are outside 24 hours
        delivered = rows[str(seeded.delivered)]
        assert delivered["task"] == f"Welcome wave #{seeded.recent_task}"
        assert delivered["status"] == "Delivered"
        assert delivered["send_method"] == "Console"
        assert delivered["template"].startswith("Plain notice #")
        assert delivered["subject"] == "Notice"
        assert "news@mail.example.com" in delivered["sender"]
        assert delivered["received"] is not None
        recipients = shown_column(app, "recipient")
        assert sorted(recipients) == ["***@example.com", "***@example.com", "***@example.net",
                                      "***@example.org"]  # fmt: skip
        assert not any(address in " ".join(recipients) for address in RECENT)


async def test_the_default_range_is_said_and_w_widens_it(context):
    seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        assert "last 24 hours" in note(app) and "older ones are hidden" in note(app)
        assert "w widens" in note(app)
        assert "rows 1–4 of 4" in footer(app)
        await pilot.press("w")  # 7 days: the three-day-old task appears
        await settle(pilot)
        assert "last 7 days" in note(app)
        assert "rows 1–6 of 6" in footer(app)
        assert app.page_screen.query_one("#search-range", Select).value == "7d"
        await pilot.press("w", "w")  # 30 days, then all
        await settle(pilot)
        assert "any age" in note(app)
        await pilot.press("w")  # round again to the default
        await settle(pilot)
        assert "last 24 hours" in note(app)
        assert "rows 1–4 of 4" in footer(app)


async def test_created_dates_replace_the_default_range(context):
    seeded = seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_details(app, pilot)
        old_day = (context.clock.now().date()).fromordinal(context.clock.now().toordinal() - 3)
        await type_into(pilot, page.query_one("#search-created_from", Input), old_day.isoformat())
        await type_into(pilot, page.query_one("#search-created_to", Input), old_day.isoformat())
        await pilot.press("enter")
        await settle(pilot)
        tasks = set(shown_column(app, "task"))
        assert tasks == {f"Autumn archive #{seeded.old_task}"}
        assert "replace the 24-hour default" in note(app)


async def test_quick_filter_matches_task_name_and_recipient(context):
    seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await pilot.press("w", "w", "w")  # all ages
        await settle(pilot)
        await pilot.press("slash", *"archive")
        await pilot.press("enter")
        await settle(pilot)
        assert shown_column(app, "recipient") == ["***@archive.example"] * len(OLD)
        await type_into(pilot, message_list(app).query_one("FilterBar", Input), "bob@")
        await pilot.press("enter")
        await settle(pilot)
        assert shown_column(app, "recipient") == ["***@example.org"]


async def test_advanced_search_by_status_and_a_refused_task_id(context):
    seeded = seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_details(app, pilot)
        page.query_one("#search-status", Select).value = "rejected"
        await settle(pilot)
        assert [row.key for row in message_list(app).table.result.rows] == [str(seeded.rejected)]
        await type_into(pilot, page.query_one("#search-task_id", Input), "abc")
        await pilot.press("enter")
        await settle(pilot)
        error = str(page.query_one("#search-error-task_id", Static).render())
        assert "whole number" in error
        assert "whole number" in footer(app)
        await type_into(pilot, page.query_one("#search-task_id", Input), str(seeded.recent_task))
        await pilot.press("enter")
        await settle(pilot)
        assert str(page.query_one("#search-error-task_id", Static).render()) == ""
        assert [row.key for row in message_list(app).table.result.rows] == [str(seeded.rejected)]


async def test_sort_by_status_and_back(context):
    seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        assert "sorted by Created descending" in footer(app)
        message_list(app).table.sort_by("status")
        await settle(pilot)
        statuses = [row["status"] for row in message_list(app).table.result.rows]
        assert statuses == sorted(statuses)  # delivered, pending, pending, rejected
        assert "sorted by Status ascending" in footer(app)
        await pilot.press("S")
        await settle(pilot)
        statuses = [row["status"] for row in message_list(app).table.result.rows]
        assert statuses == sorted(statuses, reverse=True)


async def test_paging_through_a_long_day(context):
    seed_details(context, bulk=60)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        assert "rows 1–50 of 64" in footer(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "rows 51–64 of 64" in footer(app)
        assert len(message_list(app).table.result.rows) == 14
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "rows 1–50 of 64" in footer(app)


async def test_reveal_shows_one_row_until_pressed_again_or_the_page_is_left(context):
    seeded = seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await highlight(app, seeded.rejected)
        await pilot.press("r")
        await settle(pilot)
        recipients = shown_column(app, "recipient")
        assert "bob@example.org" in recipients
        assert sum("@" in r and not r.startswith("***") for r in recipients) == 1  # only that row
        await pilot.press("ctrl+r")  # a refresh keeps it revealed
        await settle(pilot)
        assert "bob@example.org" in shown_column(app, "recipient")
        await pilot.press("r")
        await settle(pilot)
        assert "bob@example.org" not in shown_column(app, "recipient")
        await pilot.press("r")
        await settle(pilot)
        assert "bob@example.org" in shown_column(app, "recipient")
        app.go_page("tasks")
        await settle(pilot)
        app.go_page("details")
        await settle(pilot)
        assert all(r.startswith("***@") for r in shown_column(app, "recipient"))


async def test_auto_refresh_while_sending_keeps_the_cursor_and_never_piles_up(context):
    seeded = seed_details(context)
    now = context.clock.now()
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_details(app, pilot)
        await highlight(app, seeded.rejected)
        set_task_status(context, seeded.recent_task, TaskStatus.SENDING)
        add_message(context, seeded.recent_task, "new@example.com", now)
        page._refresh_while_sending()
        page._refresh_while_sending()  # a second tick while the first check runs does nothing
        checks = [w for w in app.workers if w.group == "details-sending"]
        assert len(checks) == 1
        await settle(pilot)
        await settle(pilot)
        table = message_list(app).table
        assert "rows 1–5 of 5" in footer(app)  # the new message is listed, at the top
        assert table.highlighted_row.key == str(seeded.rejected)  # the cursor stayed put
        set_task_status(context, seeded.recent_task, TaskStatus.COMPLETED)
        add_message(context, seeded.recent_task, "later@example.com", now)
        page._refresh_while_sending()  # nothing is sending: the page is not read again
        await settle(pilot)
        await settle(pilot)
        assert "rows 1–5 of 5" in footer(app)


def set_task_status(context, task_id: int, status: TaskStatus) -> None:
    with context.store.session() as session:
        session.execute(update(Task).where(Task.id == task_id).values(status=status.value))


def add_message(context, task_id: int, recipient: str, now) -> None:
    with context.store.session() as session:
        session.add(
            Message(task_id=task_id, recipient=recipient, next_attempt_at=now, created_at=now)
        )
