"""Column widths that end at the table's edge, one column taking what is left.

A list with fixed column widths is cut wherever the window ends (``Creat``) and leaves
its widest text (a subject) as narrow at 200 columns as at 80. A ``ColumnFit`` names
the column that flexes: the columns up to ``last_main`` fit the table whole, the flexing
one takes what is left (never less than ``flex_min``, with an ellipsis when cut), and
the columns after ``last_main`` join while the flexing one keeps ``comfortable``. What
does not fit starts at the table's edge, whole, a → away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kootui.core.store import Column

CELL_PADDING = 2  # a DataTable cell's padding: one column each side


@dataclass(frozen=True)
class ColumnFit:
    flex: str  # the column that takes what is left
    last_main: str  # the columns up to this one fit whole when the flexing one can
    flex_min: int = 12  # narrower than this, the main columns at the end give way
    comfortable: int = 40  # a later column joins only while the flexing one keeps this
    narrowest: Mapping[str, int] = field(default_factory=dict)  # may narrow to, first

    def widths(self, columns: Sequence[Column], available: int) -> dict[str, int]:
        """Each column's width (padding excluded) in a table ``available`` wide."""
        preferred = {column.key: column.width or len(column.title) for column in columns}
        keys = list(preferred)
        first_shown = keys.index(self.flex) + 1  # the flexing one and those before it stay
        main = keys[: max(keys.index(self.last_main) + 1, first_shown)]
        shown = list(main)
        fitted = self._narrowed(preferred, shown, available)
        while fitted is None and len(shown) > first_shown:
            shown.pop()  # the last main column gives way to the flexing one's minimum
            fitted = self._narrowed(preferred, shown, available)
        if fitted is None:  # not even the flexing one's minimum: it keeps it and the table scrolls
            return {**preferred, self.flex: self.flex_min}
        for key in keys[len(main) :] if len(shown) == len(main) else ():
            room = _room(fitted, [*shown, key], self.flex, available)
            if room < self.comfortable:
                break
            shown.append(key)
        fitted[self.flex] = max(self.flex_min, _room(fitted, shown, self.flex, available))
        return fitted

    def _narrowed(
        self, preferred: Mapping[str, int], shown: Sequence[str], available: int
    ) -> dict[str, int] | None:
        """Widths giving the flexing column its minimum with ``shown`` whole, narrowing the
        narrowable ones a character at a time (the one with most to spare first); None
        when they cannot."""
        widths = dict(preferred)
        short = self.flex_min - _room(widths, shown, self.flex, available)
        spare = {
            key: widths[key] - self.narrowest[key]
            for key in shown
            if key in self.narrowest and widths[key] > self.narrowest[key]
        }
        if short > sum(spare.values()):
            return None
        while short > 0:
            key = max(spare, key=lambda name: spare[name])
            widths[key] -= 1
            spare[key] -= 1
            short -= 1
        return widths


def _room(widths: Mapping[str, int], shown: Sequence[str], flex: str, available: int) -> int:
    """What is left for ``flex`` when the other ``shown`` columns have their widths."""
    others = sum(widths[key] + CELL_PADDING for key in shown if key != flex)
    return available - others - CELL_PADDING
