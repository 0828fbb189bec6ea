"""``kootui messages …``: the Sending Details page from the command line.

``list`` prints one page (or JSON), ``show`` one message with its attempts and raw
headers, ``export`` the whole filter to .xlsx. The filter options are the advanced
search fields of the page, passed to the core as typed: a bad value is refused by
the same check, with the same message naming the field, and exit status 2.
Recipients are masked unless ``--reveal`` / ``--reveal-recipients`` is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, end_progress, say, say_block, say_error, say_progress
from kootui.cli.paths import file_to_write
from kootui.core.clock import local_text
from kootui.core.config import Settings
from kootui.core.errors import ValidationError
from kootui.core.plural import count_of

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.store import PageRequest

Command = Callable[[argparse.Namespace, "Context"], int]
# The advanced search fields, as options (kept here so --help works without the store).
FILTER_OPTIONS: tuple[tuple[str, str], ...] = (
    ("template_name", "template name contains this"),
    ("template_id", "template ID"),
    ("task_name", "task name contains this"),
    ("task_id", "task ID"),
    ("subject", "subject contains this"),
    ("sender", "sender address or alias contains this"),
    ("recipient", "recipient address contains this"),
    ("status", "pending, sending, delivered, deferred, rejected, failed, cancelled"),
    ("send_method", "console, cli, api, smtp"),
    ("created_from", "created on or after this local day (YYYY-MM-DD)"),
    ("created_to", "created on or before this local day (YYYY-MM-DD)"),
    ("range", "24h (default without created dates), 7d, 30d, all"),
)


def _refusals_exit_2(run: Command) -> Command:
    """A refused filter value exits with status 2, like a bad command-line option."""

    def guarded(args: argparse.Namespace, context: Context) -> int:
        try:
            return run(args, context)
        except ValidationError as exc:
            say_error(exc)
            return 2

    return guarded


def _request(args: argparse.Namespace, *, limit: int | None = None) -> PageRequest:
    from kootui.core.store import MAX_PAGE_SIZE, PageRequest

    advanced = {
        name: value for name, _help in FILTER_OPTIONS if (value := getattr(args, name)) is not None
    }
    return PageRequest(
        offset=getattr(args, "offset", 0),
        limit=limit or int(getattr(args, "limit", MAX_PAGE_SIZE)),
        sort_key=args.sort,
        descending=not args.ascending if args.sort else True,
        text_filter=args.filter or "",
        advanced=advanced,
    )


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.details import DETAILS_COLUMNS, query_messages

    page = query_messages(context, _request(args))
    if args.json:
        keys = [column.key for column in DETAILS_COLUMNS]
        shown = {
            "total": page.total,
            "offset": page.offset,
            "rows": [{key: _json_value(row[key]) for key in keys} for row in page.rows],
        }
        # ensure_ascii: every control and bidi character of a subject or header is a \u escape.
        say_block(json.dumps(shown, ensure_ascii=True, indent=2))
        return 0
    for row in page.rows:
        created = local_text(row["created"], "%Y-%m-%d %H:%M")
        say(
            f"{row['message_id']:>8}  {row['status']:<9}  {created}  {row['task'][:24]:<24}  "
            f"{row['recipient'][:28]:<28}  {row['subject'][:40]}"
        )
    say(page.range_text())
    return 0


def _show(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.details import message_detail

    detail = message_detail(context, args.message_id, reveal=args.reveal)
    width = max(len(label) for label, _text in detail.fields)
    for label, text in detail.fields:
        say(f"{label + ':':<{width + 1}} {text}")
    say()
    say(f"Attempts ({len(detail.attempts)}):")
    for attempt in detail.attempts:
        took = f"{attempt.duration_ms} ms" if attempt.duration_ms is not None else "—"
        code = " ".join(part for part in (attempt.reply_code, attempt.enhanced_code) if part)
        say(
            f"  {attempt.started}  {attempt.stage:<7} {attempt.outcome:<9} {code:<11} "
            f"{attempt.remote_host or '—'} tls {attempt.tls} {took}  {attempt.reply_text}"
        )
    say()
    say("Headers as last sent:")
    if detail.headers:
        say_block(detail.headers)
    else:
        say(f"  ({detail.headers_reason})")
    return 0


def _export(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.details import export_messages

    show_progress = sys.stderr.isatty()

    def progress(rows: int) -> None:
        if show_progress:
            say_progress(f"written {count_of(rows, 'row')}")

    result = export_messages(
        context,
        _request(args, limit=1),
        args.path,
        reveal_recipients=args.reveal_recipients,
        progress=progress,
    )
    if show_progress:
        end_progress()
    masked = "" if args.reveal_recipients else " (recipients masked)"
    say(f"Wrote {count_of(result.rows, 'message')} to {result.path}{masked}")
    return 0


def _add_filters(parser: argparse.ArgumentParser) -> None:
    for name, text in FILTER_OPTIONS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="VALUE", help=text)
    parser.add_argument("--filter", metavar="TEXT", help="recipient, task name or subject contains")
    parser.add_argument(
        "--sort", metavar="KEY", help="message_id, task, status, created (default), received"
    )
    parser.add_argument("--ascending", action="store_true", help="oldest / smallest first")


def _handler(run: Command) -> Callable[[argparse.Namespace, Settings], int]:
    return with_context(_refusals_exit_2(run))


def add_message_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    messages = commands.add_parser(
        "messages", help="sending details: list, show or export messages (recipients masked)"
    )
    actions = messages.add_subparsers(dest="messages_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="messages, newest first (the last 24 hours)")
    _add_filters(listing)
    listing.add_argument("--limit", type=int, default=50, metavar="N", help="rows (1-500)")
    listing.add_argument("--offset", type=int, default=0, metavar="N", help="skip N rows")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_handler(_list))

    show = actions.add_parser("show", help="one message: fields, attempts, raw headers")
    show.add_argument("message_id", type=int, metavar="ID")
    show.add_argument("--reveal", action="store_true", help="show the full recipient address")
    show.set_defaults(handler=_handler(_show))

    export = actions.add_parser("export", help="write every message of the filter to .xlsx")
    export.add_argument("path", metavar="PATH", type=file_to_write, help="the .xlsx file to write")
    _add_filters(export)
    export.add_argument(
        "--reveal-recipients", action="store_true", help="write full recipient addresses"
    )
    export.set_defaults(handler=_handler(_export))
