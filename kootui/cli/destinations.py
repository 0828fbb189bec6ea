"""``kootui destination add|list|set|remove``: per-destination sending limits.

Rules live in the store: running engines (consoles, workers, on any host) follow a
change within seconds. ``default`` names the rule for every domain no rule names;
``workspace`` names the rate of the whole workspace (``sending.rate`` until set).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say, say_error

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.shaping import Rule


def _limit(value: float, unit: str = "/s") -> str:
    return "no limit" if value <= 0 else f"{value:g}{unit}"


def _say_rule(rule: Rule) -> None:
    from kootui.core.shaping import shown_domain

    domains = ", ".join(shown_domain(d) for d in rule.domains) or "every other domain, each"
    connections = _limit(rule.max_connections, " sessions")
    say(f"{rule.name}: {_limit(rule.rate)}, {connections}; {domains}")


@with_context
def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.clock import local_text
    from kootui.core.shaping import default_rule, list_rules, slowings, workspace_rate

    rate = workspace_rate(context)
    origin = "set live" if rate.from_store else "sending.rate"
    say(f"workspace: {_limit(rate.rate)} ({origin})")
    rules = list_rules(context.store)
    if not any(rule.is_default for rule in rules):
        rules.insert(0, default_rule(context.store))
    for rule in rules:
        _say_rule(rule)
    for state in slowings(context.store).values():
        say(
            f"slowed: {state.label} at {state.rate:.2f}/s of {state.ceiling:.2f}/s since "
            f"{local_text(state.since)}: {state.reason}"
        )
    return 0


@with_context
def _add(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.shaping import add_rule

    _say_rule(add_rule(context, args.name, args.domains, args.rate, args.connections))
    return 0


@with_context
def _set(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.shaping import WORKSPACE_NAME, set_rule, set_workspace_rate

    if args.name.strip().lower() == WORKSPACE_NAME:
        if args.rate is None and not args.unset:
            say_error("give --rate N (messages a second, 0: no limit) or --unset")
            return 2
        rate = set_workspace_rate(context, None if args.unset else args.rate)
        say(f"workspace: {_limit(rate.rate)} ({'set live' if rate.from_store else 'sending.rate'})")
        return 0
    given = (args.rate, args.connections, args.domains, args.rename)
    if all(value is None for value in given):
        say_error("nothing to change: give --rate, --connections, --domains or --rename")
        return 2
    rule = set_rule(
        context,
        args.name,
        rate=args.rate,
        max_connections=args.connections,
        domains=args.domains,
        new_name=args.rename,
    )
    _say_rule(rule)
    return 0


@with_context
def _remove(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.shaping import remove_rule

    rule = remove_rule(context, args.name)
    if rule.is_default:
        say("default: reset to no limit")
    else:
        say(f"removed {rule.name}: its domains follow the default rule")
    return 0


def add_destination_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    destination = commands.add_parser(
        "destination", help="per-destination sending limits (rate, sessions), followed live"
    )
    actions = destination.add_subparsers(
        dest="destination_command", metavar="ACTION", required=True
    )
    actions.add_parser(
        "list", help="the rules, the workspace rate, slowed destinations"
    ).set_defaults(handler=_list)
    add = actions.add_parser("add", help="a rule for a domain or a group of domains")
    add.add_argument("name", help="the group's name, e.g. Google")
    add.add_argument("domains", nargs="+", help="its domains, e.g. gmail.com googlemail.com")
    add.add_argument("--rate", type=float, default=0.0, help="messages a second (0: no limit)")
    add.add_argument(
        "--connections", type=int, default=0, metavar="N", help="relay sessions at once (0: none)"
    )
    add.set_defaults(handler=_add)
    change = actions.add_parser(
        "set", help="change a rule; 'default' for other domains, 'workspace' for the whole"
    )
    change.add_argument("name", help="a rule's name or ID, 'default' or 'workspace'")
    change.add_argument("--rate", type=float, help="messages a second (0: no limit)")
    change.add_argument("--connections", type=int, metavar="N", help="relay sessions at once")
    change.add_argument("--domains", nargs="+", help="replace the rule's domains")
    change.add_argument("--rename", metavar="NAME", help="a new name for the rule")
    change.add_argument(
        "--unset", action="store_true", help="workspace: go back to sending.rate of the settings"
    )
    change.set_defaults(handler=_set)
    remove = actions.add_parser("remove", help="remove a rule (default: reset it)")
    remove.add_argument("name", help="a rule's name or ID, or 'default'")
    remove.set_defaults(handler=_remove)
