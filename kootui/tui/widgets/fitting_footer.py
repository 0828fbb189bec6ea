"""A footer that shows whole keys only: the most important that fit, never half a word.

Textual's footer lists every shown binding and cuts the last one wherever the window
ends (``r Rotate DKIM key  es▏``). This one measures its keys after each layout and
keeps, in their order, as many as fit by rank: ``?`` (which lists the rest) first, then
the page's or dialog's own keys, then the shared list and app keys. Below 100 columns it
uses Textual's compact style (one space less a key).
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

NARROW = 100  # columns; the app's own breakpoint (KootuiApp.HORIZONTAL_BREAKPOINTS)

# Binding ids by rank (lower is kept first). Keys that close or go back come right after
# help; any other id is a page's or dialog's own key.
EXIT_KEYS = 1
OWN_KEYS = 2
RANKS = {
    "help": 0,
    "filter": 3,
    "go": 3,
    "list-next-page": 4,
    "list-previous-page": 4,
    "list-cycle-sort": 5,
    "list-toggle-mark": 5,
    "search-clear": 5,
    "jump": 6,
    "refresh": 6,
    "quit": 6,
}
EXIT_SUFFIXES = ("close", "cancel", "back")


def rank_of(binding_id: str) -> int:
    if binding_id in RANKS:
        return RANKS[binding_id]
    return EXIT_KEYS if binding_id.endswith(EXIT_SUFFIXES) else OWN_KEYS


def keys_that_fit(widths: list[int], ranks: list[int], available: int) -> set[int]:
    """The positions to keep: by rank, then position, until one does not fit; a smaller
    key of a lower rank never takes the place of one that did not fit. Help (rank 0)
    always stays: it lists what is left out."""
    order = sorted(range(len(widths)), key=lambda i: (ranks[i], i))
    kept = {i for i in order if ranks[i] == 0}
    used = sum(widths[i] for i in kept)
    for position in order:
        if position in kept:
            continue
        if used + widths[position] > available:
            break
        kept.add(position)
        used += widths[position]
    return kept


class FittingFooter(Footer):
    """Textual's footer, keeping only whole keys (see the module's doc)."""

    def __init__(self) -> None:
        super().__init__()
        self._composed_keys: Hashable = None  # what the keys shown were composed from

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._composed_keys = self._shown_keys(self.screen)
        yield from super().compose()
        self.call_after_refresh(self._fit)

    def _shown_keys(self, screen: Screen[object]) -> Hashable:
        """What ``Footer.compose`` draws the keys from."""
        keys = tuple(
            (
                binding.key,
                binding.action,
                binding.description,
                binding.group,
                self.app.get_key_display(binding),
                enabled,
                tooltip,
            )
            for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == self.app.COMMAND_PALETTE_BINDING
        )
        return keys, self.show_command_palette

    def bindings_changed(self, screen: Screen[object]) -> None:
        # Screens say their bindings changed after most focus moves and messages; the keys
        # shown are mostly the same, and recomposing them (and fitting them again) cost
        # more processor time than the rest of the first page's figures.
        if (
            self._bindings_ready
            and self.is_attached
            and screen is self.screen
            and self._shown_keys(screen) == self._composed_keys
        ):
            return
        super().bindings_changed(screen)

    def on_resize(self, event: Resize) -> None:
        compact = event.size.width < NARROW
        if compact != self.compact:
            self.compact = compact
        self.call_after_refresh(self._fit)

    def _ranks(self, items: list[Widget]) -> list[int]:
        # ``active_bindings`` asks every binding's check_action (a DOM query on some
        # pages): read it once per fitting, not once per key.
        ids = {
            (active.binding.key, active.binding.action): active.binding.id or ""
            for active in reversed(self.screen.active_bindings.values())
        }
        return [
            rank_of(ids[item.key, item.action])
            if isinstance(item, FooterKey) and (item.key, item.action) in ids
            else OWN_KEYS
            for item in items
        ]

    def _fit(self) -> None:
        if not self.is_attached:
            return
        children: list[Widget] = list(self.children)
        palette = [w for w in children if w.has_class("-command-palette")]
        items = [w for w in children if not w.has_class("-command-palette")]
        for item in items:
            item.display = True
        self.call_after_refresh(self._hide_what_does_not_fit, items, palette)

    def _hide_what_does_not_fit(self, items: list[Widget], palette: list[Widget]) -> None:
        if not self.is_attached:
            return
        available = self.size.width - sum(w.outer_size.width for w in palette)
        widths = [item.outer_size.width + item.styles.margin.width for item in items]
        ranks = self._ranks(items)
        kept = keys_that_fit(widths, ranks, available)
        for position, item in enumerate(items):
            item.display = position in kept
