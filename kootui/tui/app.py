"""The kootui console: one Textual mode per page, keys from the registry, themes from files.

The app itself only wires things together: pages live in ``pages/``, keys in
``keys/``, palettes in ``theming.py``. Store calls run in workers, on threads
(see ``kootui.tui.shell.kootui_node``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.signal import Signal
from textual.theme import BUILTIN_THEMES
from textual.worker import Worker, WorkerState

from kootui.core.context import Context
from kootui.core.printable import printable
from kootui.core.workspace import get_workspace
from kootui.tui.keys.registry import current_key, scope_bindings, validate_keymap
from kootui.tui.outside_text import TerminalSafeFilter
from kootui.tui.pages import PAGES, PageScreen, PageSpec
from kootui.tui.pages.domains.checks import start_domain_checks
from kootui.tui.palette import ConsoleCommands
from kootui.tui.shell.help import HelpScreen
from kootui.tui.shell.jump import GoScreen, JumpScreen
from kootui.tui.shell.kootui_node import RefreshIntervals, store_problem
from kootui.tui.theming import ReadableDim, ThemeCatalog, save_ui_state

HISTORY_LIMIT = 50
# Stateless; one is enough for every line of every widget.
TERMINAL_SAFE = TerminalSafeFilter()
READABLE_DIM = ReadableDim()


class KootuiApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "kootui"
    # The app's "/" is the silent fallback; a page with a filter shows its own "/".
    BINDINGS: ClassVar[list[BindingType]] = [
        replace(b, show=False) if b.id == "filter" else b for b in scope_bindings("app")
    ]
    COMMANDS = {ConsoleCommands}
    COMMAND_PALETTE_DISPLAY = None
    # Below 100 columns the navigation folds away (g, : and ctrl+p still reach every page).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # Below 32 rows (24 is the usual SSH window) the frame gives its blank lines to the rows.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    workspace_name: reactive[str] = reactive("…")

    def __init__(
        self,
        context: Context,
        *,
        catalog: ThemeCatalog,
        theme: str | None = None,
        cursor_blink: bool = True,
        pages: Sequence[PageSpec] = PAGES,
        refresh_intervals: RefreshIntervals | None = None,
    ) -> None:
        # Bad [keys] or themes fail here, before the terminal is taken over.
        self.keymap = validate_keymap(
            context.settings.keys, str(context.settings.paths.config_file)
        )
        start_theme, self._theme_note = catalog.starting_theme(context.settings, theme)
        super().__init__()
        self.context = context
        self.catalog = catalog
        self.pages: tuple[PageSpec, ...] = tuple(pages)
        self.refresh_intervals = refresh_intervals or RefreshIntervals()
        # Published when the background check changed a domain's status while the
        # Sender Domains page is shown; its screens subscribe to read again.
        self.domains_changed_signal: Signal[None] = Signal(self, "domains-changed")
        self.cursor_blink = cursor_blink
        self.history: list[str] = []
        self._remember_theme = False
        for entry in catalog:
            self.register_theme(entry.theme)
        self.theme = start_theme
        # Only kootui's palettes are offered, so a saved choice always exists next time.
        for name in BUILTIN_THEMES:
            if name not in catalog:
                self.unregister_theme(name)
        self.set_keymap(self.keymap)
        for page in self.pages:
            self.add_mode(page.id, partial(page.screen, page))
        if theme:
            save_ui_state(context.settings.paths.ui_state_file, theme=theme)

    def on_mount(self) -> None:
        self._remember_theme = True
        self.switch_mode(self.pages[0].id)
        self.load_workspace()
        self.domain_checks = start_domain_checks(self)
        if self._theme_note:
            self.notify(self._theme_note, severity="warning")

    # --- data -----------------------------------------------------------------

    @work(exclusive=True, group="workspace", exit_on_error=False)
    async def load_workspace(self) -> None:
        workspace = await asyncio.to_thread(get_workspace, self.context)
        self.show_workspace_name(workspace.name)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A store that fails (locked, damaged, unreachable) is reported, never a crash.
        if event.state == WorkerState.ERROR:
            self.notify(store_problem(event.worker.error), severity="error", timeout=8)

    def show_workspace_name(self, name: str) -> None:
        self.workspace_name = name
        self.sub_title = printable(name)

    # --- outside text -----------------------------------------------------------

    def notify(
        self,
        message: str | Content,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of the console (widgets' ``notify`` lands here too).

        Messages quote task names, addresses, file names and errors that quote them, so a
        plain string is never read as markup (``markup`` is ignored) and its controls are
        made visible. A message that wants kootui's own styling passes a ``Content`` built
        with ``outside`` values; it is shown as that content, nothing in it parsed again.
        """
        if isinstance(message, Content):
            # Content.markup escapes every bracket of the text it holds.
            shown, as_markup = message.markup, True
        else:
            shown, as_markup = printable(message, one_line=False), False
        super().notify(
            shown, title=printable(title), severity=severity, timeout=timeout, markup=as_markup
        )

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), READABLE_DIM, TERMINAL_SAFE]

    # --- keys -----------------------------------------------------------------

    def key_display(self, binding_id: str) -> str:
        """How the key of a registry binding is shown now (after remapping)."""
        keys = current_key(binding_id, self.keymap).split(",")
        return "/".join(self.get_key_display(Binding(key, "")) for key in keys)

    def go_hints(self) -> dict[str, str]:
        go = self.key_display("go")
        return {page.id: f"{go} {self.key_display(page.go_binding)}" for page in self.pages}

    @property
    def page_screen(self) -> PageScreen | None:
        """The page under any popups of the current mode."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, PageScreen):
                return screen
        return None

    def go_page(self, page_id: str) -> None:
        known = {page.id for page in self.pages}
        if page_id not in known:
            self.notify(f"There is no page {page_id!r}.", severity="warning", timeout=3)
            return
        if page_id == self.current_mode:
            return
        if self.current_mode in known:
            self.history = [*self.history, self.current_mode][-HISTORY_LIMIT:]
        self.switch_mode(page_id)

    def action_go_page(self, page_id: str) -> None:
        self.go_page(page_id)

    def action_show_help(self) -> None:
        page = self.page_screen
        if page is not None:
            unavailable = {"filter"} if page.filter_widget() is None else set()
            self.push_screen(HelpScreen(page.page.title, page.KEY_SCOPES, unavailable))

    def action_jump(self) -> None:
        self.push_screen(JumpScreen(self.pages), self._go_chosen)

    def action_go(self) -> None:
        self.push_screen(GoScreen(self.pages), self._go_chosen)

    def _go_chosen(self, page_id: str | None) -> None:
        if page_id:
            self.go_page(page_id)

    def action_focus_filter(self) -> None:
        # Pages with a filter answer "/" themselves (PageScreen); this is the fallback.
        self.notify("This page has no filter.", timeout=3)

    def action_go_back(self) -> None:
        page = self.page_screen
        if page is not None and page.leave_field():
            return
        if self.history:
            *self.history, previous = self.history
            self.switch_mode(previous)

    def action_refresh_page(self) -> None:
        page = self.page_screen
        if page is not None:
            page.reload()
        self.load_workspace()

    # --- themes ---------------------------------------------------------------

    def choose_theme(self, name: str) -> None:
        self.catalog.require(name)
        self.theme = name

    def watch_theme(self, name: str) -> None:
        if self._remember_theme:
            save_ui_state(self.context.settings.paths.ui_state_file, theme=name)

    # --- behaviour every widget shares ----------------------------------------

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Snapshot tests run with cursor_blink=False so every frame is the same.
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False
