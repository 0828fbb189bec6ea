"""``kootui workspace …``: the workspace's name, domain quota, sensitive-industry flag and
the time zone of the Statistics Report.

These live in the store (shared by every console and worker), so they are changed
here or in the console's workspace form, not in ``config.toml``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say, say_error

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.workspace import WorkspaceView

ON_OFF = {"on": True, "off": False}


def _say_workspace(view: WorkspaceView) -> None:
    say(f"name:               {view.name}")
    say(f"domain quota:       {view.max_domains}")
    flag = "on (new and edited templates wait for approval)" if view.sensitive_industry else "off"
    say(f"sensitive industry: {flag}")
    machine = " (this machine's)" if view.time_zone_is_machine else ""
    say(f"time zone:          {view.time_zone}{machine}")


@with_context
def _show(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.workspace import get_workspace

    _say_workspace(get_workspace(context))
    return 0


@with_context
def _set(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.workspace import update_workspace

    given = (args.name, args.max_domains, args.sensitive_industry, args.time_zone)
    if all(value is None for value in given):
        say_error(
            "nothing to change: give --name, --max-domains, --sensitive-industry or --time-zone"
        )
        return 2
    sensitive = None if args.sensitive_industry is None else ON_OFF[args.sensitive_industry]
    view = update_workspace(
        context,
        name=args.name,
        max_domains=args.max_domains,
        sensitive_industry=sensitive,
        time_zone=args.time_zone,
    )
    _say_workspace(view)
    return 0


def add_workspace_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    workspace = commands.add_parser(
        "workspace",
        help="the workspace's name, domain quota, sensitive-industry flag and time zone",
    )
    actions = workspace.add_subparsers(dest="workspace_command", metavar="ACTION", required=True)
    actions.add_parser("show", help="show the workspace settings").set_defaults(handler=_show)
    change = actions.add_parser("set", help="change workspace settings")
    change.add_argument("--name", help="shown in the console's header (1 to 100 characters)")
    change.add_argument("--max-domains", type=int, metavar="N", help="sender domains allowed")
    change.add_argument(
        "--sensitive-industry",
        choices=sorted(ON_OFF),
        help="on: new and edited templates wait for an operator's approval",
    )
    change.add_argument(
        "--time-zone",
        metavar="ZONE",
        help="the Statistics Report's days and months, e.g. Europe/Berlin; 'machine' for "
        "this machine's zone (the default)",
    )
    change.set_defaults(handler=_set)
