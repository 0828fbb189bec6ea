"""The keys of the Statistics Report page and its measures popup. Part of the one registry
in ``kootui.tui.keys.registry`` (which documents scopes and ids).
"""

from __future__ import annotations

from kootui.tui.keys.key_action import KeyAction

REPORT_KEYS: tuple[KeyAction, ...] = (
    KeyAction("reports-type", "t", "cycle_type", "Type", "reports", help="hourly, daily, monthly"),
    KeyAction(
        "reports-earlier",
        "left_square_bracket",
        "move_range(-1)",
        "Earlier",
        "reports",
        help="the range before this one, as long",
    ),
    KeyAction(
        "reports-later",
        "right_square_bracket",
        "move_range(1)",
        "Later",
        "reports",
        help="the range after this one, up to now",
    ),
    KeyAction(
        "reports-latest", "n", "latest_range", "Now", "reports", help="back to the running period"
    ),
    KeyAction("reports-range", "r", "pick_range", "Range…", "reports", help="from and to dates"),
    KeyAction(
        "reports-measures",
        "m",
        "choose_measures",
        "Measures",
        "reports",
        help="what the chart shows",
    ),
    KeyAction(
        "reports-filters",
        "f",
        "toggle_filters",
        "Filters",
        "reports",
        help="domain, address, template, task, send method",
    ),
    KeyAction("reports-export", "x", "export", "Export", "reports", help=".xlsx or .csv"),
    # space shows or hides the highlighted measure (the list's own key)
    KeyAction("report-measures-apply", "enter", "apply", "Apply", "report-measures", priority=True),
    KeyAction("report-measures-cancel", "escape", "cancel", "Cancel", "report-measures"),
)
