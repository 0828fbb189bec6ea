"""``kootui template …``: the operator's review of templates (list, show, approve, reject).

In a sensitive-industry workspace a saved template waits in "approving" until an
operator approves it or rejects it with a reason; this is that operator action
for a shell over SSH. Who acted is ``--operator`` (default: the login name) and
the time is the store's clock, both recorded on the template.
"""

from __future__ import annotations

import argparse
import getpass
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say, say_block
from kootui.core.clock import local_text

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.templates import TemplateView


TEMPLATE_HELP = "the template's ID or its exact title (kootui template list shows both)"


def _operator(args: argparse.Namespace) -> str:
    if args.operator:
        return str(args.operator)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""  # the core then asks for --operator


def _describe(view: TemplateView) -> str:
    line = f"template {view.id} {view.title!r}: {view.status}"
    if view.reviewed_by:
        when = local_text(view.reviewed_at, "%Y-%m-%d %H:%M")
        line += f" by {view.reviewed_by} at {when}"
    if view.review_reason:
        line += f" ({view.review_reason})"
    return line


def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.store import MAX_PAGE_SIZE, PageRequest
    from kootui.core.templates import list_templates

    advanced = {"status": args.status} if args.status else {}
    request = PageRequest(
        text_filter=args.filter or "", sort_key="id", limit=MAX_PAGE_SIZE, advanced=advanced
    )
    page = list_templates(context, request, public=args.public)
    for row in page.rows:
        created = local_text(row["created_at"], "%Y-%m-%d %H:%M")
        say(f"{row['id']:>6} {row['status']:<10} {row['body_type']:<5} {created} {row['title']}")
    say(page.range_text())
    return 0


def _show(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.templates import find_template

    view = find_template(context, args.template)
    say(_describe(view))
    say(f"subject: {view.subject}")
    say(f"parameters: {', '.join(view.parameters) or '(none)'}")
    say(f"unsubscribe link: {'yes' if view.support_unsubscribe else 'no'}")
    say(f"open/click tracking: {'yes' if view.track_opens_clicks else 'no'}")
    say()
    say_block(view.text_body if view.body_type == "html" else view.body)
    return 0


def _approve(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.templates import approve_template, find_template

    template_id = find_template(context, args.template).id
    say(_describe(approve_template(context, template_id, operator=_operator(args))))
    return 0


def _reject(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.templates import find_template, reject_template

    template_id = find_template(context, args.template).id
    view = reject_template(context, template_id, operator=_operator(args), reason=args.reason)
    say(_describe(view))
    return 0


def add_template_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    template = commands.add_parser(
        "template", help="sender templates: list, show, approve, reject (operator review)"
    )
    actions = template.add_subparsers(dest="template_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list templates (mine, or --public)")
    listing.add_argument("--filter", help="only titles containing this text")
    listing.add_argument("--status", choices=("approving", "approved", "rejected"))
    listing.add_argument("--public", action="store_true", help="list the built-in templates")
    listing.set_defaults(handler=with_context(_list))
    show = actions.add_parser("show", help="show a template's status, parameters and text")
    show.add_argument("template", metavar="TEMPLATE", help=TEMPLATE_HELP)
    show.set_defaults(handler=with_context(_show))
    for name, run, what in (
        ("approve", _approve, "approve a template waiting for approval"),
        ("reject", _reject, "reject a template waiting for approval, with a reason"),
    ):
        action = actions.add_parser(name, help=what)
        action.add_argument("template", metavar="TEMPLATE", help=TEMPLATE_HELP)
        action.add_argument("--operator", help="who decides (default: your login name)")
        if name == "reject":
            action.add_argument("--reason", required=True, help="why, shown to the author")
        action.set_defaults(handler=with_context(run))
