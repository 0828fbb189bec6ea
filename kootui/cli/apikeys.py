"""``kootui apikey …``: API keys from the command line (create, list, revoke).

The same core services as the API Keys page. ``create`` prints the secret once, on its
own line on stdout (so ``kootui apikey create ci > key.txt`` keeps only the key); it is
never stored or shown again.
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

KEY_HELP = "the key's ID or its prefix (kt_1a2b3c4d), as `kootui apikey list` shows"


def _narrowing(args: argparse.Namespace) -> str | None:
    path = args.narrowing_policy
    return None if path is None else str(path.read_text(encoding="utf-8"))


def _create(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.apikeys import create_api_key

    created = create_api_key(
        context,
        args.name,
        reveal_recipients=args.reveal_recipients,
        rate_per_second=args.rate,
        owner=args.owner,
        narrowing_policy=_narrowing(args),
    )
    say(
        f"Created API key {created.key.id} ({created.key.display_prefix}); "
        "copy the secret now, it is not shown again:",
        err=True,
    )
    say(created.secret)
    return 0


def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.apikeys import list_api_keys

    keys = list_api_keys(context, include_revoked=args.all)
    for key in keys:
        used = local_text(key.last_used_at, "%Y-%m-%d %H:%M") if key.last_used_at else "never"
        state = "revoked" if not key.active else "active"
        rate = f"{key.rate_per_second:g}/s" if key.rate_per_second else "default"
        reveal = "reveals" if key.reveal_recipients else "masked"
        say(
            f"{key.id:>5}  {key.display_prefix:<12}  {key.name[:30]:<30}  "
            f"{local_text(key.created_at, '%Y-%m-%d %H:%M')}  used {used:<16}  "
            f"{state:<7}  {rate:<8}  {reveal}"
        )
    say(f"{len(keys)} key(s)")
    return 0


def _revoke(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.apikeys import revoke_api_key

    key = revoke_api_key(context, args.key)
    say(f"Revoked API key {key.id} ({key.display_prefix}, {key.name})")
    return 0


def add_apikey_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    apikey = commands.add_parser("apikey", help="API keys for `kootui serve`: create, list, revoke")
    actions = apikey.add_subparsers(dest="apikey_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="create a key and print its secret once")
    create.add_argument("name", metavar="NAME", help="what the key is for (at most 100)")
    create.add_argument(
        "--reveal-recipients",
        action="store_true",
        help="the key may read whole recipient addresses (masked otherwise)",
    )
    create.add_argument(
        "--rate",
        type=float,
        default=0.0,
        metavar="N",
        help="requests per second for this key (0: the server's http.key_rate)",
    )
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

    listing = actions.add_parser("list", help="list keys: prefix, name, created, last used")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    listing.set_defaults(handler=with_context(_list))

    revoke = actions.add_parser("revoke", help="revoke a key for good")
    revoke.add_argument("key", metavar="KEY", help=KEY_HELP)
    revoke.set_defaults(handler=with_context(_revoke))
    add_set_limit(
        actions, target="key", target_help=KEY_HELP, setter_name="set_key_daily_limit", what="a key"
    )
