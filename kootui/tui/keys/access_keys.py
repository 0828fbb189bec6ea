"""The keys of the sign-in screen and the Access page. Part of the one registry in
``kootui.tui.keys.registry`` (which documents scopes and ids).
"""

from __future__ import annotations

from kootui.tui.keys.key_action import KeyAction

ACCESS_KEYS: tuple[KeyAction, ...] = (
    KeyAction("sign-in-submit", "enter", "submit", "Sign in", "sign-in", show=False),
    KeyAction("sign-in-quit", "ctrl+q", "quit_console", "Quit", "sign-in", help="leave kootui"),
    KeyAction("access-users", "1", "show_tab('users')", "Users", "access", group="Tabs"),
    KeyAction("access-groups", "2", "show_tab('groups')", "Groups", "access", group="Tabs"),
    KeyAction("access-policies", "3", "show_tab('policies')", "Policies", "access", group="Tabs"),
    KeyAction("access-audit", "4", "show_tab('audit')", "Audit log", "access", group="Tabs"),
    KeyAction(
        "access-explain",
        "x",
        "explain",
        "Explain",
        "access",
        help="which statement allows or refuses an action",
    ),
)
