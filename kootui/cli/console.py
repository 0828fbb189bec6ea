"""``kootui`` with no command (and ``kootui demo``): the console, drawn before its store opens.

Keys and themes are checked here, before the terminal is taken over. The store and the
sending engine open on a thread once the console has drawn its first page
(``ConsoleStore.open``); an error opening them ends the console and is raised here, so
it is reported exactly as the other commands report theirs.
"""

from __future__ import annotations

import argparse
import logging
import threading
from typing import TYPE_CHECKING

from kootui.cli.output import PrintableFormatter, say
from kootui.core.config import Settings
from kootui.core.long_lived import freeze_start_up_objects, start_up_done

if TYPE_CHECKING:
    from kootui.core.context import Context
    from kootui.core.dispatch import EngineThread
    from kootui.tui.app import KootuiApp
    from kootui.tui.read_ahead import ReadAhead

log = logging.getLogger(__name__)


class ConsoleStore:
    """The console's store and, unless ``--no-engine``, its sending engine.

    ``open`` and then ``finish`` run on the console's worker threads (a
    ``StoreOpening``); ``close`` runs when the console has ended, also when it ended
    while they ran (the lock makes it wait for them).
    """

    def __init__(
        self, settings: Settings, *, with_engine: bool, read_ahead: ReadAhead | None = None
    ) -> None:
        self.settings = settings
        self.with_engine = with_engine
        self.read_ahead = read_ahead
        self.context: Context | None = None
        self.engine: EngineThread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def open(self) -> Context:
        """The store, readable: the console's first page reads its figures from it."""
        from kootui.core.bootstrap import open_readable_context

        with self._lock:
            if self._closed:
                raise RuntimeError("the console ended before its store was open")
            if self.read_ahead is not None and self.read_ahead.result() is not None:
                # Its child has ended (so one process migrates), and its figures are shown.
                log.info("the first figures were read ahead by process %d", self.read_ahead.pid)
            self.context = open_readable_context(self.settings)
            freeze_start_up_objects()  # the store's modules, SQLAlchemy's and SQLModel's
            return self.context

    def finish(self, context: Context) -> None:
        """The rest of opening (public templates), then, unless ``--no-engine``, sending."""
        from kootui.core.bootstrap import finish_opening

        with self._lock:
            try:
                if self._closed:
                    return
                finish_opening(context)
                if not self.with_engine:
                    log.info(
                        "--no-engine: this console does not send; `kootui worker` processes do"
                    )
                    return
                from kootui.core.dispatch import EngineThread

                self.engine = EngineThread(context)
                self.engine.start()
            finally:
                start_up_done()

    def close(self) -> None:
        """Stop the engine (saying so when it did not stop in time) and close the store."""
        if self.read_ahead is not None:
            self.read_ahead.end()
        with self._lock:
            self._closed = True
            start_up_done()
            if self.engine is not None and not self.engine.stop():
                say(
                    "kootui: the sending engine did not stop in time; leases will expire "
                    "and another worker picks the messages up",
                    err=True,
                )
            if self.context is not None:
                self.context.close()


def run_console(args: argparse.Namespace, settings: Settings) -> int:
    web_session = getattr(args, "web_session", False)
    read_ahead = _wanted_read_ahead(settings, web_session)
    store = ConsoleStore(
        settings, with_engine=not getattr(args, "no_engine", False), read_ahead=read_ahead
    )
    try:
        app = _console_app(args, settings, store)
        freeze_start_up_objects()  # the shell's modules, settings and themes
        app.run()
    finally:
        store.close()
    if app.store_error is not None:
        raise app.store_error
    if store.engine is not None and store.engine.error is not None:
        say(
            f"kootui: the sending engine stopped with an error: {store.engine.error} "
            f"(details in {settings.paths.log_file})",
            err=True,
        )
        return 1
    return 0


def _console_app(args: argparse.Namespace, settings: Settings, store: ConsoleStore) -> KootuiApp:
    from kootui.tui.app import KootuiApp
    from kootui.tui.keys.registry import validate_keymap
    from kootui.tui.opening import StoreOpening
    from kootui.tui.shell.signing_in import SignInFace
    from kootui.tui.theming import ThemeCatalog

    # Bad [keys], theme files or theme names stop here, before the terminal is taken over.
    validate_keymap(settings.keys, str(settings.paths.config_file))
    catalog = ThemeCatalog.load(settings)
    catalog.starting_theme(settings, args.theme)
    settings.ensure_folders()  # the log file's folder
    _log_to_file(settings)
    sign_in = SignInFace()
    if getattr(args, "web_session", False):
        # A browser's console (`kootui web`): it signs in first, whatever the store says.
        sign_in = SignInFace("web", address=args.web_peer, required=True)
    read_ahead = store.read_ahead
    opening = StoreOpening(
        settings,
        store.open,
        finish=store.finish,
        sign_in=sign_in,
        read_ahead=read_ahead.result if read_ahead is not None else None,
    )
    return KootuiApp(opening, catalog=catalog, theme=args.theme)


def _wanted_read_ahead(settings: Settings, web_session: bool) -> ReadAhead | None:
    """The first figures' reader forked as ``kootui`` started (``kootui.tui.read_ahead``),
    unless this console signs in first: its figures are read for whoever signs in."""
    from kootui.tui.read_ahead import take_read_ahead
    from kootui.tui.ui_state import sign_in_expected

    read_ahead = take_read_ahead()
    if read_ahead is not None and (web_session or sign_in_expected(settings.paths.ui_state_file)):
        read_ahead.end()
        return None
    return read_ahead


def _log_to_file(settings: Settings) -> None:
    """While the console owns the terminal, log lines go to a file in the state folder."""
    handler = logging.FileHandler(settings.paths.log_file, encoding="utf-8")
    handler.setFormatter(PrintableFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
