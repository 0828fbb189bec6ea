"""What the signed-in user may do, for the console to hide or disable, and how a refusal
reads: the one place every page asks.

The core decides and refuses (``@requires`` on every entry point); the console only asks
the same question in advance, so a key the user may not use is shown disabled instead of
failing when pressed. A refusal the core raises anyway (a policy changed meanwhile) is
shown with the core's explanation, which names the deciding statement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kootui.core.errors import KootuiError, user_message

if TYPE_CHECKING:
    from kootui.core.access import Principal


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
