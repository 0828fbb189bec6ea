"""The keys of the Packages page and of a domain's warm-up plan. Part of the one registry
in ``kootui.tui.keys.registry`` (which documents scopes and ids)."""

from __future__ import annotations

from kootui.tui.keys.key_action import KeyAction

PACKAGE_KEYS: tuple[KeyAction, ...] = (
    KeyAction("packages-add", "n", "add_package", "Add", "packages", help="emails for a period"),
    KeyAction(
        "packages-remove",
        "d",
        "remove_package",
        "Remove",
        "packages",
        help="asks first; only one nothing was sent from",
    ),
    KeyAction(
        "packages-policy",
        "p",
        "edit_policy",
        "Policy",
        "packages",
        help="pay-per-use or a hard stop beyond; when to warn",
    ),
    KeyAction(
        "domain-details-warmup",
        "p",
        "edit_warmup",
        "Warm-up plan",
        "domain-details",
        help="daily caps while the domain warms up",
    ),
)
