"""``kootui address …``: sender addresses from the command line (list, add, delete).

The same core services as the Sender Addresses page. An address is named by its ID or
written out (``news@mail.acme.com``) wherever a command takes one, ``task create
--sender`` included; ``list`` shows both.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say
from kootui.core.clock import local_text

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context

ADDRESS_HELP = "the address's ID, or the address itself (kootui address list shows both)"


def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.senders import list_addresses
    from kootui.core.store import MAX_PAGE_SIZE, PageRequest

    page = list_addresses(
        context,
        PageRequest(text_filter=args.filter or "", sort_key="address", limit=MAX_PAGE_SIZE),
    )
    for row in page.rows:
        created = local_text(row["created_at"], "%Y-%m-%d %H:%M")
        state = "usable" if row["usable"] else f"domain {row['domain_status']}"
        alias = row["alias"][:24]
        say(f"{row['id']:>6}  {row['display_address']:<40}  {alias:<24}  {state:<16}  {created}")
    say(page.range_text())
    return 0


def _add(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.domains import find_domain
    from kootui.core.errors import ValidationError
    from kootui.core.senders import create_address

    prefix, at, domain = args.address.strip().rpartition("@")
    if not at or not prefix or not domain:
        raise ValidationError(
            "write the address as prefix@domain, on one of your sender domains",
            field="address",
            code="address.form",
        )
    view = create_address(
        context, domain_id=find_domain(context, domain).id, prefix=prefix, alias=args.alias
    )
    say(f"Created sender address {view.id}: {view.preview}")
    return 0


def _delete(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.senders import delete_address, find_address

    view = find_address(context, args.address)
    delete_address(context, view.id)
    say(f"Deleted sender address {view.id}: {view.display_address}")
    return 0


def add_address_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    address = commands.add_parser("address", help="sender addresses: list, add, delete")
    actions = address.add_subparsers(dest="address_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list sender addresses with their IDs")
    listing.add_argument("--filter", help="only addresses containing this text")
    listing.set_defaults(handler=with_context(_list))

    add = actions.add_parser("add", help="add prefix@domain on a verified sender domain")
    add.add_argument("address", metavar="ADDRESS", help="prefix@domain")
    add.add_argument("--alias", default="", help="the name recipients see (at most 64)")
    add.set_defaults(handler=with_context(_add))

    delete = actions.add_parser("delete", help="delete an address no task has used")
    delete.add_argument("address", metavar="ADDRESS", help=ADDRESS_HELP)
    delete.set_defaults(handler=with_context(_delete))
