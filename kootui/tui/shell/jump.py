"""Getting to a page fast: the ``:`` prompt (part of a name + enter) and ``g`` + letter."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kootui.tui.keys.registry import bindings
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.shell.page import PageSpec


def _is_subsequence(needle: str, haystack: str) -> bool:
    letters = iter(haystack)
    return all(ch in letters for ch in needle)


def match_pages(query: str, pages: Sequence[PageSpec]) -> list[PageSpec]:
    """Pages whose name fits ``query``, best first (prefix, word start, substring, scattered)."""
    wanted = query.strip().lower()
    if not wanted:
        return list(pages)
    ranked: list[tuple[int, int, PageSpec]] = []
    for order, page in enumerate(pages):
        title = page.title.lower()
        names = (title, page.id)
        if any(name.startswith(wanted) for name in names):
            rank = 0
        elif any(word.startswith(wanted) for word in title.split()):
            rank = 1
        elif any(wanted in name for name in names):
            rank = 2
        elif _is_subsequence(wanted.replace(" ", ""), title.replace(" ", "")):
            rank = 3
        else:
            continue
        ranked.append((rank, order, page))
    return [page for _rank, _order, page in sorted(ranked, key=lambda item: item[:2])]


class JumpScreen(ModalScreen[str | None]):
    """Type part of a page's name; the list shows the matches; enter goes to the first."""

    BINDINGS = [*bindings("dialog"), *bindings("jump")]

    def __init__(self, pages: Sequence[PageSpec]) -> None:
        super().__init__(id="jump")
        self.pages = list(pages)

    def compose(self) -> ComposeResult:
        with Vertical(id="jump-box", classes="dialog") as box:
            box.border_title = "Jump to a page"
            yield Input(placeholder="part of a page's name, e.g. temp", id="jump-input")
            yield OptionList(id="jump-matches")
            yield Static("", id="jump-hint")

    def on_mount(self) -> None:
        self._show_matches("")
        self.query_one("#jump-input", Input).focus()

    @on(Input.Changed, "#jump-input")
    def _typed(self, event: Input.Changed) -> None:
        self._show_matches(event.value)

    def _show_matches(self, query: str) -> None:
        matches = match_pages(query, self.pages)
        listing = self.query_one("#jump-matches", OptionList)
        listing.clear_options()
        for page in matches:
            listing.add_option(Option(Content.assemble(page.breadcrumb), id=page.id))
        if matches:
            listing.highlighted = 0
            hint = Content.assemble(("enter", "bold"), f" → {matches[0].title}")
        else:
            hint = Content.styled(f"no page matches {query.strip()!r}", "$status-warn")
        self.query_one("#jump-hint", Static).update(hint)

    def _chosen(self) -> str | None:
        listing = self.query_one("#jump-matches", OptionList)
        if listing.highlighted is None or listing.option_count == 0:
            return None
        return listing.get_option_at_index(listing.highlighted).id

    @on(Input.Submitted, "#jump-input")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        chosen = self._chosen()
        if chosen is None:
            self.app.bell()
            return
        self.dismiss(chosen)

    @on(OptionList.OptionSelected, "#jump-matches")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_next_match(self) -> None:
        self.query_one("#jump-matches", OptionList).action_cursor_down()

    def action_previous_match(self) -> None:
        self.query_one("#jump-matches", OptionList).action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)


class GoScreen(KootuiNode, ModalScreen[str | None]):
    """After ``g``: a small popup listing each page's letter; the letter goes there."""

    BINDINGS = [*bindings("dialog"), *bindings("go")]

    def __init__(self, pages: Sequence[PageSpec]) -> None:
        super().__init__(id="go")
        self.pages = list(pages)

    def compose(self) -> ComposeResult:
        key_display = self.kootui.key_display
        lines = [
            Content.assemble((f" {key_display(page.go_binding):>3}  ", "bold $accent"), page.title)
            for page in self.pages
        ]
        with Vertical(id="go-box", classes="dialog") as box:
            box.border_title = "Go to"
            box.border_subtitle = f"{key_display('close')} cancels"
            yield Static(Content("\n").join(lines), id="go-text")

    def action_go_page(self, page_id: str) -> None:
        self.dismiss(page_id)

    def action_close(self) -> None:
        self.dismiss(None)
