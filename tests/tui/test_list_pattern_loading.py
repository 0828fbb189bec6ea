"""How the list behaves while the store is slow, late or failing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from kootui.core.context import Context
from kootui.core.store import PageRequest, PageResult
from kootui.tui.shell.list_panel import LIST_PATTERN_BINDINGS, ListPanel
from kootui.tui.widgets import (
    DetailField,
    DetailsPanel,
    FilterBar,
    FormDialog,
    PagedTable,
    TextField,
)
from kootui.tui.widgets.page_grid import PageGrid
from tests.support.list_pattern_apps import (
    COLUMNS,
    DOMAIN_NAMES,
    STATUSES,
    DomainListApp,
    DomainSource,
    seed_domains,
    settle,
)


class GatedSource(DomainSource):
    """The real query, but a request whose filter has a gate waits until it is opened."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.gates: dict[str, threading.Event] = {}
        self.threads: list[threading.Thread] = []

    def __call__(self, request: PageRequest) -> PageResult:
        self.threads.append(threading.current_thread())
        gate = self.gates.get(request.text_filter)
        if gate is not None:
            gate.wait(timeout=10)
        return super().__call__(request)


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the list never got there")


def footer(app: App[Any]) -> str:
    return str(app.query_one(".page-footer", Static).render())


async def test_the_store_is_read_off_the_event_loop(context: Context) -> None:
    seed_domains(context)
    source = GatedSource(context)
    app = DomainListApp(context, source=source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert source.threads and threading.main_thread() not in source.threads


async def test_a_slow_page_shows_loading_and_the_ui_keeps_answering(context: Context) -> None:
    seed_domains(context)
    source = GatedSource(context)
    source.gates[""] = gate = threading.Event()
    app = DomainListApp(context, source=source)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.query_one(PagedTable).has_class("-slow"))
        assert "loading…" in footer(app)
        # The spinner shows once the wait is noticeable, and the list keeps its focus.
        assert app.query_one(PagedTable).has_class("-slow")
        assert app.query_one(".page-spinner").display
        assert app.focused is app.query_one(PageGrid)
        await pilot.press("slash", *"abc")  # typing still works while the query runs
        assert app.query_one(Input).value == "abc"
        gate.set()
        await wait_until(pilot, lambda: any(r.text_filter == "abc" for r in source.requests))
        await settle(pilot)
        assert not app.query_one(PagedTable).has_class("-slow")
        assert "loading" not in footer(app)


async def test_a_late_answer_to_an_old_request_is_dropped(context: Context) -> None:
    seed_domains(context)
    source = GatedSource(context)
    app = DomainListApp(context, source=source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        source.gates["shop"] = gate = threading.Event()
        table = app.query_one(PagedTable)
        table.set_filter("shop")  # slow ...
        await wait_until(pilot, lambda: len(source.threads) >= 2)  # the first load, "shop"
        table.set_filter("news")  # ... and overtaken by a quick one
        await wait_until(pilot, lambda: footer(app).startswith("rows 1–3 of 3"))
        gate.set()
        await settle(pilot)
        names = [row["name"] for row in table.result.rows] if table.result else []
        assert names == sorted(n for n in DOMAIN_NAMES if "news" in n)
        assert table.request.text_filter == "news"


async def test_a_failing_store_is_reported_without_its_text(context: Context) -> None:
    seed_domains(context)
    calls: list[PageRequest] = []

    def broken(request: PageRequest) -> PageResult:
        calls.append(request)
        if len(calls) > 1:
            raise ConnectionError("postgresql://kootui:s3cret@db:5432 refused")
        return DomainSource(context)(request)

    app = DomainListApp(context, source=broken)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        text = footer(app)
        assert text == "could not read this list: unexpected ConnectionError"
        assert "s3cret" not in text
        assert app.query_one(PageGrid).row_count == 10  # the page shown stays
        assert app.is_running


class SidePanelApp(App[None]):
    """A page with the list on the left and the highlighted row's details on the right."""

    CSS = "ListPanel { width: 2fr; } DetailsPanel { width: 1fr; }"

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.source = DomainSource(context)

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield ListPanel("Domains", COLUMNS, self.source, page_size=5, sort_key="name")
            yield DetailsPanel()

    async def on_paged_table_row_highlighted(self, message: PagedTable.RowHighlighted) -> None:
        row = message.row
        fields = [
            DetailField("Domain", row["name"]),
            DetailField("Status", row["status"], "status"),
        ]
        await self.query_one(DetailsPanel).show(fields)


async def test_a_side_panel_follows_the_cursor(context: Context) -> None:
    seed_domains(context)
    app = SidePanelApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one(PageGrid).focus()
        await pilot.press("down", "down")
        await settle(pilot)
        panel = app.query_one(DetailsPanel)
        values = [str(w.render()) for w in panel.query(".detail-value").results()]
        name = sorted(DOMAIN_NAMES)[2]
        assert values == [name, "● " + STATUSES[DOMAIN_NAMES.index(name) % 3].title()]


async def test_enter_moves_through_the_form_and_submits_from_the_last_field() -> None:
    submitted: list[dict[str, Any]] = []

    class FormApp(App[None]):
        def on_mount(self) -> None:
            fields = [TextField("host", "Host"), TextField("password", "Password", password=True)]
            self.push_screen(FormDialog("Relay", fields, submitted.append))

    app = FormApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"smtp.example.com", "enter")
        assert app.focused is app.screen.query_one("#field-password")
        await pilot.press(*"hunter2", "enter")
        await settle(pilot)
        assert submitted == [{"host": "smtp.example.com", "password": "hunter2"}]
        assert not isinstance(app.screen, FormDialog)


def test_every_pattern_key_has_an_id() -> None:
    ids = [binding.id for _, binding in LIST_PATTERN_BINDINGS]
    assert all(ids) and len(ids) == len(set(ids))
    assert {"list-next-page", "list-previous-page", "list-toggle-mark", "form-submit"} <= set(ids)


async def test_a_request_the_rules_refuse_is_shown_not_raised(context: Context) -> None:
    seed_domains(context)
    app = DomainListApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one(PagedTable).set_filter("x" * 201)
        await settle(pilot)
        assert footer(app) == "filter: the filter is longer than 200 characters"
        assert app.query_one(PageGrid).row_count == 10 and app.is_running
        filter_bar = app.query_one(FilterBar)
        filter_bar.focus()
        await pilot.pause()
        filter_bar.insert_text_at_cursor("y" * 200)
        await pilot.press("z")  # the filter input takes no more than a filter may hold
        assert filter_bar.value == "y" * 200


async def test_an_action_nobody_binds_is_posted_for_the_page(context: Context) -> None:
    chosen: list[str] = []

    class UnboundActionApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ListPanel(
                "Domains", COLUMNS, DomainSource(context), actions=[("export", "Export")]
            )

        def on_list_panel_action_chosen(self, message: ListPanel.ActionChosen) -> None:
            chosen.append(message.binding_id)

    app = UnboundActionApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert str(app.query_one(".list-action", Button).label) == "Export"  # no key to show
        await pilot.click(".list-action")
        await pilot.pause()
        assert chosen == ["export"]
