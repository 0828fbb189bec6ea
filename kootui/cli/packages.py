"""``kootui package …``: packages of emails (add, list, show, remove) and the quota
policy beyond them (pay-per-use or a hard stop, and when to warn)."""

from __future__ import annotations

import argparse
import getpass
from typing import TYPE_CHECKING

from kootui.cli.confirm import confirmed
from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say, say_error

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.packages import PackageView

ON_OFF = {"on": True, "off": False}


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _say_package(view: PackageView, context: Context) -> None:
    from kootui.core.clock import as_utc

    say(f"package:    {view.id}  {view.name}")
    say(f"emails:     {view.used:,} used of {view.units:,}, {view.left:,} left")
    say(f"valid:      {view.first_day} to {view.last_day} (workspace time)")
    say(f"state:      {view.state(context.clock.now())}")
    say(f"added:      {as_utc(view.added_at):%Y-%m-%d %H:%M} UTC by {view.added_by or '—'}")
    say(f"reference:  {view.reference or '—'}")


@with_context
def _add(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.packages import add_package, parse_day

    view = add_package(
        context,
        name=args.name,
        units=args.emails,
        first_day=parse_day(args.first_day, "from"),
        last_day=parse_day(args.last_day, "until"),
        added_by=args.by if args.by is not None else _who(),
        reference=args.reference,
    )
    say(f"Added package {view.id}.")
    _say_package(view, context)
    return 0


@with_context
def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.packages import list_packages, quota_usage

    usage = quota_usage(context)
    now = context.clock.now()
    packages = list_packages(context)
    if not packages:
        say("No packages: every email is pay-per-use." if not usage.hard_stop else "No packages.")
    else:
        say(
            f"{'ID':>4}  {'NAME':<24} {'USED':>10} {'EMAILS':>10} {'LEFT':>10}  "
            f"{'VALID':<24}  STATE"
        )
        for p in packages:
            say(
                f"{p.id:>4}  {p.name[:24]:<24} {p.used:>10,} {p.units:>10,} {p.left:>10,}  "
                f"{p.first_day} to {p.last_day}  {p.state(now)}"
            )
    _say_usage(context)
    return 0


def _say_usage(context: Context) -> None:
    from kootui.core.packages import quota_usage

    usage = quota_usage(context)
    say("")
    say(f"left in packages now:   {usage.left:,}")
    say(f"used this month:        {usage.month_used:,}")
    say(f"billable (pay-per-use): {usage.month_billable:,}")
    beyond = "hold messages (hard stop)" if usage.hard_stop else "pay-per-use"
    say(f"beyond the packages:    {beyond}; warn below {usage.warn_below:,}")
    if usage.warning:
        say(f"warning: {usage.warning}")


@with_context
def _show(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.packages import find_package

    _say_package(find_package(context, args.package), context)
    return 0


@with_context
def _remove(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.packages import find_package, remove_package

    view = find_package(context, args.package)
    question = f"Remove package {view.id} ({view.name}, {view.units:,} emails)?"
    if not confirmed(question, yes=args.yes):
        say("Package kept.")
        return 1
    remove_package(context, view.id)
    say(f"Removed package {view.id}.")
    return 0


@with_context
def _policy(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.packages import set_policy

    if args.hard_stop is None and args.warn_below is None:
        say_error("nothing to change: give --hard-stop on|off or --warn-below N")
        return 2
    hard_stop = None if args.hard_stop is None else ON_OFF[args.hard_stop]
    set_policy(context, hard_stop=hard_stop, warn_below=args.warn_below)
    _say_usage(context)
    return 0


def add_package_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    package = commands.add_parser(
        "package", help="packages of emails: what is left, pay-per-use or a hard stop beyond"
    )
    actions = package.add_subparsers(dest="package_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="record a package of emails for a period")
    add.add_argument("name", help="what the package is called (1 to 100 characters)")
    add.add_argument("--emails", type=int, required=True, metavar="N", help="emails it holds")
    add.add_argument(
        "--from", dest="first_day", required=True, metavar="YYYY-MM-DD", help="its first day"
    )
    add.add_argument(
        "--until",
        dest="last_day",
        required=True,
        metavar="YYYY-MM-DD",
        help="its last day (included; it ends at the next midnight, workspace time)",
    )
    add.add_argument("--reference", default="", help="an order or invoice number")
    add.add_argument("--by", default=None, help="who added it (default: your user name)")
    add.set_defaults(handler=_add)
    actions.add_parser("list", help="packages, this month's use and billable").set_defaults(
        handler=_list
    )
    show = actions.add_parser("show", help="one package")
    show.add_argument("package", help="its ID or name")
    show.set_defaults(handler=_show)
    remove = actions.add_parser("remove", help="remove a package nothing was sent from")
    remove.add_argument("package", help="its ID or name")
    remove.add_argument("--yes", action="store_true", help="do not ask first")
    remove.set_defaults(handler=_remove)
    policy = actions.add_parser("policy", help="pay-per-use or a hard stop; when to warn")
    policy.add_argument(
        "--hard-stop",
        choices=sorted(ON_OFF),
        help="on: beyond every package, messages wait until a package is added",
    )
    policy.add_argument(
        "--warn-below", type=int, metavar="N", help="warn when fewer emails are left"
    )
    policy.set_defaults(handler=_policy)
