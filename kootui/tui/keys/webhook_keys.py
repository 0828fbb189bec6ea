"""The keys of the Webhooks page and its dialogs. Part of the one registry in
``kootui.tui.keys.registry`` (which documents scopes and ids)."""

from __future__ import annotations

from kootui.tui.keys.key_action import KeyAction

WEBHOOK_KEYS: tuple[KeyAction, ...] = (
    KeyAction("webhooks-add", "n", "add_endpoint", "Add", "webhooks", help="secret shown once"),
    KeyAction("webhooks-edit", "e", "edit_endpoint", "Edit", "webhooks", help="URL, events"),
    KeyAction(
        "webhooks-test",
        "t",
        "send_test",
        "Send test",
        "webhooks",
        help="a test event, delivered now",
    ),
    KeyAction("webhooks-log", "l", "show_log", "Log", "webhooks", help="delivery attempts"),
    KeyAction(
        "webhooks-toggle",
        "o",
        "toggle_endpoint",
        "On/off",
        "webhooks",
        help="enable or disable the endpoint",
    ),
    KeyAction(
        "webhooks-remove",
        "d",
        "remove_endpoint",
        "Remove",
        "webhooks",
        help="asks first; its waiting events go too",
    ),
    KeyAction("webhook-secret-copy", "c", "copy_secret", "Copy", "webhook-secret"),
    KeyAction("webhook-secret-close", "escape", "close", "Done", "webhook-secret"),
    KeyAction("webhook-log-close", "escape", "close", "Back", "webhook-log"),
)
