"""``kootui warmup …``: a sending domain's warm-up plan (daily caps), today's cap and use."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say, say_error

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.warmup import WarmupView


def _say_plan(view: WarmupView) -> None:
    say(f"domain:     {view.domain}")
    say(f"plan:       {view.curve}")
    say(f"started:    {view.first_day} (day 1, workspace time)")
    if view.today_cap is None:
        say(f"today:      day {view.day_number}, the plan is over: no cap")
    else:
        say(
            f"today:      day {view.day_number} of {len(view.caps)}: "
            f"{view.used_today:,} sent of {view.today_cap:,} (the rest waits for tomorrow)"
        )


@with_context
def _set(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.warmup import domain_id_named, parse_caps, set_plan

    domain_id = domain_id_named(context, args.domain)
    if args.caps is not None:
        if args.target is not None or args.days is not None:
            say_error("give either --caps or --target with --days, not both")
            return 2
        view = set_plan(context, domain_id, caps=parse_caps(args.caps))
    else:
        if args.target is None:
            say_error("give --target N (with --days D) or --caps 50,100,…")
            return 2
        view = set_plan(context, domain_id, target=args.target, days=args.days or 14)
    _say_plan(view)
    return 0


@with_context
def _show(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.warmup import domain_id_named, show_plan

    view = show_plan(context, domain_id_named(context, args.domain))
    if view is None:
        say(f"{args.domain} has no warm-up plan: it sends without a daily cap.")
        return 0
    _say_plan(view)
    return 0


@with_context
def _clear(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.warmup import clear_plan, domain_id_named

    if clear_plan(context, domain_id_named(context, args.domain)):
        say(f"Removed the warm-up plan of {args.domain}: it sends without a daily cap.")
    else:
        say(f"{args.domain} had no warm-up plan.")
    return 0


def add_warmup_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    warmup = commands.add_parser("warmup", help="a sending domain's daily caps while it warms up")
    actions = warmup.add_subparsers(dest="warmup_command", metavar="ACTION", required=True)
    change = actions.add_parser(
        "set", help="cap the domain's emails a day: a doubling curve or your own table"
    )
    change.add_argument("domain", help="the sending domain (name or ID)")
    change.add_argument(
        "--target", type=int, metavar="N", help="the last day's cap; days before double up to it"
    )
    change.add_argument("--days", type=int, metavar="D", help="days of the curve (default 14)")
    change.add_argument("--caps", metavar="LIST", help="your own caps, day 1 first: 50,100,250")
    change.set_defaults(handler=_set)
    show = actions.add_parser("show", help="the plan, today's cap and today's use")
    show.add_argument("domain", help="the sending domain (name or ID)")
    show.set_defaults(handler=_show)
    clear = actions.add_parser("clear", help="remove the plan (no daily cap)")
    clear.add_argument("domain", help="the sending domain (name or ID)")
    clear.set_defaults(handler=_clear)
