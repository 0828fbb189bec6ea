"""The note that this console has shown a Statistics Report, which ticks the Overview's
guide step 6 (kept in ui-state.json with the theme: it is this console's state)."""

from __future__ import annotations

from kootui.core.context import Context
from kootui.tui.ui_state import load_ui_state, save_ui_state


def viewed_key(context: Context) -> str:
    """The ui-state.json entry saying a report was shown; the demo workspace keeps its
    own, so looking around the demo never ticks the real workspace's guide."""
    return "report_viewed_demo" if context.settings.demo else "report_viewed"


def report_viewed(context: Context) -> bool:
    return load_ui_state(context.settings.paths.ui_state_file).get(viewed_key(context)) is True


def remember_viewed(context: Context) -> None:
    if not report_viewed(context):
        save_ui_state(context.settings.paths.ui_state_file, **{viewed_key(context): True})
