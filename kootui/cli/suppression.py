"""``kootui suppression …``: the suppression list from a shell (list, add, remove, import,
export), the same core calls as the Suppression List page.

Addresses are masked (``***@domain``) in ``list`` and ``export`` unless ``--reveal`` is
given for that one command. ``remove`` names an entry by its ID or its whole address and
asks first (``--yes`` for scripts); tasks created afterwards mail the address again.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from kootui.cli.confirm import confirmed
from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, end_progress, say, say_block, say_progress
from kootui.cli.paths import file_to_read, file_to_write
from kootui.core.clock import local_text

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.store import PageRequest

# Kept here so --help works without importing the store (kootui.core.suppression.REASONS).
REASONS = ("unsubscribed", "hard_bounce", "complaint", "manual")
LISTED_ON_SCREEN = 20
ENTRY_HELP = "the entry's ID or the whole address (kootui suppression list --reveal shows both)"


def _request(args: argparse.Namespace, *, limit: int = 1) -> PageRequest:
    from kootui.core.store import PageRequest

    advanced = {
        name: value
        for name in ("reason", "created_from", "created_to")
        if (value := getattr(args, name)) is not None
    }
    return PageRequest(
        offset=getattr(args, "offset", 0),
        limit=limit,
        sort_key=args.sort,
        descending=not args.ascending,
        text_filter=args.filter or "",
        advanced=advanced,
    )


def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.suppression import list_suppressions

    page = list_suppressions(context, _request(args, limit=args.limit), reveal=args.reveal)
    if args.json:
        keys = ("id", "address", "reason", "created_at", "message_id", "note")
        shown = {
            "total": page.total,
            "offset": page.offset,
            "rows": [{key: _json_value(row[key]) for key in keys} for row in page.rows],
        }
        # ensure_ascii: a control or bidi character in a note is a \u escape.
        say_block(json.dumps(shown, ensure_ascii=True, indent=2))
        return 0
    for row in page.rows:
        since = local_text(row["created_at"], "%Y-%m-%d %H:%M")
        message = str(row["message_id"]) if row["message_id"] is not None else "—"
        say(
            f"{row['id']:>7}  {row['address'][:40]:<40}  {row['reason_label']:<13}  {since}  "
            f"{message:>8}  {row['note'][:40]}"
        )
    say(page.range_text())
    return 0


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _add(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.suppression import add_suppression

    view = add_suppression(context, args.address, reason=args.reason, note=args.note or "")
    say(
        f"Added {view.address} ({view.reason_label.lower()}): tasks will not mail it (ID {view.id})"
    )
    return 0


def _remove(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.suppression import find_suppression, remove_suppression

    view = find_suppression(context, args.entry)
    # Named by its ID, the entry stays masked: the person may not know the address.
    shown = view.masked if args.entry.strip().isdigit() else view.address
    since = local_text(view.created_at, "%Y-%m-%d %H:%M")
    question = (
        f"Remove {shown} ({view.reason_label.lower()}, since {since}) from the "
        "suppression list? Tasks created from now on mail it again."
    )
    if not confirmed(question, yes=args.yes):
        say("Nothing was removed.")
        return 1
    remove_suppression(context, view.id)
    say(f"Removed {shown} from the suppression list.")
    return 0


def _import(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.suppression import import_suppressions

    show_progress = sys.stderr.isatty()

    def progress(done: int, expected: int | None) -> None:
        if show_progress:
            of = f" of {expected:,}" if expected else ""
            say_progress(f"reading row {done:,}{of}")

    result = import_suppressions(
        context,
        args.xlsx,
        reason=args.reason,
        note=args.note or "",
        progress=progress,
        cancel=threading.Event(),
    )
    if show_progress:
        end_progress()
    say(f"{result.file_name}: {result.summary()}")
    for item in result.refused[:LISTED_ON_SCREEN]:
        say(f"  row {item.row}: {item.text or '(empty)'}: {item.reason}", err=True)
    if result.refused_count > LISTED_ON_SCREEN:
        say(f"  … and {result.refused_count - LISTED_ON_SCREEN:,} more refused", err=True)
    return 0


def _export(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.suppression import export_suppressions

    show_progress = sys.stderr.isatty()

    def progress(rows: int) -> None:
        if show_progress:
            say_progress(f"written {rows:,} rows")

    result = export_suppressions(
        context, _request(args), args.path, reveal=args.reveal, progress=progress
    )
    if show_progress:
        end_progress()
    masked = "" if args.reveal else " (addresses masked)"
    say(f"Wrote {result.rows:,} addresses to {result.path}{masked}")
    return 0


def _add_filters(parser: ArgumentParser) -> None:
    parser.add_argument("--filter", metavar="TEXT", help="part of an address or a note")
    parser.add_argument("--reason", choices=REASONS, help="only this reason")
    parser.add_argument(
        "--created-from", dest="created_from", metavar="YYYY-MM-DD", help="added on or after"
    )
    parser.add_argument(
        "--created-to", dest="created_to", metavar="YYYY-MM-DD", help="added on or before"
    )
    parser.add_argument(
        "--sort", default="created_at", help="created_at (default), address, reason, message_id"
    )
    parser.add_argument("--ascending", action="store_true", help="oldest / smallest first")


def add_suppression_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    suppression = commands.add_parser(
        "suppression", help="addresses tasks skip: list, add, remove, import, export"
    )
    actions = suppression.add_subparsers(
        dest="suppression_command", metavar="ACTION", required=True
    )

    listing = actions.add_parser("list", help="suppressed addresses, newest first (masked)")
    _add_filters(listing)
    listing.add_argument("--limit", type=int, default=50, metavar="N", help="rows (1-500)")
    listing.add_argument("--offset", type=int, default=0, metavar="N", help="skip N rows")
    listing.add_argument("--reveal", action="store_true", help="show whole addresses")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=with_context(_list))

    add = actions.add_parser("add", help="suppress an address by hand, with a reason")
    add.add_argument("address", metavar="ADDRESS")
    add.add_argument("--reason", choices=REASONS, default="manual", help="default: manual")
    add.add_argument("--note", help="why (one line, at most 500 characters)")
    add.set_defaults(handler=with_context(_add))

    remove = actions.add_parser("remove", help="let tasks mail an address again (asks first)")
    remove.add_argument("entry", metavar="ID|ADDRESS", help=ENTRY_HELP)
    remove.add_argument("--yes", action="store_true", help="do not ask first")
    remove.set_defaults(handler=with_context(_remove))

    load = actions.add_parser(
        "import", help="suppress every address of an .xlsx file's 'email' column (40 MB)"
    )
    load.add_argument("xlsx", metavar="FILE", type=file_to_read)
    load.add_argument("--reason", choices=REASONS, default="manual", help="for every row")
    load.add_argument("--note", help="for every row (one line)")
    load.set_defaults(handler=with_context(_import))

    export = actions.add_parser("export", help="write the list (or a filter of it) to .xlsx")
    export.add_argument("path", metavar="PATH", type=file_to_write, help="the .xlsx to write")
    _add_filters(export)
    export.add_argument("--reveal", action="store_true", help="write whole addresses")
    export.set_defaults(handler=with_context(_export))
