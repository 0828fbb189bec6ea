"""Access control for console tests: sign-in turned on, a user who may send but not
change domains, and the console opened as `kootui` opens it (sign-in first)."""

from __future__ import annotations

from dataclasses import replace

from kootui.core.access import (
    add_member,
    attach_policy,
    create_group,
    create_policy,
    create_user,
    enable_iam,
)
from kootui.core.context import Context
from kootui.tui.app import KootuiApp
from kootui.tui.opening import StoreOpening
from kootui.tui.shell.signing_in import SignInFace
from tests.support.tui_shell import FAST_REFRESH, build_app

ADMIN, ADMIN_PASSWORD = "admin", "admin-password-1"
SENDER, SENDER_PASSWORD = "ann", "ann-password-12"
# The "done when": may send, refused any domain change by a Deny, the policy's
# second statement (the core counts statements from 0).
SEND_NO_DOMAINS = """{
  "Version": "1.1",
  "Statement": [
    {"Effect": "Allow", "Action": ["KooMessage:*:*"]},
    {"Effect": "Deny", "Action": ["kooMessage:domain:create", "kooMessage:domain:update",
                                  "kooMessage:domain:delete"]}
  ]
}"""
IDLE_CHECKS = replace(FAST_REFRESH, idle_check=0.25)


def turn_sign_in_on(context: Context) -> None:
    """Sign-in on, with an administrator and ``ann`` in the group ``senders``."""
    enable_iam(context, ADMIN, ADMIN_PASSWORD)
    create_user(context, SENDER, SENDER_PASSWORD, display_name="Ann Lee")
    create_group(context, "senders", description="send, never touch domains")
    add_member(context, "senders", SENDER)
    create_policy(context, "Send no domains", SEND_NO_DOMAINS)
    attach_policy(context, "Send no domains", group="senders")


def signing_in_app(context: Context, face: SignInFace | None = None, **kwargs: object) -> KootuiApp:
    """The console as `kootui` opens it: the store on a thread, then sign-in if it is on."""
    opening = StoreOpening(
        context.settings, lambda: context, clock=context.clock, sign_in=face or SignInFace()
    )
    return build_app(opening, **kwargs)
