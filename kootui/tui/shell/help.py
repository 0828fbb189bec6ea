"""The ``?`` panel: the keys of the current page, as they are mapped now."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Static

from kootui.tui.keys.registry import KeyAction, bindings, in_scopes
from kootui.tui.shell.kootui_node import KootuiNode

SCOPE_TITLES = {
    "app": "Everywhere",
    "go": "After g (go to a page)",
    "overview": "On this page",
    "domains": "On this page",
    "domain-details": "In a domain's details",
    "reports": "On this page",
    "report-measures": "In the measures popup (m)",
}


def key_table(
    title: str, rows: Sequence[tuple[str, KeyAction]], unavailable: Collection[str] = ()
) -> Content:
    lines = [Content.styled(title, "bold $accent")]
    index = 0
    while index < len(rows):
        key, action = rows[index]
        if action.group:  # consecutive keys of one group share a line: "1 2 3 4 5 6"
            end = index
            while end < len(rows) and rows[end][1].group == action.group:
                end += 1
            key = " ".join(k for k, _ in rows[index:end])
            what = action.group + (f" — {action.help}" if action.help else "")
            index = end
        else:
            what = action.description + (f" — {action.help}" if action.help else "")
            index += 1
        if action.id in unavailable:
            lines.append(Content.styled(f"  {key:>6}  {what} (not on this page)", "dim"))
        else:
            lines.append(Content.assemble((f"  {key:>6}  ", "bold"), what))
    return Content("\n").join(lines)


class HelpScreen(KootuiNode, ModalScreen[None]):
    """Lists the app keys and the page's own keys from the registry, with current keys."""

    BINDINGS = bindings("dialog")

    def __init__(
        self, page_title: str, scopes: Sequence[str], unavailable: Collection[str] = ()
    ) -> None:
        super().__init__(id="help")
        self.page_title = page_title
        self.scopes = ("app", *scopes, "go")
        self.unavailable = frozenset(unavailable)

    def compose(self) -> ComposeResult:
        key_display = self.kootui.key_display
        tables = []
        for scope in self.scopes:
            actions = in_scopes([scope])
            if not actions:
                continue
            title = SCOPE_TITLES.get(scope, f"On this page ({scope})")
            rows = [(key_display(a.id), a) for a in actions]
            tables.append(key_table(title, rows, self.unavailable))
        close_key = key_display("close")
        with VerticalScroll(id="help-box", classes="dialog") as box:
            box.border_title = f"Keys — {self.page_title}"
            box.border_subtitle = escape(f"{close_key} closes · remap keys in config.toml [keys]")
            tables.append(
                Content.styled(
                    "tab and shift+tab move between the navigation and the page; "
                    "the mouse works too.",
                    "dim",
                )
            )
            yield Static(Content("\n\n").join(tables), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
