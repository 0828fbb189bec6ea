"""What the signed-in user may do, for the console to hide or disable, and how a refusal
reads: the one place every page asks.

The core decides and refuses (``@requires`` on every entry point); the console only asks
the same question in advance, so a key the user may not use is shown disabled instead of
failing when pressed. A refusal the core raises anyway (a policy changed meanwhile) is
shown with the core's explanation, which names the deciding statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kootui.core.errors import KootuiError, user_message
from kootui.tui.keys.registry import BY_ID

if TYPE_CHECKING:
    from kootui.core.access import Principal


# What each page key needs (registry id -> access action, as kootui.core.access.Act
# spells it): PageScreen shows the key disabled when the signed-in user may not.
KEY_RIGHTS: dict[str, str] = {
    "domains-new": "kooMessage:domain:create",
    "domains-edit": "kooMessage:domain:update",
    "domains-delete": "kooMessage:domain:delete",
    "domains-verify": "kooMessage:domain:update",
    "addresses-new": "kooMessage:sender:create",
    "addresses-delete": "kooMessage:sender:delete",
    "templates-new": "kooMessage:template:create",
    "templates-edit": "kooMessage:template:update",
    "templates-delete": "kooMessage:template:delete",
    "templates-approve": "kooMessage:template:approve",
    "templates-reject": "kooMessage:template:approve",
    "tasks-new": "kooMessage:devSendTask:create",
    "tasks-cancel": "kooMessage:devSendTask:update",
    "tasks-pause": "kooMessage:devSendTask:update",
    "tasks-resume": "kooMessage:devSendTask:update",
    "tasks-delete": "kooMessage:devSendTask:delete",
    "task-progress-pause": "kooMessage:devSendTask:update",
    "task-progress-resume": "kooMessage:devSendTask:update",
    "task-progress-cancel": "kooMessage:devSendTask:update",
    "details-reveal": "kooMessage:message:reveal",
    "details-export": "kooMessage:message:export",
    "message-detail-reveal": "kooMessage:message:reveal",
    "reports-export": "kooMessage:report:read",
    "suppression-add": "kooMessage:suppression:create",
    "suppression-remove": "kooMessage:suppression:delete",
    "suppression-reveal": "kooMessage:suppression:reveal",
    "suppression-import": "kooMessage:suppression:create",
    "suppression-export": "kooMessage:suppression:export",
    "webhooks-add": "kooMessage:webhook:create",
    "webhooks-edit": "kooMessage:webhook:update",
    "webhooks-test": "kooMessage:webhook:update",
    "webhooks-toggle": "kooMessage:webhook:update",
    "webhooks-remove": "kooMessage:webhook:delete",
    "packages-add": "kooMessage:package:create",
    "packages-remove": "kooMessage:package:delete",
    "packages-policy": "kooMessage:package:update",
    "domain-details-warmup": "kooMessage:warmup:update",
    "destinations-new": "kooMessage:destination:create",
    "destinations-edit": "kooMessage:destination:update",
    "destinations-delete": "kooMessage:destination:delete",
    "destinations-workspace": "kooMessage:destination:update",
}
# The same, by (scope, action name), which is what a screen's check_action is given.
_RIGHTS_BY_ACTION = {
    (BY_ID[binding].scope, BY_ID[binding].action): right for binding, right in KEY_RIGHTS.items()
}


def key_right(scopes: Iterable[str], action: str) -> str | None:
    """The access action a page key needs, or None when any user may press it."""
    for scope in scopes:
        right = _RIGHTS_BY_ACTION.get((scope, action))
        if right is not None:
            return right
    return None


def key_allowed(principal: Principal | None, scopes: Iterable[str], action: str) -> bool:
    """Whether ``principal`` may press the key bound to ``action`` in one of ``scopes``
    (a key that needs no right: always). Screens that are not pages ask this too."""
    right = key_right(scopes, action)
    return right is None or may(principal, right)


def key_refusal(principal: Principal | None, scopes: Iterable[str], action: str) -> str | None:
    """Why the signed-in user may not press the key bound to ``action`` (None: they may):
    shown when a disabled key is pressed."""
    right = key_right(scopes, action)
    return None if right is None else right_refusal(principal, right)


def right_refusal(principal: Principal | None, right: str) -> str | None:
    """ "Not allowed: " and the statement that refuses ``right`` (None when allowed)."""
    if principal is None or principal.unrestricted:
        return None
    from kootui.core.access import evaluate

    decision = evaluate(principal, right, "")
    return None if decision.allowed else f"Not allowed: {decision.explanation}"


def may(principal: Principal | None, action: str, resource: str = "") -> bool:
    """Whether ``principal`` (None: the owner, sign-in off) may do ``action``."""
    if principal is None or principal.unrestricted:
        return True
    from kootui.core.access import evaluate

    return evaluate(principal, action, resource).allowed


def refusal_text(error: KootuiError) -> str:
    """One line for a refusal: an access refusal says so and names what decided it."""
    if error.code == "access.denied":
        return f"Not allowed: {user_message(error)}"
    return user_message(error)
