"""``kootui domain …``: sender domains from the command line (list, add, verify, zone, doctor).

The same core services as the Sender Domains page; errors are KootuiErrors that
``kootui.cli.main`` prints on one line.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say, say_block
from kootui.cli.paths import file_or_folder_to_write
from kootui.core.clock import local_text

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.domains import DoctorReport


def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import DOMAIN_STATUS_LABELS, list_domains, required_text
    from kootui.core.store import MAX_PAGE_SIZE, DomainStatus, PageRequest

    page = list_domains(
        context,
        PageRequest(text_filter=args.filter or "", sort_key="display_name", limit=MAX_PAGE_SIZE),
    )
    for row in page.rows:
        status = DOMAIN_STATUS_LABELS[DomainStatus(row["status"])]
        checked = local_text(row["last_checked_at"], "%Y-%m-%d %H:%M")
        required = required_text(row)
        say(f"{row['id']:>6}  {row['display_name']:<40} {status:<20} {checked}  {required}")
    say(page.range_text())
    return 0


def _print_records(context: Context, domain_id: int) -> None:
    from kootui.core.domains import domain_records

    for record in domain_records(context, domain_id):
        need = "required" if record.required else "optional"
        say(f"{record.label} ({need}) {record.rtype} {record.name}: {record.status_label}")
        say(f"  expected: {record.expected or record.missing_setting}")
        if record.found:
            say(f"  found:    {' | '.join(record.found)}")
        if record.detail and record.detail != record.missing_setting:
            say(f"  {record.detail}")


def _add(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import create_domain

    domain = create_domain(context, args.name)
    say(f"Added {domain.display_name}; publish these records, then run: kootui domain verify")
    _print_records(context, domain.id)
    return 0


def _verify(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import find_domain, verify_domain

    domain = find_domain(context, args.name)
    outcome = verify_domain(context, domain.id)
    from kootui.core.domains import DOMAIN_STATUS_LABELS

    say(
        f"{outcome.display_name}: {DOMAIN_STATUS_LABELS[outcome.status]}"
        + (f" — {outcome.reason}" if outcome.reason else "")
    )
    _print_records(context, domain.id)
    return 0 if outcome.status == "passed" else 3


def _zone(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import find_domain, save_zone_snippet, zone_snippet

    domain = find_domain(context, args.name)
    if args.output:
        say(f"Saved to {save_zone_snippet(context, domain.id, args.output)}")
    else:
        say_block(zone_snippet(context, domain.id), end="")
    return 0


def _doctor(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import doctor_report, find_domain

    domain = find_domain(context, args.name)
    report = doctor_report(context, domain.id)
    _say_doctor(report)
    return 0 if report.status == "passed" else 3


def _say_doctor(report: DoctorReport) -> None:
    """``DoctorReport.as_text`` line by line: each value a nameserver returned stays on its
    line (``as_text`` joins them into one text whose newlines could not be told apart)."""
    from kootui.core.domains import DOMAIN_STATUS_LABELS, RECORD_STATUS_LABELS

    say(
        f"{report.display_name}: {DOMAIN_STATUS_LABELS[report.status]}"
        + (f" — {report.reason}" if report.reason else "")
    )
    for record in report.records:
        need = "required" if record.required else "optional"
        say()
        status = RECORD_STATUS_LABELS[record.status]
        say(f"{record.label} ({need}) {record.rtype} {record.name}: {status}")
        say(f"  expected: {record.expected or record.missing_setting}")
        for finding in record.servers:
            tcp = " [TCP]" if finding.over_tcp else ""
            say(f"  {finding.server}{tcp}: {finding.shown}")
            for difference in finding.differences:
                say(f"    ✗ {difference.message}")
        if record.reason:
            say(f"  → {record.reason}")
    say()
    say_block(report.zone_snippet)


def add_domain_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    domain = commands.add_parser("domain", help="sender domains: list, add, verify, zone, doctor")
    actions = domain.add_subparsers(dest="domain_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list sender domains and their status")
    listing.add_argument("--filter", help="show only domains whose name contains this text")
    listing.set_defaults(handler=with_context(_list))
    add = actions.add_parser("add", help="add a sender domain and show the records to publish")
    add.add_argument("name")
    add.set_defaults(handler=with_context(_add))
    verify = actions.add_parser(
        "verify", help="check the records in DNS now (exit 3 if not passed)"
    )
    verify.add_argument("name")
    verify.set_defaults(handler=with_context(_verify))
    zone = actions.add_parser("zone", help="print (or save) the BIND zone snippet")
    zone.add_argument("name")
    zone.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        type=file_or_folder_to_write,
        help="save to FILE (or into a folder) instead of printing",
    )
    zone.set_defaults(handler=with_context(_zone))
    doctor = actions.add_parser(
        "doctor", help="what every nameserver returned, and the differences"
    )
    doctor.add_argument("name")
    doctor.set_defaults(handler=with_context(_doctor))
