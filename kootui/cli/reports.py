"""``kootui report``: the Statistics Report from the command line.

The same core query as the console's page: a report type, a range in the workspace's
time zone (by default today by the hour, the last 7 days by the day, the last 12 months
by the month), filters naming a sender domain, address, template or task by ID or name
(deleted tasks too) and send methods. It prints a table, JSON, or writes CSV or .xlsx.
A refused range or filter is one line naming the option, exit status 2.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say, say_block, say_error
from kootui.cli.paths import file_to_write
from kootui.core.errors import KootuiError
from kootui.core.printable import printable

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.reports import Report

REPORT_TYPES = ("hourly", "daily", "monthly")
SEND_METHODS = ("console", "cli", "api", "smtp")
# What each option is called in a core refusal's ``field``.
OPTION_OF_FIELD = {
    "start": "--from",
    "end": "--to",
    "domain": "--domain",
    "address": "--address",
    "template": "--template",
    "task": "--task",
    "send_method": "--method",
    "path": "--csv/--xlsx",
}
EMPTY_TEXT = {
    "no_sending": (
        "Nothing has been sent in this workspace yet: add and verify a sender domain, add a "
        "sender address and a template, then create a sending task (`kootui task create`)."
    ),
    "no_figures": "No messages were sent in this range with these filters.",
}


def range_bound(text: str) -> date | datetime:
    """A day (YYYY-MM-DD) or a local time (YYYY-MM-DD HH:MM) in the workspace's zone."""
    from kootui.core.reports import range_bound as parse_bound

    try:
        return parse_bound(text, "range")
    except KootuiError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _rate_text(rate: object) -> str:
    return "—" if rate is None else f"{rate}%"


def _print_table(report: Report) -> None:
    from kootui.core.reports import billable_text, report_headers, report_table

    headers = report_headers(report)[:-1]  # the note becomes a mark after the row
    texts: list[list[str]] = []
    running: list[bool] = []
    for cells in report_table(report):
        label, *figures, rate, note = cells
        counts = [f"{value:,}" for value in figures]
        texts.append([printable(str(label)), *counts, _rate_text(rate)])
        running.append(bool(note))
    widths = [max(len(row[i]) for row in [headers, *texts]) for i in range(len(headers))]

    def line(values: list[str]) -> str:
        cells = [values[0].ljust(widths[0])]
        cells += [value.rjust(width) for value, width in zip(values[1:], widths[1:], strict=True)]
        return "  ".join(cells)

    say(line(headers))
    for values, is_running in zip(texts, running, strict=True):
        say(line(values) + ("  *" if is_running else ""))
    if any(row.running for row in report.rows):
        say("* still running: its figures change while messages are sent")
    if report.empty_reason is not None:
        say(EMPTY_TEXT[report.empty_reason.value])
    say(billable_text(report.billable))


def _print_choices(context: Context) -> None:
    from kootui.core.reports import report_choices

    choices = report_choices(context)
    for title, group in (
        ("Sender domains (--domain)", choices.domains),
        ("Sender addresses (--address)", choices.addresses),
        ("Templates (--template)", choices.templates),
        ("Tasks (--task)", choices.tasks),
        ("Send methods (--method)", choices.send_methods),
    ):
        say(f"{title}:")
        for choice in group:
            deleted = "  (deleted)" if choice.deleted else ""
            say(f"  {choice.value!s:>8}  {choice.label}{deleted}")
        if not group:
            say("  (none)")


@with_context
def _report(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.reports import (
        ReportQuery,
        ReportType,
        export_report_csv,
        export_report_xlsx,
        report_data,
        resolve_filters,
        standard_query,
        statistics_report,
    )

    if args.choices:
        _print_choices(context)
        return 0
    try:
        filters = resolve_filters(
            context,
            domains=args.domain or (),
            addresses=args.address or (),
            templates=args.template or (),
            tasks=args.task or (),
            send_methods=args.method or (),
        )
        report_type = ReportType(args.type)
        standard = standard_query(context, report_type, filters)
        query = ReportQuery(
            report_type,
            args.start if args.start is not None else standard.start,
            args.end if args.end is not None else standard.end,
            filters,
        )
        report = statistics_report(context, query)
        if args.csv is not None:
            written = export_report_csv(report, args.csv)
        elif args.xlsx is not None:
            written = export_report_xlsx(report, args.xlsx)
        else:
            written = None
    except KootuiError as exc:
        if exc.field in OPTION_OF_FIELD:
            say_error(f"{OPTION_OF_FIELD[exc.field]}: {exc.message}")
            return 2
        raise
    if written is not None:
        say(f"Wrote {len(report.rows):,} {report_type.value} rows and the totals to {written}")
    elif args.json:
        # ensure_ascii: a task or template name's control characters are \u escapes.
        say_block(json.dumps(report_data(report), ensure_ascii=True, indent=2))
    else:
        _print_table(report)
    return 0


def add_report_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    report = commands.add_parser(
        "report",
        help="statistics report: sent, successful, failed, to send, rejected by hour/day/month",
        description=(
            "The Statistics Report in the workspace's time zone (`kootui workspace set "
            "--time-zone`). Name a domain, address, template or task by its ID or exact "
            "name; repeat an option for several."
        ),
    )
    report.add_argument("--type", choices=REPORT_TYPES, default="daily", help="(default daily)")
    report.add_argument(
        "--from",
        dest="start",
        type=range_bound,
        metavar="DAY",
        help="first day (YYYY-MM-DD) or local time; at most one year back",
    )
    report.add_argument(
        "--to", dest="end", type=range_bound, metavar="DAY", help="last day or local time"
    )
    report.add_argument("--domain", action="append", metavar="NAME", help="sender domain")
    report.add_argument("--address", action="append", metavar="ADDRESS", help="sender address")
    report.add_argument("--template", action="append", metavar="TITLE", help="template")
    report.add_argument("--task", action="append", metavar="NAME", help="task (deleted too)")
    report.add_argument("--method", action="append", choices=SEND_METHODS, help="send method")
    output = report.add_mutually_exclusive_group()
    output.add_argument(
        "--choices", action="store_true", help="list what the filters can name, with IDs"
    )
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument("--csv", type=file_to_write, metavar="FILE", help="write a .csv file")
    output.add_argument("--xlsx", type=file_to_write, metavar="FILE", help="write a .xlsx file")
    report.set_defaults(handler=_report)
