"""The keys of the Suppression List page. Part of the one registry in
``kootui.tui.keys.registry`` (which documents scopes and ids)."""

from __future__ import annotations

from kootui.tui.keys.key_action import KeyAction

SUPPRESSION_KEYS: tuple[KeyAction, ...] = (
    KeyAction("suppression-add", "n", "add_entry", "Add", "suppression", help="with a reason"),
    KeyAction(
        "suppression-remove",
        "d",
        "remove_entry",
        "Remove",
        "suppression",
        help="asks first; tasks mail it again",
    ),
    KeyAction(
        "suppression-reveal",
        "r",
        "reveal_row",
        "Reveal",
        "suppression",
        help="this row's address; again hides it",
    ),
    KeyAction(
        "suppression-import",
        "i",
        "import_entries",
        "Import xlsx",
        "suppression",
        help="every address of a file's email column",
    ),
    KeyAction(
        "suppression-export",
        "x",
        "export_entries",
        "Export xlsx",
        "suppression",
        help="the current filter, every page",
    ),
)
