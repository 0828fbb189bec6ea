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
from kootui.tui.widgets.cells import fit_cell
from kootui.tui.widgets.status_badge import tone_color, tone_of

# (key, title, width at 120 columns, narrowest it may get). Type and Status keep their
# width: in a narrow window the name, expected and found values give up theirs.
COLUMNS = (
    ("type", "Type", 6, 6),
    ("name", "Name", 35, 14),
    ("expected", "Expected value", 22, 10),
    ("found", "Found", 13, 6),
    ("status", "Status", 29, 29),
)
REQUIRED_MARK = "*"
CELL_PADDING = 2  # a DataTable cell's padding, left and right
FULL_WIDTHS = {key: width for key, _title, width, _least in COLUMNS}


def column_widths(available: int) -> dict[str, int]:
    """Each column's width in ``available`` cells: as designed when that fits, else the
    shrinkable columns give up room in proportion to what they can spare."""
    widths = dict(FULL_WIDTHS)
    excess = sum(widths.values()) + CELL_PADDING * len(COLUMNS) - available
    spare = {key: width - least for key, _title, width, least in COLUMNS if width > least}
    if excess <= 0:
        return widths
    total_spare = sum(spare.values())
    given = {key: min(room, excess * room // total_spare) for key, room in spare.items()}
    for key in sorted(spare, key=lambda k: -spare[k]):  # the rounding left: widest first
        extra = min(spare[key] - given[key], excess - sum(given.values()))
        given[key] += max(0, extra)
    return {key: width - given.get(key, 0) for key, width in widths.items()}


def cut(text: str, style: str = "") -> Text:
    """``text`` (a DNS name or answer: outside text) printable, drawn with "…" if cut."""
    return fit_cell(Text(printable(text), style=style))


def status_cell(record: RecordView, variables: Mapping[str, str]) -> Text:
    """'● Successful' in the status tone ('Not found' in the bad tone, ...)."""
    colour = tone_color(variables, tone_of(str(record.status)))
    text = Text("● ", style=Style(color=colour.rich_color) if colour is not None else Style())
    text.append(record.status_label)
    return text


def record_cells(record: RecordView, variables: Mapping[str, str]) -> list[RenderableType]:
    type_text = Text(record.rtype)
    if record.required:
        type_text.append(REQUIRED_MARK, style="bold")
    expected = record.expected or record.missing_setting
    found = " | ".join(record.found) if record.found else "—"
    return [
        type_text,
        # Names stay in their ASCII form: that is what a zone file or DNS provider wants.
        cut(record.name),
        cut(expected, "" if record.expected else "italic"),
        cut(found, "" if record.found else "dim"),
        fit_cell(status_cell(record, variables)),
    ]


class RecordTable(DataTable[RenderableType]):
    """One row per record; ``show`` replaces them all (after a check). It shows, and
    takes no keys: the screen around it scrolls. Its columns fit its width."""

    can_focus = False

    DEFAULT_CSS = """
    RecordTable { height: auto; max-height: 10; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="none", zebra_stripes=True, id=id)
        self.records: list[RecordView] = []
        self.widths: dict[str, int] = dict(FULL_WIDTHS)
        self.variables: Mapping[str, str] = {}

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for key, title, _width, _least in COLUMNS:
            self.add_column(Text(title), key=key, width=self.widths[key])

    def on_resize(self) -> None:
        widths = column_widths(self.size.width)
        if widths != self.widths:
            self.widths = widths
            self.clear(columns=True)
            self._add_columns()
            self.show(self.records, self.variables)

    def show(self, records: Sequence[RecordView], variables: Mapping[str, str]) -> None:
        self.records, self.variables = list(records), variables
        self.clear()
        for record in records:
            self.add_row(*record_cells(record, variables), key=record.purpose)
