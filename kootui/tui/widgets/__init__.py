"""Widgets the console pages share: the list page pattern, dialogs, status badges.

Everything here is mounted by a page inside its content area, so it works in any
screen, not only the console's page frame.
"""

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
