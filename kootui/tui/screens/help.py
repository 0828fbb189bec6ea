"""The ``?`` panel: the keys of the current page, as they are mapped now."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Static

from kootui.tui.actions import KeyAction, bindings, in_scopes

SCOPE_TITLES = {
    "app": "Everywhere",
    "go": "After g (go to a page)",
    "overview": "On this page",
}


def key_table(
    title: str, rows: Sequence[tuple[str, KeyAction]], unavailable: Collection[str] = ()
) -> Content:
    lines = [Content.styled(title, "bold $accent")]
    for key, action in rows:
        what = action.description + (f" — {action.help}" if action.help else "")
        if action.id in unavailable:
            lines.append(Content.styled(f"  {key:>6}  {what} (not on this page)", "dim"))
            continue
        lines.append(Content.assemble((f"  {key:>6}  ", "bold"), what))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
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
        key_display = self.app.key_display  # type: ignore[attr-defined]
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
            yield Static(Content("\n\n").join(tables), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
