"""The suppression list: addresses tasks skip, why and since when, kept by hand or by
unsubscribes and bounces; imported from and exported to .xlsx.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.suppression.entries import (
    MAX_NOTE_CHARS,
    REASON_LABELS,
    REASONS,
    SUPPRESSION_COLUMNS,
    SuppressionView,
    add_suppression,
    count_suppressions,
    find_suppression,
    get_suppression,
    list_suppressions,
    reason_label,
    remove_suppression,
    reveal_suppressed,
    suppression_key,
    suppression_query,
)
from kootui.core.suppression.transfer import (
    RefusedEntry,
    SuppressionImport,
    export_suppressions,
    import_suppressions,
)

__all__ = [
    "MAX_NOTE_CHARS",
    "REASONS",
    "REASON_LABELS",
    "SUPPRESSION_COLUMNS",
    "RefusedEntry",
    "SuppressionImport",
    "SuppressionView",
    "add_suppression",
    "count_suppressions",
    "export_suppressions",
    "find_suppression",
    "get_suppression",
    "import_suppressions",
    "list_suppressions",
    "reason_label",
    "remove_suppression",
    "reveal_suppressed",
    "suppression_key",
    "suppression_query",
]
