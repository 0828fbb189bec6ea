"""The ``?`` panel: the keys of the current page, as they are mapped now.

Each key is listed with what it does and its binding ID, the name ``config.toml``'s
``[keys]`` table remaps it by (``domains-new = "a"``). Sections are named in the user's
words ("In the list", "In a domain's details"), never by the registry's scope ids.
"""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Static

from kootui.tui.keys.registry import KeyAction, bindings, in_scopes
from kootui.tui.shell.kootui_node import KootuiNode

PAGE_SECTION = "On this page"
# Registry scopes in user words. A page's own scope is "On this page"; a scope missing
# here (a page added later) is shown under that heading too, never by its id.
SCOPE_TITLES = {
    "app": "Everywhere",
    "go": "After g (go to a page)",
    "list": "In the list",
    "list-sort": "Sorting the list",
    "filter": "In the filter",
    "search": "In the advanced search",
    "form": "In a form",
    "confirm": "When asked to confirm",
    "details": "In a record's details",
    "dialog": "In a popup",
    "jump": "In the jump prompt (:)",
    "domain-details": "In a domain's details",
    "template-editor": "In the template editor",
    "template-preview": "In a template's preview",
    "task-create": "In the new task form",
    "task-report": "In the recipient file report",
    "task-simulator": "In the simulator",
    "task-progress": "In a task's progress",
    "file-picker": "In the file picker",
    "message-detail": "In a message's details",
    "details-export": "In the export dialog",
    "report-measures": "In the measures popup (m)",
    "api-keys": "In the API keys popup",
    "api-key-secret": "When a new secret is shown",
}
KEY_WIDTH = 8
HELP_BOX_WIDTH = 100  # at most; narrower terminals get all but a column each side
BOX_FRAME = 8  # the box's border, padding and scrollbar


def scope_title(scope: str) -> str:
    return SCOPE_TITLES.get(scope, PAGE_SECTION)


def key_rows(rows: Sequence[tuple[str, KeyAction]]) -> list[tuple[str, str, str, KeyAction]]:
    """(keys, what they do, binding IDs, first action) per line: a group shares one line."""
    lines = []
    index = 0
    while index < len(rows):
        action = rows[index][1]
        end = index + 1
        if action.group:  # consecutive keys of one group: "1 2 3 4 5 6", "step-1…step-6"
            while end < len(rows) and rows[end][1].group == action.group:
                end += 1
        members = [a for _, a in rows[index:end]]
        keys = " ".join(k for k, _ in rows[index:end])
        ids = action.id if len(members) == 1 else f"{members[0].id}…{members[-1].id}"
        what = (action.group or action.description) + (f" — {action.help}" if action.help else "")
        lines.append((keys, what, ids, action))
        index = end
    return lines


def key_table(
    title: str,
    rows: Sequence[tuple[str, KeyAction]],
    unavailable: Collection[str] = (),
    width: int = HELP_BOX_WIDTH - BOX_FRAME,
    id_width: int = 0,
) -> Content:
    """A titled table: key, what it does (wrapped to fit), binding ID in a column at the
    right (``id_width`` wide, at least; tables of one panel share it)."""
    table = key_rows(rows)
    id_width = max(id_width, *(len(ids) for _, _, ids, _ in table))
    lines = [Content.styled(title, "bold $accent")]
    for keys, what, ids, action in table:
        off = action.id in unavailable
        if off:
            what += " (not on this page)"
        key_text = f"  {keys:>{KEY_WIDTH}}  "
        what_width = max(20, width - len(key_text) - 2 - id_width)
        wrapped = textwrap.wrap(what, what_width) or [""]
        first = Content.assemble(
            (key_text, "dim" if off else "bold"),
            (f"{wrapped[0]:<{what_width}}", "dim" if off else ""),
            "  ",
            (ids, "$text-muted"),
        )
        lines.append(first)
        indent = " " * len(key_text)
        lines.extend(Content.styled(indent + more, "dim" if off else "") for more in wrapped[1:])
    return Content("\n").join(lines)


def id_column_width(scopes: Sequence[str]) -> int:
    return max(
        (
            len(ids)
            for scope in scopes
            for *_, ids, _ in key_rows([(a.key, a) for a in in_scopes([scope])])
        ),
        default=0,
    )


class HelpScreen(KootuiNode, ModalScreen[None]):
    """Lists the app keys and the page's own keys from the registry, with current keys."""

    BINDINGS = bindings("dialog")

    def __init__(
        self, page_title: str, scopes: Sequence[str], unavailable: Collection[str] = ()
    ) -> None:
        super().__init__(id="help")
        self.page_title = page_title
        # The page's own keys first: in a 24-row window "Everywhere" above them pushed
        # them below the box's edge, and they are what ? is pressed for.
        self.scopes = (*scopes, "app", "go")
        self.unavailable = frozenset(unavailable)

    def compose(self) -> ComposeResult:
        key_display = self.kootui.key_display
        width = min(HELP_BOX_WIDTH, self.app.size.width) - BOX_FRAME
        id_width = id_column_width(self.scopes)
        tables = []
        for scope in self.scopes:
            actions = in_scopes([scope])
            if not actions:
                continue
            rows = [(key_display(a.id), a) for a in actions]
            tables.append(key_table(scope_title(scope), rows, self.unavailable, width, id_width))
        close_key = key_display("close")
        with VerticalScroll(id="help-box", classes="dialog") as box:
            box.border_title = f"Keys — {self.page_title}"
            box.border_subtitle = escape(f"{close_key} closes")
            tables.insert(
                0,
                Content.assemble(
                    ("Remap a key by the name at its right in config.toml: ", "$text-muted"),
                    ('[keys] help = "f1"', "bold"),
                ),
            )
            tables.append(
                Content.styled(
                    "tab and shift+tab move between the navigation and the page; "
                    "the mouse works too.",
                    "$text-muted",
                )
            )
            yield Static(Content("\n\n").join(tables), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
