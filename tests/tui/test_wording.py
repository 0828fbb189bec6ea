"""What the console says, in a user's words (issue 17, items 11 and 15): the simulator's
sender decoded, the preview's unsubscribe link on the configured tracking host."""

from __future__ import annotations

from sqlalchemy import update
from textual.widgets import Checkbox, Input

from kootui.core.store import SenderAddress
from kootui.tui.pages.tasks.simulator import SimulatorScreen
from kootui.tui.pages.templates.editor import TemplateEditorScreen
from tests.support.tui_shell import SIZE, build_app, settle
from tests.support.tui_tasks import choose, fill, open_tasks, seed_task_sources, text_of
from tests.support.tui_templates import open_page, wait_for_preview


async def test_the_simulator_shows_the_sender_as_a_reader_sees_it(context) -> None:
    ids = seed_task_sources(context)
    with context.store.session() as session:
        table = SenderAddress.__table__
        session.connection().execute(
            update(table).where(table.c.id == ids["sender"]).values(alias="Acmé Nachrichten")
        )
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await choose(pilot, "#field-template_id", str(ids["plain"]))
        await choose(pilot, "#field-address_id", str(ids["sender"]))
        await fill(pilot, "#manual-address", "ann@example.com")
        await pilot.press("enter", "ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, SimulatorScreen)
        message = text_of(app, "#simulator-message")
        assert "From    Acmé Nachrichten <news@mail.example.com>" in message
        assert "=?utf-8?" not in message
        assert "1 message ·" in text_of(app, "#simulator-estimate")


async def test_the_preview_links_to_the_configured_tracking_host(context) -> None:
    context.settings = context.settings.with_values(sending__tracking_host="links.acme-test.com")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "templates")
        await pilot.press("n")
        await wait_for_preview(pilot)
        editor = app.screen
        assert isinstance(editor, TemplateEditorScreen)
        editor.query_one("#title", Input).value = "Links"
        editor.query_one("#unsubscribe", Checkbox).value = True
        await wait_for_preview(pilot)
        assert editor.outcome is not None and editor.outcome.rendered is not None
        text = editor.outcome.rendered.text
        assert "https://links.acme-test.com/u/" in text and "tracking.example.com" not in text
