"""The verification table of a sender domain: Type / Name / Expected value / Found / Status.

Like the seeds' console, one row per record; required records are marked, and
the status cell takes the theme's status colour. Long values (a DKIM key is ~400
characters) are cut with an ellipsis here; the DNS doctor and the zone snippet
show them whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable

from kootui.core.domains import RecordView
from kootui.core.printable import printable
from kootui.tui.widgets.status_badge import tone_color, tone_of

COLUMNS = (
    ("type", "Type", 6),
    ("name", "Name", 35),
    ("expected", "Expected value", 22),
    ("found", "Found", 13),
    ("status", "Status", 29),
)
REQUIRED_MARK = "*"


def shorten(text: str, width: int) -> str:
    """``text`` (a DNS name or answer: outside text) printable, cut to ``width``."""
    text = printable(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def status_cell(record: RecordView, variables: Mapping[str, str]) -> Text:
    """'● Successful' in the status tone ('Not found' in the bad tone, ...)."""
    colour = tone_color(variables, tone_of(str(record.status)))
    text = Text("● ", style=Style(color=colour.rich_color) if colour is not None else Style())
    text.append(record.status_label)
    return text


def record_cells(record: RecordView, variables: Mapping[str, str]) -> list[RenderableType]:
    widths = {key: width for key, _title, width in COLUMNS}
    type_text = Text(record.rtype)
    if record.required:
        type_text.append(REQUIRED_MARK, style="bold")
    expected = record.expected or record.missing_setting
    found = " | ".join(record.found) if record.found else "—"
    return [
        type_text,
        # Names stay in their ASCII form: that is what a zone file or DNS provider wants.
        Text(shorten(record.name, widths["name"])),
        Text(shorten(expected, widths["expected"]), style="" if record.expected else "italic"),
        Text(shorten(found, widths["found"]), style="" if record.found else "dim"),
        status_cell(record, variables),
    ]


class RecordTable(DataTable[RenderableType]):
    """One row per record; ``show`` replaces them all (after a check). It shows, and
    takes no keys: the screen around it scrolls."""

    can_focus = False

    DEFAULT_CSS = """
    RecordTable { height: auto; max-height: 10; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="none", zebra_stripes=True, id=id)
        self.records: list[RecordView] = []

    def on_mount(self) -> None:
        for key, title, width in COLUMNS:
            self.add_column(Text(title), key=key, width=width)

    def show(self, records: Sequence[RecordView], variables: Mapping[str, str]) -> None:
        self.records = list(records)
        self.clear()
        for record in records:
            self.add_row(*record_cells(record, variables), key=record.purpose)
