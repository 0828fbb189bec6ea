"""Text cut to fit a cell: always with an ellipsis, so a reader knows there is more.

Every table of the console draws its cells through ``fit_cell``; counts that would not
fit are abbreviated (``19.9k``), never cut mid-number.
"""

from __future__ import annotations

from rich.text import Text


def fit_cell(text: Text) -> Text:
    """``text`` as a one-line cell: drawn whole when it fits, else cut where the cell ends
    with "…". The value itself stays whole (a copy, for readers and tests); only what is
    drawn is cut, at whatever width the column has."""
    fitted = text.copy()
    if "\n" in fitted.plain:
        fitted.plain = fitted.plain.replace("\n", " ")  # same length: the spans still fit
    fitted.no_wrap = True
    fitted.overflow = "ellipsis"
    return fitted


def short_count(count: int) -> str:
    """A count in at most 5 characters, rounded down so nothing looks done before it is:
    9,999 · 19.9k · 199k · 1.2M."""
    if count < 10_000:
        return f"{count:,}"
    for size, unit in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if count >= size:
            whole, rest = divmod(count, size)
            if whole < 100:
                return f"{whole}.{rest * 10 // size}{unit}".replace(".0", "")
            return f"{whole}{unit}"
    return str(count)  # pragma: no cover - every count >= 10,000 has a unit above


def fraction_cell(done: int, total: int, width: int) -> str:
    """``done/total`` with thousands separators when that fits ``width``, else abbreviated."""
    full = f"{done:,}/{total:,}"
    if len(full) <= width:
        return full
    return f"{short_count(done)}/{short_count(total)}"
