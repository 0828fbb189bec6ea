"""The Webhooks page (g w): a refused URL shows beside its field, add shows the secret
once with a copy action, a test event reaches a real receiver and lands in the log, a
disabled endpoint is named in a notice, on/off and remove ask first. (The SSRF refusals
themselves: tests/unit/webhooks/test_addresses.py.)"""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from kootui.core.context import Context
from kootui.core.webhooks import get_endpoint, list_endpoints
from kootui.tui.pages.webhooks.dialogs import DeliveryLogDialog, SecretDialog
from kootui.tui.pages.webhooks.page import WebhooksScreen
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.form import FormDialog
from tests.support.tui_shell import SIZE, build_app, settle
from tests.support.tui_webhooks import seed_endpoints
from tests.support.webhook_receiver import webhook_receiver
from tests.support.webhooks import loopback_context, verify


async def test_add_copy_the_secret_send_a_test_and_read_the_log(context: Context) -> None:
    hooks = loopback_context(context)  # the receiver is on loopback
    app = build_app(hooks)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    with webhook_receiver() as receiver:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("g", "w")
            await settle(pilot)
            assert isinstance(app.screen, WebhooksScreen)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, FormDialog)
            form.query_one("#field-url", Input).value = "https://me:pw@crm.example/hook"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form  # refused beside its field, the form stays
            error = str(form.query_one("#error-url", Static).render())
            assert "must not hold a user name or password" in error
            form.query_one("#field-url", Input).value = receiver.url
            form.query_one("#field-events", Input).value = "delivered bounced"
            await pilot.press("ctrl+s")
            await settle(pilot)
            shown = app.screen
            assert isinstance(shown, SecretDialog)
            secret = str(shown.query_one("#secret-value", Static).render())
            await pilot.press("c")
            assert copied == [secret]
            await pilot.press("escape")
            await settle(pilot)
            (endpoint,) = list_endpoints(hooks)
            assert endpoint.events == ("delivered", "bounced")
            await pilot.press("t")
            await settle(pilot)
            (request,) = receiver.received
            assert verify(secret, request.headers, request.body)
            await pilot.press("l")
            await settle(pilot)
            log = app.screen
            assert isinstance(log, DeliveryLogDialog)
            table = log.query_one(DataTable)
            assert table.row_count == 1 and table.get_row_at(0)[3] == "ok"
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, WebhooksScreen)


async def test_the_notice_names_a_disabled_endpoint_and_on_off_enables_it(
    context: Context,
) -> None:
    seed_endpoints(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "w")
        await settle(pilot)
        notice = str(app.screen.query_one("#webhooks-notice", Static).render())
        assert "Endpoint 3 was disabled" in notice and "HTTP 502" in notice
        await pilot.press("down", "down", "o")
        await settle(pilot)
        assert get_endpoint(context, 3).enabled
        assert str(app.screen.query_one("#webhooks-notice", Static).render()) == ""
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert not get_endpoint(context, 3).enabled
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert [view.id for view in list_endpoints(context)] == [1, 2]
