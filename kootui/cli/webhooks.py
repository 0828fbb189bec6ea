"""``kootui webhook …``: webhook endpoints from a shell (add, list, show, edit, remove,
enable, disable, test, log, rotate-secret), the same core calls as the Webhooks page.

``add`` and ``rotate-secret`` print the signing secret once on its own line on stdout
(``kootui webhook add https://… > secret.txt``); it is never shown again. ``list`` and
``show`` say on stderr when the engines disabled an endpoint after days of failures.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from kootui.cli.confirm import confirmed
from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say, say_block
from kootui.core.clock import local_text
from kootui.core.printable import printable

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.webhooks import DeliveryView, EndpointView

# Kept here so --help works without importing the core (kootui.core.webhooks.WEBHOOK_EVENTS).
EVENTS_HELP = (
    "comma-separated: accepted, delivered, deferred, rejected, bounced, complained, "
    "unsubscribed, opened, clicked, or all (default: all)"
)
ENDPOINT_HELP = "the endpoint's ID, as `kootui webhook list` shows"


def _events(text: str) -> list[str]:
    return [name for name in text.split(",") if name.strip()]


def _events_text(view: EndpointView) -> str:
    from kootui.core.webhooks import WEBHOOK_EVENTS

    return "all" if set(view.events) == set(WEBHOOK_EVENTS) else ",".join(view.events)


def _json(value: object) -> None:
    say_block(json.dumps(value, ensure_ascii=True, indent=2))


def _notice(views: list[EndpointView]) -> None:
    for view in views:
        if view.state == "disabled (failing)":
            since = local_text(view.disabled_at, "%Y-%m-%d %H:%M")
            say(
                f"notice: endpoint {view.id} was disabled on {since}: "
                f"{printable(view.disabled_reason)}; fix it, then `kootui webhook enable "
                f"{view.id}` (its waiting events go out again)",
                err=True,
            )


def _last_text(view: EndpointView) -> str:
    if view.last_attempt_at is None:
        return "never"
    when = local_text(view.last_attempt_at, "%Y-%m-%d %H:%M")
    verdict = "ok" if view.last_ok else "failed"
    code = f" {view.last_status_code}" if view.last_status_code is not None else ""
    return f"{when} {verdict}{code}"


def _add(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.webhooks import create_endpoint

    created = create_endpoint(
        context, args.url, _events(args.events), description=args.description or ""
    )
    if args.json:
        _json({"endpoint": created.endpoint.as_dict(), "secret": created.secret})
        return 0
    say(
        f"Created webhook endpoint {created.endpoint.id} for {_events_text(created.endpoint)}; "
        "its signing secret follows (copy it now, it is not shown again):",
        err=True,
    )
    say(created.secret)
    return 0


def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.webhooks import list_endpoints

    views = list_endpoints(context)
    if args.json:
        _json([view.as_dict() for view in views])
        return 0
    for view in views:
        say(
            f"{view.id:>4}  {view.state:<18}  {view.waiting:>6} waiting  "
            f"last {_last_text(view):<24}  {_events_text(view)[:40]:<40}  {printable(view.url)}"
        )
    say(f"{len(views)} endpoint(s)")
    _notice(views)
    return 0


def _show(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.webhooks import get_endpoint

    view = get_endpoint(context, args.endpoint)
    if args.json:
        _json(view.as_dict())
        return 0
    lines = [
        ("ID", str(view.id)),
        ("URL", printable(view.url)),
        ("Description", printable(view.description) or "—"),
        ("Events", ", ".join(view.events)),
        ("State", view.state),
        ("Created", local_text(view.created_at)),
        ("Failing since", local_text(view.failing_since)),
        ("Waiting", f"{view.waiting} event(s)"),
        ("Given up", f"{view.failed} event(s)"),
        ("Last attempt", _last_text(view)),
    ]
    if view.disabled_reason:
        lines.append(("Disabled", printable(view.disabled_reason)))
    for label, value in lines:
        say(f"{label + ':':<15}{value}")
    _notice([view])
    return 0


def _edit(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.webhooks import update_endpoint

    view = update_endpoint(
        context,
        args.endpoint,
        url=args.url,
        events=_events(args.events) if args.events is not None else None,
        description=args.description,
    )
    say(f"Endpoint {view.id}: {_events_text(view)} to {printable(view.url)}")
    return 0


def _remove(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.webhooks import get_endpoint, remove_endpoint

    view = get_endpoint(context, args.endpoint)
    question = (
        f"Remove webhook endpoint {view.id} ({printable(view.url)})? Its {view.waiting} "
        "waiting event(s) and its delivery log go with it."
    )
    if not confirmed(question, yes=args.yes):
        say("Nothing was removed.")
        return 1
    remove_endpoint(context, view.id)
    say(f"Removed webhook endpoint {view.id}.")
    return 0


def _enable(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.webhooks import set_enabled

    view = set_enabled(context, args.endpoint, True)
    say(f"Endpoint {view.id} enabled; {view.waiting} waiting event(s) go out again.")
    return 0


def _disable(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.webhooks import set_enabled

    view = set_enabled(context, args.endpoint, False)
    say(f"Endpoint {view.id} disabled: no new events are queued for it.")
    return 0


def _entry_text(entry: DeliveryView) -> str:
    code = str(entry.status_code) if entry.status_code is not None else "—"
    verdict = "ok" if entry.ok else "failed"
    return (
        f"{local_text(entry.started_at)}  {entry.event:<12}  #{entry.attempt:<2}  "
        f"{verdict:<6}  {code:>3}  {entry.duration_ms:>6} ms  {printable(entry.detail)[:60]}"
    )


def _test(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.webhooks import send_test_event

    entry = send_test_event(context, args.endpoint)
    if args.json:
        _json(entry.as_dict())
    else:
        say(_entry_text(entry))
    return 0 if entry.ok else 1


def _log(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.webhooks import delivery_log

    entries = delivery_log(context, args.endpoint, limit=args.limit)
    if args.json:
        _json([entry.as_dict() for entry in entries])
        return 0
    for entry in entries:
        say(_entry_text(entry))
    say(f"{len(entries)} attempt(s), newest first")
    return 0


def _rotate(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.webhooks import rotate_secret

    secret = rotate_secret(context, args.endpoint)
    say(
        f"Endpoint {args.endpoint} signs with a new secret from now on (the old one no longer "
        "verifies); copy it now, it is not shown again:",
        err=True,
    )
    say(secret)
    return 0


def _endpoint_argument(parser: ArgumentParser) -> None:
    parser.add_argument("endpoint", metavar="ID", type=_endpoint_id, help=ENDPOINT_HELP)


def _endpoint_id(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not an endpoint ID (a number)")
    return int(text)


def add_webhook_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    group = commands.add_parser(
        "webhook", help="endpoints message events are POSTed to: add, list, test, log, ..."
    )
    actions = group.add_subparsers(dest="webhook_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add an endpoint and print its signing secret once")
    add.add_argument("url", metavar="URL", help="https:// address events are POSTed to")
    add.add_argument("--events", default="all", metavar="LIST", help=EVENTS_HELP)
    add.add_argument("--description", metavar="TEXT", help="what it is for (at most 200)")
    add.add_argument("--json", action="store_true", help="print JSON (the secret included)")
    add.set_defaults(handler=with_context(_add))

    listing = actions.add_parser("list", help="endpoints, their state and last delivery")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=with_context(_list))

    show = actions.add_parser("show", help="one endpoint in full")
    _endpoint_argument(show)
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=with_context(_show))

    edit = actions.add_parser("edit", help="change an endpoint's URL, events or description")
    _endpoint_argument(edit)
    edit.add_argument("--url", metavar="URL", help="a new address (checked as at add)")
    edit.add_argument("--events", metavar="LIST", help=EVENTS_HELP)
    edit.add_argument("--description", metavar="TEXT", help="a new description")
    edit.set_defaults(handler=with_context(_edit))

    remove = actions.add_parser("remove", help="remove an endpoint and its log (asks first)")
    _endpoint_argument(remove)
    remove.add_argument("--yes", action="store_true", help="do not ask first")
    remove.set_defaults(handler=with_context(_remove))

    enable = actions.add_parser("enable", help="send to an endpoint again")
    _endpoint_argument(enable)
    enable.set_defaults(handler=with_context(_enable))

    disable = actions.add_parser("disable", help="stop queueing events for an endpoint")
    _endpoint_argument(disable)
    disable.set_defaults(handler=with_context(_disable))

    test = actions.add_parser(
        "test", help="send a test event now and print the attempt (exit 1 when it failed)"
    )
    _endpoint_argument(test)
    test.add_argument("--json", action="store_true", help="print JSON")
    test.set_defaults(handler=with_context(_test))

    log = actions.add_parser("log", help="an endpoint's latest delivery attempts")
    _endpoint_argument(log)
    log.add_argument("--limit", type=int, default=50, metavar="N", help="attempts (1-1000)")
    log.add_argument("--json", action="store_true", help="print JSON")
    log.set_defaults(handler=with_context(_log))

    rotate = actions.add_parser(
        "rotate-secret", help="give an endpoint a new signing secret, printed once"
    )
    _endpoint_argument(rotate)
    rotate.set_defaults(handler=with_context(_rotate))
