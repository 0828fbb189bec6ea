"""A message's detail view: its fields, every attempt with its reply, the raw headers
(masked until revealed), copying them, and what a message never sent says instead."""

from __future__ import annotations

from sqlalchemy import update
from textual.widgets import Button, DataTable, Label, Static, TextArea

from kootui.core.store import DeliveryAttempt, Message, MessageStatus
from kootui.tui.pages.details.message import MessageDetailScreen
from tests.support.tui_details import (
    RECENT,
    build_app,
    highlight,
    notices,
    open_details,
    seed_details,
    settle,
)
from tests.support.tui_shell import SIZE


def attempt_rows(app) -> list[list[str]]:
    table = app.screen.query_one("#attempts", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_message(app, pilot, message_id: int) -> MessageDetailScreen:
    await open_details(app, pilot)
    await highlight(app, message_id)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, MessageDetailScreen)
    return app.screen


async def test_a_delivered_message_shows_its_fields_attempts_and_masked_headers(context):
    seeded = seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_message(app, pilot, seeded.delivered)
        fields = text_of(app, "#fields-left") + text_of(app, "#fields-right")
        assert f"Welcome wave #{seeded.recent_task}" in fields
        assert "***@example.com" in fields and RECENT[0] not in fields
        assert "<welcome.1@mail.example.com>" in fields
        rows = attempt_rows(app)
        assert [row[2].split()[-1] for row in rows] == ["Deferred", "Delivered"]
        assert [row[3] for row in rows] == ["451", "250"]
        assert rows[0][4] == "4.7.1" and "mx.example.com" in rows[0][6] and rows[0][7] == "yes"
        headers = app.screen.query_one("#headers", TextArea)
        assert headers.read_only
        assert "To: ***@example.com" in headers.text and RECENT[0] not in headers.text
        assert "DKIM-Signature" in headers.text
        assert "masked" in text_of(app, "#headers-hint")


async def test_reveal_unmasks_fields_and_headers_and_copy_takes_them(context):
    seeded = seed_details(context)
    app = build_app(context)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await open_message(app, pilot, seeded.delivered)
        await pilot.press("r")
        await settle(pilot)
        assert f"To: {RECENT[0]}" in app.screen.query_one("#headers", TextArea).text
        assert RECENT[0] in text_of(app, "#fields-left") + text_of(app, "#fields-right")
        await pilot.press("c")
        await settle(pilot)
        assert copied and f"To: {RECENT[0]}" in copied[-1]
        assert any("Copied the headers" in notice for notice in notices(app))
        await pilot.press("r")  # masked again, and a copy now takes the masked block
        await settle(pilot)
        await pilot.press("c")
        assert "To: ***@example.com" in copied[-1]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.page_screen


async def test_a_rejected_message_shows_its_refusal_and_why_there_are_no_headers(context):
    seeded = seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_message(app, pilot, seeded.rejected)
        rows = attempt_rows(app)
        assert len(rows) == 1
        assert rows[0][1] == "rcpt" and rows[0][3] == "550" and rows[0][4] == "5.1.1"
        assert "Rejected" in rows[0][2]
        assert "550 5.1.1 User unknown" in text_of(app, "#fields-left") + text_of(
            app, "#fields-right"
        )
        assert app.screen.query_one("#headers", TextArea).display is False
        assert text_of(app, "#headers-hint") != ""
        await pilot.press("c")
        assert any("no headers to copy" in notice for notice in notices(app))


async def test_a_pending_message_has_no_attempts_yet(context):
    seeded = seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        rows = app.page_screen.query_one("#message-list").table.result.rows
        pending = next(row for row in rows if row["status"] == "Pending")
        await open_message(app, pilot, int(pending.key))
        assert app.screen.query_one("#attempts", DataTable).display is False
        assert "No delivery attempt yet" in text_of(app, "#attempts-empty")
        assert "waiting to be sent" in text_of(app, "#headers-hint")
        assert seeded.recent_task  # the pending rows belong to the recent task


async def test_the_view_follows_a_message_the_engine_is_still_working_on(context):
    seeded = seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        rows = app.page_screen.query_one("#message-list").table.result.rows
        pending = int(next(row for row in rows if row["status"] == "Pending").key)
        screen = await open_message(app, pilot, pending)
        deliver(context, pending)
        screen._follow()
        await settle(pilot)
        assert "Delivered" in str(screen.query_one("#detail-heading", Label).render())
        assert [row[3] for row in attempt_rows(app)] == ["250"]
        assert seeded.recent_task


def deliver(context, message_id: int) -> None:
    now = context.clock.now()
    with context.store.session() as session:
        session.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(status=MessageStatus.DELIVERED.value, sent_at=now, received_at=now)
        )
        session.add(
            DeliveryAttempt(
                message_id=message_id,
                started_at=now,
                finished_at=now,
                stage="dot",
                outcome="delivered",
                reply_code=250,
                enhanced_code="2.0.0",
                reply_text="2.0.0 Ok: queued",
                remote_host="mx.example.com",
                tls=True,
            )
        )


async def test_the_details_button_opens_the_highlighted_message(context):
    seeded = seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await highlight(app, seeded.rejected)
        buttons = app.page_screen.query(".list-action").results(Button)
        next(button for button in buttons if button.name == "details-open").press()
        await settle(pilot)
        assert isinstance(app.screen, MessageDetailScreen)
        assert app.screen.message_id == seeded.rejected
