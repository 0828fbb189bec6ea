"""The Statistics Report page through its keys: the daily table with its totals and the
running day, switching the report type, moving the range, picking a range (a refusal
beside its field), the filters, the measures popup, the empty states, the live refresh
of the running hour, and the Overview's guide step once a report was shown."""

from __future__ import annotations

from textual.widgets import Input, Select

from kootui.tui.pages.reports.chart import ReportChart
from kootui.tui.pages.reports.filters import ReportSearch, option_label
from kootui.tui.pages.reports.measures import MeasuresScreen
from kootui.tui.pages.reports.viewed import report_viewed
from kootui.tui.widgets.form import FormDialog
from tests.support.report_seed import Figures, add_figures
from tests.support.tui_domains import notices, text_of
from tests.support.tui_reports import (
    column,
    hour,
    open_report,
    report_app,
    seed_report,
    table_text,
)
from tests.support.tui_shell import SIZE, paste_into, settle, wait_until


async def test_the_daily_report_shows_a_week_its_totals_and_the_running_day(context):
    seed_report(context)
    app = report_app(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_report(pilot)
        rows = table_text(app)
        assert [row[0] for row in rows] == [
            "Tue 17 Nov",
            "Wed 18 Nov",
            "Thu 19 Nov",
            "Fri 20 Nov",
            "Sat 21 Nov",
            "Sun 22 Nov",
            "Mon 23 Nov ▲",
            "Total",
        ]
        no_events = ["0"] * 5  # bounced ... clicked: the seeded figures have no events
        assert rows[3][1:] == ["20", "10", "0", "0", "10", "50.00%", *no_events]  # deleted task
        assert rows[4][1:] == ["0", "0", "0", "0", "0", "–", *no_events]
        assert rows[6][1:] == ["51", "45", "2", "3", "1", "88.24%", *no_events]
        assert rows[7][1:] == ["96", "75", "7", "3", "11", "78.13%", *no_events]
        assert "Daily · Tue 17 Nov – Mon 23 Nov 2026 (7 days)" in text_of(app, "#report-range")
        assert "▲ running" in text_of(app, "#report-range")
        assert "Spring sale" in text_of(app, "#report-history")
        assert screen.query_one(ReportChart).display
        assert report_viewed(context)


async def test_keys_switch_the_type_and_move_the_range(context):
    seed_report(context)
    app = report_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot)
        await pilot.press("t")  # monthly: the last 12 months
        await settle(pilot)
        assert column(app, "Time")[-3:] == ["Oct 2026", "Nov 2026 ▲", "Total"]
        assert column(app, "Sent")[-3:] == ["100", "103", "203"]
        await pilot.press("t")  # hourly: today, up to the running hour
        await settle(pilot)
        times = column(app, "Time")
        assert times[0] == "23 Nov 00:00" and times[-2] == "23 Nov 15:00 ▲"
        assert len(times) == 17
        await pilot.press("left_square_bracket")  # the day before
        await settle(pilot)
        assert column(app, "Time")[10] == "22 Nov 10:00"
        assert column(app, "Sent")[-1] == "25"
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert "already ends with the running period" in notices(app)[-1]
        await pilot.press("t", "left_square_bracket")  # daily, the week before
        await settle(pilot)
        assert column(app, "Time")[0] == "Tue 10 Nov"
        assert column(app, "Sent")[-1] == "7"
        await pilot.press("n")
        await settle(pilot)
        assert column(app, "Time")[-2] == "Mon 23 Nov ▲"


async def test_the_range_picker_refuses_a_start_over_a_year_back_beside_the_field(context):
    seed_report(context)
    app = report_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot)
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        await paste_into(pilot, form.query_one("#field-start", Input), "2025-01-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "one year back" in text_of(app, "#error-start")
        await paste_into(pilot, form.query_one("#field-start", Input), "2026-11-20")
        await paste_into(pilot, form.query_one("#field-end", Input), "2026-11-22")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormDialog)
        assert column(app, "Time") == [
            "Fri 20 Nov",
            "Sat 21 Nov",
            "Sun 22 Nov",
            "Total",
        ]
        assert column(app, "Sent")[-1] == "45"


async def test_filters_narrow_the_figures_by_task_and_send_method(context):
    seeded = seed_report(context)
    app = report_app(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_report(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert not screen.query_one(ReportSearch).collapsed
        screen.query_one("#search-task", Select).value = str(seeded.receipts)
        await settle(pilot)
        assert column(app, "Sent")[-1] == "8"
        assert "filtered" in text_of(app, "#report-range")
        assert not screen.query_one("#report-history").display  # no deleted task chosen
        screen.query_one("#search-task", Select).clear()
        screen.query_one("#search-send_method", Select).value = "console"
        await settle(pilot)
        assert column(app, "Sent")[-1] == "88"
        choices = screen.query_one(ReportSearch).choices
        assert choices is not None
        deleted = [option_label(c).plain for c in choices.tasks if c.deleted]
        assert deleted == ["Spring sale (deleted)"]


async def test_the_measures_popup_chooses_what_the_chart_draws(context):
    seed_report(context)
    app = report_app(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_report(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MeasuresScreen)
        await pilot.press("space")  # the first one: Successful
        await pilot.press("enter")
        await settle(pilot)
        data = screen.query_one(ReportChart).data
        assert data is not None
        assert [series.name for series in data.stacks] == ["failed", "to_send", "rejected"]
        assert data.show_rate
        assert column(app, "Successful")[-1] == "75"  # the table keeps every measure


async def test_empty_states_say_what_to_do(context):
    app = report_app(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_report(pilot)
        assert "Nothing has been sent" in text_of(app, "#report-note")
        assert "g s" in text_of(app, "#report-note")
        assert not screen.query_one(ReportChart).display
        add_figures(context, [Figures(hour(1, 8), delivered=3)])
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "No figures in this range" in text_of(app, "#report-note")


async def test_the_running_hour_is_read_again_while_the_page_is_shown(context):
    seed_report(context)
    app = report_app(context, live=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot)
        assert column(app, "Sent")[-1] == "96"
        add_figures(context, [Figures(hour(23, 15), delivered=4, task_id=77)])
        await wait_until(pilot, lambda: column(app, "Sent")[-1] == "100", "the new figures")


async def test_the_overview_ticks_its_step_once_a_report_was_shown(context):
    seed_report(context)
    app = report_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        step = app.screen.overview.guide[5]
        assert step.page == "reports" and not step.done
        assert "51" in text_of(app, "#card-today")
        await open_report(pilot)
        await pilot.press("g", "o")
        await settle(pilot)
        app.screen.reload()
        await settle(pilot)
        assert app.screen.overview.guide[5].done
