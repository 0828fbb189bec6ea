"""The command line: ``kootui`` opens the console; subcommands script it over SSH.

Every command calls the same core services as the TUI. A KootuiError is printed
on one line to stderr; settings errors exit with status 2, other errors with 1.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable, Sequence

from kootui import __version__
from kootui.cli.output import (
    ArgumentParser,
    ask,
    drop_further_output,
    flush_output,
    say,
    say_block,
    say_error,
)
from kootui.command_word import command_of
from kootui.core.config import Settings, load_settings, redact_database_url
from kootui.core.errors import KootuiError, SettingsError, user_message

Handler = Callable[[argparse.Namespace, Settings], int]


def _run_console(args: argparse.Namespace, settings: Settings) -> int:
    from kootui.cli.console import run_console

    return run_console(args, settings)


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from kootui.core.demo import reset_demo, seed_demo_if_empty

    demo_settings = settings.for_demo()
    if args.reset:
        if not args.yes:
            if not sys.stdin.isatty():
                say_error("--reset needs --yes when not run in a terminal")
                return 2
            answer = ask(
                f"Delete and rebuild the demo workspace in {demo_settings.paths.data_dir}? [y/N] "
            )
            if answer.strip().lower() not in {"y", "yes"}:
                say("Demo workspace left as it was.")
                return 1
        reset_demo(demo_settings)
    seed_demo_if_empty(demo_settings)
    if args.no_open:
        say(f"Demo workspace ready in {demo_settings.paths.data_dir}")
        return 0
    return _run_console(args, demo_settings)


def _cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from kootui.core.store import (
        check_store,
        current_revision,
        head_revision,
        open_store,
        upgrade,
    )

    if args.db_command == "check":
        verdict = check_store(settings.database_url)
        for line in verdict.lines:
            say(line, err=not verdict.ok)
        return 0 if verdict.ok else 1
    settings.ensure_folders()
    store = open_store(settings.database_url, migrate=False)
    try:
        if args.db_command == "upgrade":
            upgrade(store)
            say(f"Database at revision {current_revision(store)} (newest {head_revision()}).")
        else:
            say(f"current: {current_revision(store) or 'empty'}; newest: {head_revision()}")
    finally:
        store.close()
    return 0


def _file_mode_warnings(settings: Settings) -> list[str]:
    """Folders and store files other users may read (``ensure_folders`` and the store
    tighten them when they can; what is left is shown here)."""
    from kootui.core.private_files import database_mode_warnings, loose_mode_warning
    from kootui.core.store import sqlite_database_path

    paths = settings.paths
    # The keys and outbox folders are inside the data folder: private when it is.
    warnings = [
        warning
        for folder in (paths.data_dir, paths.config_dir, paths.state_dir)
        if (warning := loose_mode_warning(folder)) is not None
    ]
    database = sqlite_database_path(settings.database_url)
    if database is not None:
        warnings += database_mode_warnings(database)
    return warnings


def _cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    paths = settings.paths
    shown = {
        "paths": {
            "data": str(paths.data_dir),
            "config": str(paths.config_dir),
            "state": str(paths.state_dir),
            "config_file": str(paths.config_file),
        },
        "database_url": redact_database_url(settings.database_url),
        "settings": settings.redacted(),
        "keys": settings.keys,
        "warnings": _file_mode_warnings(settings),
    }
    say_block(json.dumps(shown, indent=2, default=list))
    return 0


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from kootui.cli.worker import run_worker

    return run_worker(settings, processes=args.processes, until_idle=args.until_idle)


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from kootui.cli.serve import run_serve

    return run_serve(settings, engine=not args.no_engine, processes=args.processes)


def build_parser(*, with_commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; ``with_commands=False``: its options alone, which is all
    the console's own command line needs (the commands' parsers take 40 ms to build)."""
    parser = ArgumentParser(
        prog="kootui",
        description="A keyboard-driven terminal console for sending email at scale. "
        "With no command, opens the console.",
    )
    parser.add_argument("--version", action="version", version=f"kootui {__version__}")
    parser.add_argument("--theme", metavar="NAME", help="open with this theme (and remember it)")
    parser.add_argument(
        "--no-engine",
        action="store_true",
        help="do not send from this console (leave sending to `kootui worker` processes)",
    )
    # Set by `kootui web` for each browser's console: it signs in first, as the web face.
    parser.add_argument("--web-session", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--web-peer", default="", metavar="ADDRESS", help=argparse.SUPPRESS)
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="open a separate demo workspace with realistic data")
    demo.add_argument("--reset", action="store_true", help="delete and rebuild the demo workspace")
    demo.add_argument("--yes", action="store_true", help="do not ask before --reset")
    demo.add_argument("--no-open", action="store_true", help="prepare the demo without opening it")
    # SUPPRESS keeps `kootui --theme X demo` working: the subcommand only sets it when given.
    demo.add_argument(
        "--theme", metavar="NAME", default=argparse.SUPPRESS, help="open with this theme"
    )
    demo.set_defaults(handler=_cmd_demo)

    db = commands.add_parser("db", help="the database: upgrade, show the revision, check it")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="upgrade the schema to the newest revision")
    db_commands.add_parser("current", help="show the current and newest revision")
    db_commands.add_parser(
        "check", help="check the database is sound (SQLite integrity_check) and up to date"
    )
    db.set_defaults(handler=_cmd_db)

    worker = commands.add_parser(
        "worker", help="send queued messages headless (logs to stderr; stop with SIGTERM)"
    )
    worker.add_argument(
        "--processes",
        type=int,
        default=0,
        metavar="N",
        help="engine processes (default: sending.processes, else one per core)",
    )
    worker.add_argument(
        "--until-idle", action="store_true", help="exit once nothing is due instead of waiting"
    )
    worker.set_defaults(handler=_cmd_worker)

    config = commands.add_parser("config", help="show folders and settings (secrets hidden)")
    config.set_defaults(handler=_cmd_config)

    from kootui.cli.addresses import add_address_commands
    from kootui.cli.domains import add_domain_commands

    add_domain_commands(commands)
    add_address_commands(commands)

    from kootui.cli.tasks import add_task_commands

    add_task_commands(commands)

    from kootui.cli.templates import add_template_commands

    add_template_commands(commands)

    from kootui.cli.messages import add_message_commands

    add_message_commands(commands)

    from kootui.cli.reports import add_report_commands

    add_report_commands(commands)

    from kootui.cli.workspace import add_workspace_commands

    add_workspace_commands(commands)

    from kootui.cli.destinations import add_destination_commands

    add_destination_commands(commands)

    serve = commands.add_parser(
        "serve", help="the HTTP API (/v1) and the sending engines; stop with SIGTERM"
    )
    serve.add_argument(
        "--no-engine", action="store_true", help="serve the API only; send with `kootui worker`"
    )
    serve.add_argument(
        "--processes",
        type=int,
        default=0,
        metavar="N",
        help="engine processes (0: sending.processes, else 1; the API takes a core)",
    )
    serve.set_defaults(handler=_cmd_serve)

    from kootui.cli.apikeys import add_apikey_commands

    add_apikey_commands(commands)
    from kootui.cli.suppression import add_suppression_commands

    add_suppression_commands(commands)
    from kootui.cli.smtp_credentials import add_smtp_credential_commands

    add_smtp_credential_commands(commands)
    from kootui.cli.webhooks import add_webhook_commands

    add_webhook_commands(commands)
    from kootui.cli.iam import add_iam_commands

    add_iam_commands(commands)
    from kootui.cli.packages import add_package_commands
    from kootui.cli.warmup import add_warmup_commands

    add_package_commands(commands)
    add_warmup_commands(commands)
    from kootui.cli.web import add_web_commands

    add_web_commands(commands)
    return parser


def _os_error_text(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    named = [str(name) for name in (exc.filename, exc.filename2) if name is not None]
    return f"{' -> '.join(named)}: {reason}" if named else reason


def _store_busy_text(exc: Exception, settings: Settings | None) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    where = f" {redact_database_url(settings.database_url)}" if settings is not None else ""
    return (
        f"the database{where} could not be used "
        f"({reason}); another kootui may hold it or its server may be away: try again "
        "shortly, and run `kootui db check` if it persists"
    )


# What a shell reports for a command killed by SIGPIPE: `kootui … | head` ends as `yes | head`.
READER_GONE_STATUS = 128 + signal.SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every command's output may be piped into ``head`` or ``less``.

    Output to a pipe is buffered, so the write that meets a closed pipe may be the flush
    at exit: stdout is flushed here, inside the guard, whatever way the command ends."""
    try:
        try:
            return _run(argv)
        finally:
            flush_output()
    except BrokenPipeError:
        # The reading end closed (``| head``): stop quietly, like any Unix tool.
        drop_further_output()
        return READER_GONE_STATUS


def _opens_the_console(argv: Sequence[str]) -> bool:
    """A command line with no command word and no call for help: the console's."""
    return command_of(argv) == "" and not {"-h", "--help"}.intersection(argv)


def _run(argv: Sequence[str] | None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(with_commands=not _opens_the_console(words))
    args = parser.parse_args(words)
    settings: Settings | None = None
    try:
        settings = load_settings()
        handler: Handler = getattr(args, "handler", _run_console)
        return handler(args, settings)
    except SettingsError as exc:
        say_error(exc)
        return 2
    except KootuiError as exc:
        say_error(user_message(exc))
        return 1
    except BrokenPipeError:
        raise  # the reader of stdout went away: ``main`` ends quietly
    except OSError as exc:
        # A file that vanished or changed mode after its option was checked, a full disk:
        # one line naming the file, not a traceback.
        say_error(_os_error_text(exc))
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # The faults that pass by themselves (SQLite locked past its 10 s wait, a server
        # away) stay SQLAlchemy errors so the engine retries them; a command says so.
        if not type(exc).__module__.startswith("sqlalchemy."):
            raise
        from sqlalchemy.exc import OperationalError

        if not isinstance(exc, OperationalError):
            raise  # a bug, not a fault of the store: its traceback is what helps
        say_error(_store_busy_text(exc, settings))
        return 1
