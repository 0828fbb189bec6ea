"""The frame every console page stands in: header, navigation, content, footer.

A page is a ``PageScreen`` subclass that fills ``compose_content()``. The list-page
widgets (filter bar, paged table, ...) are mounted there like any other widget:

    class DomainsScreen(PageScreen):
        KEY_SCOPES = ("domains",)            # registry scopes listed in the ? panel

        def compose_content(self) -> ComposeResult:
            yield DomainList(...)            # give its filter Input the class "page-filter"

        def reload(self) -> None:            # ctrl+r
            self.query_one(DomainList).reload()

``/`` focuses the first ``FilterBar`` or widget with the class ``page-filter`` (override
``filter_widget`` to choose another); ``esc`` first leaves a text field, then goes
back to the previous page.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from kootui.core.clock import local_text
from kootui.tui.keys.registry import BY_ID
from kootui.tui.outside_text import outside
from kootui.tui.shell.kootui_node import KootuiNode

# The spec lives apart so the page list loads without Textual; re-exported here.
from kootui.tui.shell.page_spec import PageSpec as PageSpec
from kootui.tui.shell.page_spec import ScreenFactory as ScreenFactory
from kootui.tui.shell.rights import key_allowed, key_refusal
from kootui.tui.widgets.fitting_footer import FittingFooter
from kootui.tui.widgets.navigation import PageNavigation


class WorkspaceHeader(KootuiNode, Horizontal):
    """kootui · workspace name · DEMO badge · where you are · the clock's time."""

    def __init__(self, page: PageSpec) -> None:
        super().__init__(id="header")
        self.page = page

    def compose(self) -> ComposeResult:
        yield Static("✉ kootui", id="brand")
        yield Static("", id="workspace-name")
        yield Static(" DEMO ", id="demo-badge")
        # A details page's title names its record (a domain): text, never markup.
        yield Static(outside(self.page.breadcrumb), id="breadcrumb")
        yield Static("", id="clock")

    def on_mount(self) -> None:
        self.watch(self.kootui, "workspace_name", self._show_name)
        self.query_one("#demo-badge").display = self.kootui.settings.demo
        self._show_time()
        self.set_interval(30, self._show_time)

    def _show_name(self, name: str) -> None:
        self.query_one("#workspace-name", Static).update(outside(name))

    def _show_time(self) -> None:
        now = self.kootui.clock.now()
        self.query_one("#clock", Static).update(local_text(now, "%a %d %b %Y %H:%M"))


class PageScreen(KootuiNode, Screen[None]):
    """A top-level page; subclasses fill ``compose_content`` and may override ``reload``."""

    KEY_SCOPES: ClassVar[tuple[str, ...]] = ()
    # "/" shown in the footer only where there is a filter (see check_action).
    BINDINGS = [BY_ID["filter"].binding()]
    AUTO_FOCUS = None  # focus is chosen in on_mount: content first, else navigation

    def __init__(self, page: PageSpec) -> None:
        super().__init__(id=f"page-{page.id}")
        self.page = page

    def compose(self) -> ComposeResult:
        yield WorkspaceHeader(self.page)
        with Horizontal(id="body"):
            yield PageNavigation(
                self.kootui.pages, current=self.page.id, hints=self.kootui.go_hints()
            )
            with Vertical(id="content"):
                yield from self.compose_content()
        yield FittingFooter()

    def compose_content(self) -> ComposeResult:
        """The page's own widgets, below the header and right of the navigation."""
        yield from ()

    def on_mount(self) -> None:
        self.focus_content()

    def focus_content(self) -> None:
        """Focus the first focusable widget of the content that is not a text field."""
        for widget in self.query_one("#content").query("*"):
            if widget.focusable and not isinstance(widget, Input | TextArea):
                # A page opens at its top: focus alone must not scroll it (the Overview's
                # guide, low on the page, scrolled its title and cards away at 105x32).
                widget.focus(scroll_visible=False)
                return
        self.query_one(PageNavigation).focus()

    def filter_widget(self) -> Widget | None:
        """The widget ``/`` focuses, or None when the page has no filter."""
        found = self.query(".page-filter, FilterBar")  # FilterBar: the list pages' filter
        return found.first() if found else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_filter":
            return self.filter_widget() is not None
        if not key_allowed(self.kootui.principal, self.KEY_SCOPES, action):
            return None  # shown disabled: the signed-in user's policies do not allow it
        return True

    def key_refusal(self, action: str) -> str | None:
        """Why the signed-in user may not use this page's key (None: they may)."""
        return key_refusal(self.kootui.principal, self.KEY_SCOPES, action)

    def action_focus_filter(self) -> None:
        target = self.filter_widget()
        if target is not None:
            target.focus()

    def leave_field(self) -> bool:
        """``esc`` in a text field returns to the page; True when it did so."""
        if isinstance(self.focused, Input | TextArea):
            self.focus_content()
            return True
        return False

    def reload(self) -> None:
        """``ctrl+r``: read the page's data again (off the event loop)."""
        self.notify("Nothing on this page comes from the store yet.", timeout=3)

    def on_page_navigation_page_chosen(self, message: PageNavigation.PageChosen) -> None:
        self.kootui.go_page(message.page_id)
