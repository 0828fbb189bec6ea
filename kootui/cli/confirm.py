"""Asking before a command destroys or resets something, as the console's dialogs do.

``--yes`` answers for a script. Without it the question is asked on the terminal; with
no terminal to ask on (cron, a pipe, CI) the command is refused rather than guessed,
so a script that forgot ``--yes`` stops instead of deleting.
"""

from __future__ import annotations

import sys

from kootui.cli.output import ask, say_block, say_error


def confirmed(question: str, *, yes: bool, typed: str | None = None) -> bool:
    """True when the user agrees (or passed ``--yes``); False when they decline.

    With ``typed`` the user must type that text (a domain's name), as the console's
    typed confirmation asks, instead of answering y. Exits with status 2, like a usage
    error, when stdin is not a terminal and ``--yes`` was not given."""
    if yes:
        return True
    if not sys.stdin.isatty():
        say_error("not run in a terminal, so no one can confirm; pass --yes to go ahead")
        raise SystemExit(2)
    say_block(question)
    try:
        if typed is not None:
            return ask(f"Type {typed} to confirm: ").strip() == typed
        return ask("Go ahead? [y/N] ").strip().lower() in {"y", "yes"}
    except EOFError:
        return False
