"""Shared plumbing for the subcommands that work on the store, and the CLI's sign-in.

With sign-in off every command runs as the owner, as before. With it on, a command that
works on the store runs as the user named by ``KOOTUI_USER``; the password is read from
the file descriptor in ``KOOTUI_PASSWORD_FD`` (a script: ``KOOTUI_PASSWORD_FD=3 kootui …
3<secret-file``), or asked on the terminal. Never on the command line, where other
accounts can read it (``ps``)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from kootui.cli.output import ask
from kootui.core.config import Settings
from kootui.core.errors import KootuiError

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context

USER_VARIABLE = "KOOTUI_USER"
PASSWORD_FD_VARIABLE = "KOOTUI_PASSWORD_FD"
MAX_PASSWORD_BYTES = 4096


class SignInRequired(KootuiError):
    code = "signin.required"
    http_status = 401


def _password_from_fd(text: str) -> str:
    if not text.isdigit():
        raise SignInRequired(f"{PASSWORD_FD_VARIABLE} must be a file descriptor number")
    descriptor = int(text)
    try:
        with os.fdopen(descriptor, "rb", closefd=True) as source:
            data = source.read(MAX_PASSWORD_BYTES)
    except OSError as exc:
        raise SignInRequired(
            f"{PASSWORD_FD_VARIABLE}={descriptor} could not be read ({exc.strerror})"
        ) from None
    return data.decode("utf-8", "replace").splitlines()[0] if data else ""


def _credentials() -> tuple[str, str]:
    name = os.environ.get(USER_VARIABLE, "").strip()
    descriptor = os.environ.get(PASSWORD_FD_VARIABLE, "").strip()
    on_terminal = sys.stdin.isatty()
    if not name and on_terminal:
        name = ask("kootui user: ").strip()
    if not name:
        raise SignInRequired(
            f"sign-in is on: set {USER_VARIABLE} to your user name (and give the password on "
            f"the terminal or through {PASSWORD_FD_VARIABLE})"
        )
    if descriptor:
        return name, _password_from_fd(descriptor)
    if not on_terminal:
        raise SignInRequired(
            f"sign-in is on and there is no terminal to ask {name}'s password: "
            f"give it through {PASSWORD_FD_VARIABLE}"
        )
    return name, getpass.getpass(f"password for {name}: ")


def signed_in(context: Context) -> Context:
    """The context as the signed-in user when sign-in is on; the owner's otherwise."""
    from kootui.core.access import Face, authenticate, iam_enabled

    if not iam_enabled(context):
        return context
    name, password = _credentials()
    return context.acting_as(authenticate(context, name, password, Face.CLI))


def with_context(
    run: Callable[[argparse.Namespace, Context], int], *, sign_in: bool = True
) -> Callable[..., int]:
    """Wrap a command so it gets an open Context (signed in when sign-in is on), closed
    again however the command ends."""

    def handler(args: argparse.Namespace, settings: Settings) -> int:
        from kootui.core.bootstrap import open_context

        context = open_context(settings)
        try:
            return run(args, signed_in(context) if sign_in else context)
        finally:
            context.close()

    return handler
