"""One record as labelled fields: a scrollable side panel, or the same in a modal.

Values are shown as plain, printable text (stored text is never read as markup and
its controls are shown, not obeyed), times in
local time, statuses as theme-coloured badges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, Static

from kootui.core.clock import local_text
from kootui.core.printable import printable
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside_block
from kootui.tui.widgets.fitting_footer import FittingFooter
from kootui.tui.widgets.status_badge import StatusBadge


@dataclass(frozen=True)
class DetailField:
    label: str
    value: Any
    kind: str = "text"  # "text" or "status"


def value_text(value: Any) -> Text:
    if value is None or value == "":
        return Text("—", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, datetime):
        return Text(local_text(value))
    if isinstance(value, list | tuple):
        return outside_block("\n".join(str(item) for item in value) or "—")
    return outside_block(value)


def _value_widget(field: DetailField) -> Widget:
    if field.kind == "status" and field.value:
        return StatusBadge(str(field.value), classes="detail-value")
    return Static(value_text(field.value), classes="detail-value")


class DetailsPanel(VerticalScroll):
    """Labelled fields, one per line (values may wrap); scrolls when the record is long."""

    DEFAULT_CSS = """
    DetailsPanel { height: 1fr; padding: 0 1; }
    DetailsPanel .detail-row { height: auto; }
    DetailsPanel .detail-label { width: 22; color: $text-muted; }
    DetailsPanel .detail-value { width: 1fr; }
    DetailsPanel .details-empty { color: $text-muted; }
    """

    def __init__(
        self,
        fields: Sequence[DetailField] = (),
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.fields = list(fields)

    def compose(self) -> ComposeResult:
        yield from self._rows()

    def _rows(self) -> list[Widget]:
        if not self.fields:
            return [Static("Nothing selected.", classes="details-empty")]
        return [
            Horizontal(
                Label(printable(field.label), classes="detail-label", markup=False),
                _value_widget(field),
                classes="detail-row",
            )
            for field in self.fields
        ]

    async def show(self, fields: Sequence[DetailField]) -> None:
        """Show another record (a side panel following the list's cursor)."""
        self.fields = list(fields)
        await self.remove_children()
        await self.mount_all(self._rows())
        self.scroll_home(animate=False)


class DetailsScreen(ModalScreen[None]):
    """The details panel in a dialog; Escape, Enter or q closes it."""

    DEFAULT_CSS = """
    DetailsScreen { align: center middle; }
    DetailsScreen > #details-box {
        width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    DetailsScreen DetailsPanel { height: auto; max-height: 32; padding: 0 0 1 0; }
    DetailsScreen #details-title { text-style: bold; padding: 0 0 1 0; }
    """

    BINDINGS = bindings("details")

    def __init__(self, title: str, fields: Sequence[DetailField]) -> None:
        super().__init__()
        self.details_title = title
        self.fields = list(fields)

    def compose(self) -> ComposeResult:
        with Vertical(id="details-box"):
            yield Label(printable(self.details_title), id="details-title", markup=False)
            yield DetailsPanel(self.fields, id="details-panel")
        yield FittingFooter()  # this dialog's keys, not the page's underneath

    def on_mount(self) -> None:
        self.query_one(DetailsPanel).focus()

    def action_close(self) -> None:
        self.dismiss(None)
