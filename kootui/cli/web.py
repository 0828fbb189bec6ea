"""``kootui web``: the console in a browser (textual-serve), loopback unless TLS or a proxy."""

from __future__ import annotations

import argparse

from kootui.cli.output import ArgumentParser
from kootui.core.config import Settings


def add_web_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    web = commands.add_parser(
        "web",
        help="serve the console to browsers ([web] listen; sign-in required); stop with SIGTERM",
    )
    web.set_defaults(handler=run_web)


def run_web(args: argparse.Namespace, settings: Settings) -> int:
    from kootui.cli.worker import configure_logging
    from kootui.core.access import iam_enabled
    from kootui.core.bootstrap import open_context
    from kootui.core.errors import InvalidState
    from kootui.tui.shell.signing_in import SIGN_IN_OFF
    from kootui.web import WebServer, check_web_listen

    configure_logging()
    check_web_listen(settings.web)
    settings.ensure_folders()
    # Migrated once here, so the browsers' consoles never race to upgrade the schema.
    context = open_context(settings)
    try:
        # A browser is not the owner at the keyboard: only users who sign in are served.
        if not iam_enabled(context):
            raise InvalidState(f"kootui web needs sign-in: {SIGN_IN_OFF}", code="web.sign_in_off")
    finally:
        context.close()
    WebServer(settings).serve()
    return 0
