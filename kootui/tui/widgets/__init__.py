"""Widgets the console pages share: the list page pattern, dialogs, status badges.

Everything here is mounted by a page inside its content area, so it works in any
screen, not only the console's page frame.

Each name loads its module when first asked for (``from kootui.tui.widgets import
FilterBar`` works as ever): the shell's first frame needs the navigation and the
status colours, and importing them must not pull in the list pattern, which loads
the store (``tests/unit/architecture/test_startup_imports.py``). A new widget: one line
in ``_HOMES`` and in the ``TYPE_CHECKING`` imports.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kootui.tui.widgets.advanced_search import AdvancedSearch, SearchField
    from kootui.tui.widgets.details import DetailField, DetailsPanel, DetailsScreen
    from kootui.tui.widgets.dialogs import ConfirmDialog
    from kootui.tui.widgets.filter_bar import FilterBar
    from kootui.tui.widgets.form import (
        CheckboxField,
        FormDialog,
        FormField,
        MultilineField,
        SelectField,
        TextField,
    )
    from kootui.tui.widgets.paged_table import PagedTable, RowSource
    from kootui.tui.widgets.status_badge import StatusBadge, status_text

# Name -> the module (in this package) that defines it.
_HOMES = {
    "AdvancedSearch": "advanced_search",
    "SearchField": "advanced_search",
    "DetailField": "details",
    "DetailsPanel": "details",
    "DetailsScreen": "details",
    "ConfirmDialog": "dialogs",
    "FilterBar": "filter_bar",
    "CheckboxField": "form",
    "FormDialog": "form",
    "FormField": "form",
    "MultilineField": "form",
    "SelectField": "form",
    "TextField": "form",
    "PagedTable": "paged_table",
    "RowSource": "paged_table",
    "StatusBadge": "status_badge",
    "status_text": "status_badge",
}

__all__ = [
    "AdvancedSearch",
    "CheckboxField",
    "ConfirmDialog",
    "DetailField",
    "DetailsPanel",
    "DetailsScreen",
    "FilterBar",
    "FormDialog",
    "FormField",
    "MultilineField",
    "PagedTable",
    "RowSource",
    "SearchField",
    "SelectField",
    "StatusBadge",
    "TextField",
    "status_text",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # asked once, then a plain attribute
    return value
