"""``kootui domain …``: sender domains from the command line (list, add, rename, delete,
verify, zone, doctor).

The same core services as the Sender Domains page; errors are KootuiErrors that
``kootui.cli.main`` prints on one line. Rename and delete ask first, as the page's
dialogs do (a domain its addresses use needs its name typed); ``--yes`` answers for a
script, and without a terminal to ask on they are refused.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kootui.cli.confirm import confirmed
from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say, say_block
from kootui.cli.paths import file_or_folder_to_write
from kootui.core.clock import local_text

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.domains import DoctorReport, DomainView


def _named(context: Context, reference: str) -> DomainView:
    """A domain named by its ID (``kootui domain list`` shows it) or by its name; a domain
    name is never all digits, so the two cannot be confused."""
    from kootui.core.domains import find_domain, get_domain

    text = reference.strip()
    return get_domain(context, int(text)) if text.isdigit() else find_domain(context, text)


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


def _rename(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import display_domain_name, rename_domain

    domain = _named(context, args.name)
    question = (
        f"Rename {domain.display_name} to {display_domain_name(args.new_name.strip())}? "
        "Verification starts over with a new DKIM key: the records published now stop "
        "passing until the new ones are published."
    )
    if not confirmed(question, yes=args.yes):
        say("Nothing was renamed.")
        return 1
    view = rename_domain(context, domain.id, args.new_name)
    say(f"Renamed to {view.display_name}; publish these records, then run: kootui domain verify")
    _print_records(context, view.id)
    return 0


def _delete(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import addresses_using, delete_domain

    domain = _named(context, args.name)
    addresses = addresses_using(context, domain.id)
    name = domain.display_name
    if addresses:
        listed = "".join(f"\n  {address}" for address in addresses)
        question = (
            f"{name} is used by {len(addresses)} sender address(es):{listed}\n"
            "Deleting the domain deletes these addresses too. This cannot be undone."
        )
        agreed = confirmed(question, yes=args.yes, typed=name)
    else:
        question = (
            f"Delete {name}? Its DNS records and DKIM keys are deleted too. "
            "Nothing is sent from it any more."
        )
        agreed = confirmed(question, yes=args.yes)
    if not agreed:
        say(f"{name} was not deleted.")
        return 1
    removed = delete_domain(context, domain.id, force=bool(addresses))
    also = f" and {len(removed)} sender address(es)" if removed else ""
    say(f"Deleted {name}{also}.")
    return 0


def _verify(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import verify_domain

    domain = _named(context, args.name)
    outcome = verify_domain(context, domain.id)
    from kootui.core.domains import DOMAIN_STATUS_LABELS

    say(
        f"{outcome.display_name}: {DOMAIN_STATUS_LABELS[outcome.status]}"
        + (f" — {outcome.reason}" if outcome.reason else "")
    )
    _print_records(context, domain.id)
    return 0 if outcome.status == "passed" else 3


def _zone(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import save_zone_snippet, zone_snippet

    domain = _named(context, args.name)
    if args.output:
        say(f"Saved to {save_zone_snippet(context, domain.id, args.output)}")
    else:
        say_block(zone_snippet(context, domain.id), end="")
    return 0


def _doctor(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import doctor_report

    domain = _named(context, args.name)
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


DOMAIN_HELP = "the domain's name or its ID (kootui domain list shows both)"


def add_domain_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    domain = commands.add_parser(
        "domain", help="sender domains: list, add, rename, delete, verify, zone, doctor"
    )
    actions = domain.add_subparsers(dest="domain_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list sender domains and their status")
    listing.add_argument("--filter", help="show only domains whose name contains this text")
    listing.set_defaults(handler=with_context(_list))
    add = actions.add_parser("add", help="add a sender domain and show the records to publish")
    add.add_argument("name")
    add.set_defaults(handler=with_context(_add))
    rename = actions.add_parser(
        "rename", help="change a domain's name (verification starts over with a new DKIM key)"
    )
    rename.add_argument("name", help=DOMAIN_HELP)
    rename.add_argument("new_name", metavar="NEW_NAME")
    rename.add_argument("--yes", action="store_true", help="do not ask first")
    rename.set_defaults(handler=with_context(_rename))
    delete = actions.add_parser(
        "delete", help="delete a domain with its records and keys (asks first)"
    )
    delete.add_argument("name", help=DOMAIN_HELP)
    delete.add_argument(
        "--yes", action="store_true", help="do not ask first (deletes its addresses too)"
    )
    delete.set_defaults(handler=with_context(_delete))
    verify = actions.add_parser(
        "verify", help="check the records in DNS now (exit 3 if not passed)"
    )
    verify.add_argument("name", help=DOMAIN_HELP)
    verify.set_defaults(handler=with_context(_verify))
    zone = actions.add_parser("zone", help="print (or save) the BIND zone snippet")
    zone.add_argument("name", help=DOMAIN_HELP)
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
    doctor.add_argument("name", help=DOMAIN_HELP)
    doctor.set_defaults(handler=with_context(_doctor))
