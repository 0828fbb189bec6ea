"""The measures popup: which figures the chart stacks, and whether it draws the rate.

The table always shows every measure; this only chooses what the chart draws. The
choice lasts while the console runs (the page keeps it across report types).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static

from kootui.tui.keys.registry import bindings
from kootui.tui.shell.kootui_node import KootuiNode

RATE = "delivery_rate"  # the choice that draws the rate line, beside the measures


class MeasuresScreen(KootuiNode, ModalScreen[frozenset[str] | None]):
    """Space shows or hides the highlighted measure; enter applies; escape cancels."""

    BINDINGS = bindings("report-measures")
    DEFAULT_CSS = """
    MeasuresScreen { align: center middle; }
    MeasuresScreen > #measures-box {
        width: 56; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    MeasuresScreen #measures-title { text-style: bold; padding: 0 0 1 0; }
    MeasuresScreen SelectionList { height: auto; max-height: 12; }
    MeasuresScreen #measures-hint { color: $text-muted; padding: 1 0 0 0; }
    """

    def __init__(self, choices: Sequence[tuple[str, str]], shown: frozenset[str]) -> None:
        """``choices``: (name, label) of the measures the chart can stack."""
        super().__init__()
        self.choices = list(choices)
        self.shown = shown

    def compose(self) -> ComposeResult:
        options = [(label, name, name in self.shown) for name, label in self.choices]
        options.append(("Delivery rate (the line)", RATE, RATE in self.shown))
        with Vertical(id="measures-box"):
            yield Label("What the chart shows", id="measures-title")
            yield SelectionList[str](*options, id="measures-list")
            apply = self.kootui.key_display("report-measures-apply")
            cancel = self.kootui.key_display("report-measures-cancel")
            yield Static(
                f"space shows or hides · {apply} applies · {cancel} cancels · the table "
                "always has every measure",
                id="measures-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_apply(self) -> None:
        chosen = self.query_one(SelectionList).selected
        self.dismiss(frozenset(str(value) for value in chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
