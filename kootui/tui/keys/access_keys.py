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
    KeyAction("access-new", "n", "new", "New", "access", help="a user, group or policy"),
    KeyAction("access-edit", "e", "edit", "Edit", "access", help="the policy's JSON"),
    KeyAction(
        "access-attach", "a", "attach", "Attach", "access", help="a policy to a user or group"
    ),
    KeyAction(
        "access-member", "m", "add_member", "Add member", "access", help="a user to the group"
    ),
    KeyAction(
        "access-detach", "u", "detach", "Detach", "access", help="a policy from a user or group"
    ),
    KeyAction(
        "access-remove-member",
        "r",
        "remove_member",
        "Remove member",
        "access",
        help="a user from the group",
    ),
    KeyAction("access-disable", "d", "toggle_user", "Disable", "access", help="or enable again"),
    KeyAction(
        "access-password", "p", "set_password", "Password", "access", help="set a user's password"
    ),
    KeyAction(
        "access-idle",
        "i",
        "idle_minutes",
        "Idle sign-out",
        "access",
        help="minutes before an idle console signs out",
    ),
    KeyAction("access-export", "w", "export_audit", "Export", "access", help="the audit log shown"),
    KeyAction(
        "access-explain",
        "x",
        "explain",
        "Explain",
        "access",
        help="which statement allows or refuses an action",
    ),
    KeyAction("policy-save", "ctrl+s", "save", "Save", "policy-editor", priority=True),
    KeyAction("policy-close", "escape", "close", "Close", "policy-editor"),
    KeyAction("explain-close", "escape", "close", "Close", "explain"),
)
