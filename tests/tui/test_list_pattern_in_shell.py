"""The list pattern inside the console's own page frame: the shell's keys reach it."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.widgets import Footer, Static

from kootui.core.context import Context
from kootui.tui.app import KootuiApp
from kootui.tui.pages import PAGES, PageScreen
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.theming import ThemeCatalog
from kootui.tui.widgets import FilterBar
from kootui.tui.widgets.page_grid import PageGrid
from tests.support.list_pattern_apps import (
    COLUMNS,
    DOMAIN_NAMES,
    SEARCH_FIELDS,
    DomainSource,
    after_typing,
    seed_domains,
    settle,
)
from tests.support.tui_shell import footer_keys, wait_until


class DomainsListScreen(PageScreen):
    """What a real page does: mount the panel in its content, reload it on ctrl+r."""

    KEY_SCOPES = ("domains",)

    def compose_content(self) -> ComposeResult:
        app: KootuiApp = self.app  # type: ignore[assignment]
        source = DomainSource(app.context)
        yield ListPanel(
            "Sender Domains", COLUMNS, source, search_fields=SEARCH_FIELDS, page_size=10
        )

    def reload(self) -> None:
        self.query_one(ListPanel).reload()


def build_app(context: Context) -> KootuiApp:
    pages = tuple(
        replace(page, screen=DomainsListScreen) if page.id == "domains" else page for page in PAGES
    )
    catalog = ThemeCatalog.load(context.settings)
    return KootuiApp(context, catalog=catalog, cursor_blink=False, pages=pages)


def footer_text(app: KootuiApp) -> str:
    return str(app.screen.query_one(".page-footer", Static).render())


async def test_the_shell_keys_work_on_a_list_page(context: Context) -> None:
    seed_domains(context)
    app = build_app(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.go_page("domains")
        await settle(pilot)
        assert isinstance(app.focused, PageGrid)  # the page frame focuses the list first
        assert footer_text(app).startswith("rows 1–10 of 23")

        await pilot.press("slash")  # the frame's "/" finds the filter by its class
        assert isinstance(app.focused, FilterBar)
        await pilot.press(*"news")
        await after_typing(pilot)
        assert footer_text(app).startswith("rows 1–3 of 3")

        await pilot.press("escape")  # first escape clears the filter ...
        await after_typing(pilot)
        assert footer_text(app).startswith("rows 1–10 of 23")
        assert isinstance(app.focused, FilterBar)
        await pilot.press("escape")  # ... the next leaves the field, as anywhere in the shell
        assert isinstance(app.focused, PageGrid)

        seed_domains(context, ["aaa.example.com"])
        await pilot.press("ctrl+r")  # the shell's refresh reloads the list
        await settle(pilot)
        assert footer_text(app).startswith("rows 1–10 of 24")

        await pilot.press("right_square_bracket")
        await settle(pilot)
        names = sorted([*DOMAIN_NAMES, "aaa.example.com"])
        first_shown = app.screen.query_one(PageGrid).get_row_at(0)[1]
        assert str(first_shown) == names[10]


async def test_the_footer_lists_the_list_keys(context: Context) -> None:
    app = build_app(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.go_page("domains")
        await settle(pilot)
        shown = {active.binding.id for active in app.screen.active_bindings.values()}
        assert {"list-next-page", "list-previous-page", "list-cycle-sort"} <= shown
        assert app.screen.query_one(Footer).display


async def test_a_focused_filter_names_the_key_that_leaves_it(context: Context) -> None:
    """Typing owns every letter (no ? there): the footer says how to get out."""
    seed_domains(context)
    app = build_app(context)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go_page("domains")
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, FilterBar)
        # The footer follows the focus on its next refresh (late on a busy machine).
        await wait_until(
            pilot, lambda: footer_keys(app).get("esc") == "Back to list", "the footer's esc"
        )
        await pilot.press(*"news")
        await after_typing(pilot)
        assert footer_keys(app).get("esc") == "Clear filter"
        await pilot.press("escape")
        await after_typing(pilot)
        assert footer_keys(app).get("esc") == "Back to list"
        await pilot.press("escape")
        assert isinstance(app.focused, PageGrid)
