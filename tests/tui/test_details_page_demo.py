"""The demo workspace on the Sending Details page: messages in every status, with the
attempts and header blocks the engine would have recorded (a greylisting deferral before a
delivery, a hard 550 5.1.1, a soft 552 5.2.2, a compose failure), and no full address on
any unrevealed screen."""

from __future__ import annotations

from textual.widgets import DataTable, Static, TextArea

from kootui.core.context import Context
from kootui.core.details import message_detail, query_messages, reveal_recipient
from kootui.core.store import MessageStatus, PageRequest
from kootui.tui.pages.details.message import MessageDetailScreen
from tests.support.tui_details import build_app, message_list, open_details, settle
from tests.support.tui_shell import SIZE

EVERYTHING = PageRequest(limit=500, advanced={"range": "all"})


def rows_by_status(demo: Context) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for row in query_messages(demo, EVERYTHING).rows:
        found.setdefault(row["status_value"], []).append(int(row.key))
    return found


def test_the_demo_has_messages_in_every_status(demo):
    assert set(rows_by_status(demo)) == {status.value for status in MessageStatus}


def test_the_demo_attempts_tell_real_stories(demo):
    by_status = rows_by_status(demo)
    delivered = [message_detail(demo, key) for key in by_status["delivered"]]
    retried = [d for d in delivered if [a.outcome for a in d.attempts] == ["deferred", "delivered"]]
    assert retried and retried[0].attempts[0].enhanced_code == "4.7.1"
    rejected = [message_detail(demo, key) for key in by_status["rejected"]]
    codes = {(a.reply_code, a.enhanced_code) for d in rejected for a in d.attempts}
    assert {("550", "5.1.1"), ("552", "5.2.2")} <= codes
    failed = message_detail(demo, by_status["failed"][0])
    assert failed.attempts[0].stage == "compose" and "render." in failed.attempts[0].reply_text
    assert "not composed" in message_detail(demo, by_status["pending"][0]).headers_reason.lower()


def test_demo_headers_are_the_signed_block_as_sent(demo):
    key = rows_by_status(demo)["delivered"][0]
    revealed = message_detail(demo, key, reveal=True).headers
    assert revealed.startswith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
    assert f"To: {reveal_recipient(demo, key)}" in revealed
    assert "\nMessage-ID: <" in revealed and "\nDate: " in revealed


async def test_no_unrevealed_screen_of_a_rejected_message_shows_the_address(demo):
    key = rows_by_status(demo)["rejected"][0]
    address = reveal_recipient(demo, key)
    app = build_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_details(app, pilot)
        assert all(
            row["recipient"].startswith("***@") for row in message_list(app).table.result.rows
        )
        app.push_screen(MessageDetailScreen(key, page.page))
        await settle(pilot)
        screen = app.screen
        shown = [str(widget.render()) for widget in screen.query(Static)]
        table = screen.query_one("#attempts", DataTable)
        shown += [str(cell) for i in range(table.row_count) for cell in table.get_row_at(i)]
        shown.append(screen.query_one("#headers", TextArea).text)
        assert not [text for text in shown if address in text]
