"""``set-limit`` of ``kootui iam user``, ``kootui apikey`` and ``kootui smtp-credential``,
and ``kootui iam limits``: daily message limits from the command line.

The same core services as every face (``core.apikeys``' daily limits); the number is
checked there, the word ``none`` clears the limit."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.apikeys import DailyLimitView
    from kootui.core.context import Context

NO_LIMIT = "none"


def limit_value(text: str) -> int | None:
    """argparse's type for a limit: a whole number of messages, or ``none``."""
    if text.strip().lower() == NO_LIMIT:
        return None
    try:
        return int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of messages (or {NO_LIMIT!r} for no limit)"
        ) from None


def limit_line(view: DailyLimitView) -> str:
    limit = (
        "no daily limit" if view.messages is None else f"at most {view.messages:,} messages a day"
    )
    return f"{view.label}: {limit}; {view.used_today:,} accepted today ({view.day})"


Setter = Callable[["Context", str, "int | None"], "DailyLimitView"]


def _set_limit(setter_name: str, target: str) -> Callable[[argparse.Namespace, Context], int]:
    def run(args: argparse.Namespace, context: Context) -> int:
        from kootui.core import apikeys

        setter: Setter = getattr(apikeys, setter_name)
        say(limit_line(setter(context, getattr(args, target), args.messages)))
        return 0

    return run


def add_set_limit(
    actions: argparse._SubParsersAction[ArgumentParser],
    *,
    target: str,
    target_help: str,
    setter_name: str,
    what: str,
) -> None:
    """The ``set-limit TARGET MESSAGES`` command of a command group."""
    parser = actions.add_parser(
        "set-limit",
        help=f"at most MESSAGES accepted a day for {what} (none: no limit)",
    )
    parser.add_argument(target, metavar=target.upper(), help=target_help)
    parser.add_argument(
        "messages",
        type=limit_value,
        metavar="MESSAGES",
        help="messages a day in the workspace's time zone, or 'none'",
    )
    parser.set_defaults(handler=with_context(_set_limit(setter_name, target)))


def _list_limits(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.apikeys import list_daily_limits

    views = list_daily_limits(context)
    for view in views:
        say(limit_line(view))
    say(f"{len(views)} limit(s)")
    return 0


def add_limit_list(actions: argparse._SubParsersAction[ArgumentParser]) -> None:
    actions.add_parser(
        "limits", help="every daily message limit and what it was accepted today"
    ).set_defaults(handler=with_context(_list_limits))
