"""``kootui smtp-credential …``: SMTP credentials from the command line (create, list,
revoke). ``create`` prints the user name, then the password once on its own line on stdout
(``kootui smtp-credential create app > login.txt``); the password is never shown again.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.daily_limits import add_set_limit
from kootui.cli.output import ArgumentParser, say
from kootui.cli.paths import file_to_read
from kootui.core.clock import local_text

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context

CREDENTIAL_HELP = (
    "the credential's ID or its user name (kts_1a2b3c4d), as `kootui smtp-credential list` shows"
)


def _narrowing(args: argparse.Namespace) -> str | None:
    path = args.narrowing_policy
    return None if path is None else str(path.read_text(encoding="utf-8"))


def _create(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.apikeys import create_smtp_credential

    created = create_smtp_credential(
        context, args.name, owner=args.owner, narrowing_policy=_narrowing(args)
    )
    say(
        f"Created SMTP credential {created.credential.id}; the user name, then the password "
        "(copy it now, it is not shown again):",
        err=True,
    )
    say(created.credential.username)
    say(created.password)
    return 0


def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.apikeys import list_smtp_credentials

    found = list_smtp_credentials(context, include_revoked=args.all)
    for item in found:
        used = local_text(item.last_used_at, "%Y-%m-%d %H:%M") if item.last_used_at else "never"
        state = "active" if item.active else "revoked"
        say(
            f"{item.id:>5}  {item.username:<13}  {item.name[:30]:<30}  "
            f"{local_text(item.created_at, '%Y-%m-%d %H:%M')}  used {used:<16}  {state}"
        )
    say(f"{len(found)} credential(s)")
    return 0


def _revoke(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.apikeys import revoke_smtp_credential

    item = revoke_smtp_credential(context, args.credential)
    say(f"Revoked SMTP credential {item.id} ({item.username}, {item.name})")
    return 0


def add_smtp_credential_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    group = commands.add_parser(
        "smtp-credential", help="logins for SMTP submission to `kootui serve`: create, list, revoke"
    )
    actions = group.add_subparsers(dest="smtp_credential_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="create a login and print its password once")
    create.add_argument("name", metavar="NAME", help="what the login is for (at most 100)")
    create.add_argument(
        "--owner",
        metavar="USER",
        help="the user whose policies limit it (default: you when signed in, else the owner)",
    )
    create.add_argument(
        "--narrowing-policy",
        type=file_to_read,
        metavar="FILE",
        help="a policy JSON file that narrows it further",
    )
    create.set_defaults(handler=with_context(_create))

    listing = actions.add_parser("list", help="list logins: user name, name, created, last used")
    listing.add_argument("--all", action="store_true", help="include revoked logins")
    listing.set_defaults(handler=with_context(_list))

    revoke = actions.add_parser("revoke", help="revoke a login for good")
    revoke.add_argument("credential", metavar="CREDENTIAL", help=CREDENTIAL_HELP)
    revoke.set_defaults(handler=with_context(_revoke))
    add_set_limit(
        actions,
        target="credential",
        target_help=CREDENTIAL_HELP,
        setter_name="set_login_daily_limit",
        what="a login",
    )
