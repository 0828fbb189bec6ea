"""Pilot tests of the Destinations page: add a group by keyboard (errors beside the field),
edit the default rule, set the workspace rate, and see a slowed destination with why."""

from __future__ import annotations

from kootui.core.context import Context
from kootui.core.shaping import Throttle, add_rule, find_rule, slow_down, workspace_rate
from kootui.tui.pages.destinations.page import RuleForm, WorkspaceRateForm
from kootui.tui.pages.tasks.simulator import SimulatorScreen
from tests.support.tui_shell import wait_until
from tests.support.tui_tasks import choose, fill, open_tasks, seed_task_sources
from tests.support.tui_templates import (
    SIZE,
    build_app,
    notices,
    open_page,
    settle,
    shown_rows,
    text_of,
)


async def test_add_a_group_then_edit_the_default_and_the_workspace_rate(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "destinations")
        assert shown_rows(app)[0][:4] == [
            "default",
            "every other domain, each on its own",
            "no limit",
            "no limit",
        ]
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, RuleForm)
        await pilot.press(*"Google", "tab", *"Gmail.com googlemail.com", "tab", *"fast")
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RuleForm)  # refused, what was typed kept
        assert "a number" in text_of(app, "#error-rate")
        rate = app.screen.query_one("#field-rate")
        rate.value = ""  # type: ignore[attr-defined]
        rate.focus()
        await pilot.press(*"2.5", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RuleForm)
        rule = find_rule(context.store, "Google")
        assert (rule.rate, rule.domains) == (2.5, ("gmail.com", "googlemail.com"))
        assert any("running engines follow it" in notice for notice in notices(app))
        await wait_until(pilot, lambda: len(shown_rows(app)) == 2, "the new rule listed")

        await pilot.press("e")  # the cursor is on the default rule
        await settle(pilot)
        assert isinstance(app.screen, RuleForm) and app.screen.rule is not None
        assert app.screen.rule.is_default
        await pilot.press(*"3", "tab", "ctrl+s")
        await settle(pilot)
        assert find_rule(context.store, "default").rate == 3

        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WorkspaceRateForm)
        await pilot.press(*"40", "ctrl+s")
        await settle(pilot)
        assert workspace_rate(context).rate == 40
        await wait_until(
            pilot, lambda: "40/s (set here)" in text_of(app, "#destination-rate"), "rate shown"
        )


async def test_a_slowed_destination_shows_its_rate_why_and_since(context: Context):
    rule = add_rule(context, "Google", ["gmail.com"], 10)
    slow_down(
        context.store,
        [Throttle(f"rule:{rule.id}", "Google", "421 4.7.0 Try again later", 10, 10)],
        context.clock.now(),
    )
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "destinations")
        rows = shown_rows(app)
        assert [row[0] for row in rows] == ["default", "Google"]
        assert rows[1][4].endswith("Slowed") and rows[0][4].endswith("Full rate")
        await pilot.press("down")
        await settle(pilot)
        status = text_of(app, "#destination-status")
        assert "5/s of 10/s since" in status and "421 4.7.0 Try again later" in status


async def test_tasks_and_details_say_when_a_destination_is_slowed(context: Context):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "tasks")
        assert not app.screen.query_one("#task-slowed").display  # nothing slowed: no line
        slow_down(
            context.store,
            [Throttle("domain:busy.example", "busy.example", "5 deferrals in 10 s", 8, 8)],
            context.clock.now(),
        )
        await open_page(app, pilot, "details")
        await wait_until(
            pilot, lambda: app.screen.query_one("#details-slowed").display, "the slowed line"
        )
        shown = text_of(app, "#details-slowed")
        assert "Slowed: busy.example at 4/s of 8/s since" in shown
        assert "5 deferrals in 10 s" in shown


async def test_the_simulator_says_when_a_destination_limit_decides(context: Context):
    ids = seed_task_sources(context)
    add_rule(context, "Google", ["gmail.com"], 0.5)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await choose(pilot, "#field-template_id", str(ids["plain"]))
        await choose(pilot, "#field-address_id", str(ids["sender"]))
        for address in ("ann@gmail.com", "bob@Gmail.com", "cy@example.org"):
            await fill(pilot, "#manual-address", address)
            await pilot.press("enter")  # one address at a time
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, SimulatorScreen)
        assert text_of(app, "#simulator-destinations") == (
            "Destination limits decide: 2 messages to Google take about 4 s at its rate"
        )
