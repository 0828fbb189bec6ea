"""The kootui console: one Textual mode per page, keys from the registry, themes from files.

The app itself only wires things together: pages live in ``pages/``, keys in
``keys/``, palettes in ``theming.py``. Store calls run in workers, on threads
(see ``kootui.tui.shell.kootui_node``).

Start-up draws first: this module imports no page and nothing of the store. A page's
module loads when the page is first shown (``PageSpec.make_screen``); given a
``StoreOpening``, the store opens on a thread once the first page is on screen, and
``opened_context()`` hands it to whoever waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from importlib import import_module
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.actions import ActionParseResult
from textual.app import App
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.dom import DOMNode
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.signal import Signal
from textual.theme import BUILTIN_THEMES
from textual.worker import Worker, WorkerState

from kootui.core.clock import Clock
from kootui.core.config import Settings
from kootui.core.errors import KootuiError
from kootui.core.plural import count_of
from kootui.core.printable import printable
from kootui.tui.keys.registry import current_key, scope_bindings, validate_keymap
from kootui.tui.opening import EarlyRead, StoreOpening
from kootui.tui.outside_text import TerminalSafeFilter
from kootui.tui.pages import PAGES, PageScreen, PageSpec
from kootui.tui.palette import ConsoleCommands
from kootui.tui.shell.help import HelpScreen
from kootui.tui.shell.jump import GoScreen, JumpScreen
from kootui.tui.shell.kootui_node import RefreshIntervals, store_problem
from kootui.tui.shell.sign_in import OpeningScreen, SignInScreen
from kootui.tui.shell.signing_in import (
    SignInFace,
    SignInState,
    resumer,
    sign_in_state,
    signer,
)
from kootui.tui.theming import ReadableDim, ThemeCatalog
from kootui.tui.ui_state import remember_sign_in, save_ui_state, sign_in_expected
from kootui.tui.widgets.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from kootui.core.access import Principal
    from kootui.core.context import Context
    from kootui.core.tasks import QueuedWork
    from kootui.tui.pages.domains.checks import DomainChecks

HISTORY_LIMIT = 50
# Loads kootui.core.domains (DNS, the store): imported on a thread once the store is open.
DOMAIN_CHECKS_MODULE = "kootui.tui.pages.domains.checks"
# How long the rest of opening (public templates, the sending engine) waits for the first
# page's figures: their modules would take the interpreter from the figures' read.
FIRST_READ_WAIT_SECONDS = 1.0
# What the console may still do while nobody has signed in: leave.
BEFORE_SIGN_IN = frozenset({"help_quit"})
# Stateless; one is enough for every line of every widget.
TERMINAL_SAFE = TerminalSafeFilter()
READABLE_DIM = ReadableDim()


class KootuiApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "kootui"
    # The app's "/" is the silent fallback; a page with a filter shows its own "/".
    BINDINGS: ClassVar[list[BindingType]] = [
        replace(b, show=False) if b.id == "filter" else b for b in scope_bindings("app")
    ]
    COMMANDS = {ConsoleCommands}
    COMMAND_PALETTE_DISPLAY = None
    # Below 100 columns the navigation folds away (g, : and ctrl+p still reach every page).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (120, "-wide")]
    # Below 32 rows (24 is the usual SSH window) the frame gives its blank lines to the rows.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    workspace_name: reactive[str] = reactive("…")
    # Set before __init__ runs: Textual asks check_action while the app is being built.
    awaiting_sign_in = False

    def __init__(
        self,
        context: Context | StoreOpening,
        *,
        catalog: ThemeCatalog,
        theme: str | None = None,
        cursor_blink: bool = True,
        pages: Sequence[PageSpec] = PAGES,
        refresh_intervals: RefreshIntervals | None = None,
    ) -> None:
        # Bad [keys] or themes fail here, before the terminal is taken over.
        settings = context.settings
        self.keymap = validate_keymap(settings.keys, str(settings.paths.config_file))
        start_theme, self._theme_note = catalog.starting_theme(settings, theme)
        super().__init__()
        # What the shell needs to draw; pages that read the store wait for the context.
        self.settings: Settings = settings
        self.clock: Clock = context.clock
        self._opening = context if isinstance(context, StoreOpening) else None
        self._open_context: Context | None = None if isinstance(context, StoreOpening) else context
        self._store_open = asyncio.Event()  # the context may be read
        self._first_read_done = asyncio.Event()  # the first page has shown its figures
        self._read_ahead: asyncio.Future[EarlyRead | None] | None = None
        self._read_ahead_taken = False
        self._store_is_ready = False  # ... and what opens with it is done: every page opens
        self._page_after_opening: str | None = None
        # Why the store could not be opened; the console has exited (see open_store).
        self.store_error: Exception | None = None
        self.domain_checks: DomainChecks | None = None
        self.catalog = catalog
        self.pages: tuple[PageSpec, ...] = tuple(pages)
        self.refresh_intervals = refresh_intervals or RefreshIntervals()
        # Published when the background check changed a domain's status while the
        # Sender Domains page is shown; its screens subscribe to read again.
        self.domains_changed_signal: Signal[None] = Signal(self, "domains-changed")
        self.cursor_blink = cursor_blink
        # Who the console acts as: None is the owner (sign-in off), as before access control.
        self.sign_in_face = self._opening.sign_in if self._opening else SignInFace()
        self.principal: Principal | None = None
        self.idle_minutes = 0  # 0: never signs out
        # Sign-in first (a browser always; the terminal when it was on last time): the first
        # frame is then a neutral screen, never a page's, until someone has signed in.
        self._signs_in_first = self.sign_in_face.required or (
            self._opening is not None and sign_in_expected(settings.paths.ui_state_file)
        )
        self.awaiting_sign_in = self._signs_in_first  # no key but quit works meanwhile
        self._last_activity = self.clock.now()
        self.history: list[str] = []
        self._remember_theme = False
        for entry in catalog:
            self.register_theme(entry.theme)
        self.theme = start_theme
        # Only kootui's palettes are offered, so a saved choice always exists next time.
        for name in BUILTIN_THEMES:
            if name not in catalog:
                self.unregister_theme(name)
        self.set_keymap(self.keymap)
        for page in self.pages:
            self.add_mode(page.id, page.make_screen)
        if theme:
            save_ui_state(settings.paths.ui_state_file, theme=theme)

    def on_mount(self) -> None:
        self._remember_theme = True
        if self._signs_in_first:
            # No page is drawn, not even empty, before someone signs in.
            self.push_screen(OpeningScreen())
        else:
            self.switch_mode(self.pages[0].id)
        if self._open_context is None:
            # Runs once the first page has been drawn: the store's modules alone take
            # longer to load than the whole shell takes to show.
            self.call_after_refresh(self.open_store)
        else:
            self.load_workspace()
            self._store_ready()
        if self._theme_note:
            self.notify(self._theme_note, severity="warning")

    # --- the store ------------------------------------------------------------

    @property
    def context(self) -> Context:
        """The open store, settings and clock; ``opened_context()`` waits for it."""
        if self._open_context is None:
            raise RuntimeError("the store is not open yet: await KootuiApp.opened_context()")
        return self._open_context

    async def opened_context(self) -> Context:
        """The context, once the store is open (at once when it already is)."""
        await self._store_open.wait()
        return self.context

    @work(exclusive=True, group="store-open", exit_on_error=False)
    async def open_store(self) -> None:
        opening = self._opening
        assert opening is not None
        try:
            if await self.read_ahead() is not None:
                # The first page paints what was read ahead first: the store's modules,
                # loading on a thread, would share the interpreter with that paint.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._first_read_done.wait(), FIRST_READ_WAIT_SECONDS)
            opened = await asyncio.to_thread(opening.open)
            context = await self._signed_in(opened)
            self._open_context = context
            self._store_open.set()  # the Overview's figures are read from here on
            self.load_workspace()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._first_read_done.wait(), FIRST_READ_WAIT_SECONDS)
            if opening.finish is not None:
                # The public templates and the sending engine are the service's work, not
                # the signed-in user's: they act as the opened store's owner.
                await asyncio.to_thread(opening.finish, opened)
            # kootui.core.domains and DNS: loaded on a thread, not on the event loop.
            await asyncio.to_thread(import_module, DOMAIN_CHECKS_MODULE)
        except Exception as error:
            # Reported as before the console drew anything: the command line prints it
            # on one line and exits with its status (see kootui.cli.console).
            self.store_error = error
            self.exit(return_code=1)
            return
        self._store_ready()

    async def read_ahead(self) -> EarlyRead | None:
        """What the opening's read-ahead process read (``StoreOpening.read_ahead``), or
        None; asked of it once, on a thread."""
        opening = self._opening
        if opening is None or opening.read_ahead is None:
            return None
        if self._read_ahead is None:
            self._read_ahead = asyncio.ensure_future(asyncio.to_thread(opening.read_ahead))
        try:
            return await asyncio.shield(self._read_ahead)
        except Exception:  # no early figures: the page reads them itself
            return None

    async def take_read_ahead(self) -> EarlyRead | None:
        """The early figures, to the first page that asks (None to any later one)."""
        if self._read_ahead_taken:
            return None
        self._read_ahead_taken = True
        return await self.read_ahead()

    def first_read_done(self) -> None:
        """The first page has shown what it read: the rest of opening may go on now."""
        self._first_read_done.set()

    async def _signed_in(self, context: Context) -> Context:
        """The context the pages use: as the user who signed in, when sign-in is on."""
        state = await asyncio.to_thread(self._read_sign_in_state, context)
        if not state.on and not self.sign_in_face.required:
            self.awaiting_sign_in = False  # the remembered "on" was stale: the page opens now
            self._show_first_page()
            return context
        self.idle_minutes = state.idle_minutes
        self.awaiting_sign_in = True
        principal: Principal = await self.push_screen_wait(
            SignInScreen(signer(context, self.sign_in_face), clock=self.clock)
        )
        self._now_signed_in(principal)
        self._show_first_page()
        return context.acting_as(principal)

    def _read_sign_in_state(self, context: Context) -> SignInState:
        """On a thread: whether to sign in, remembered for the next console's first frame."""
        state = sign_in_state(context)
        if not self.sign_in_face.required:
            remember_sign_in(context.settings.paths.ui_state_file, state.on)
        return state

    def _show_first_page(self) -> None:
        if self.current_mode not in {page.id for page in self.pages}:
            self.switch_mode(self.pages[0].id)

    def _now_signed_in(self, principal: Principal) -> None:
        self.principal = principal
        self.awaiting_sign_in = False
        self._last_activity = self.clock.now()
        if self.idle_minutes:
            self.set_interval(
                self.refresh_intervals.idle_check, self.sign_out_when_idle, name="idle-check"
            )

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown):
            self._last_activity = self.clock.now()
        await super().on_event(event)

    def sign_out_when_idle(self) -> None:
        """Signs out after the workspace's idle time: the same user signs in to go on."""
        if self.awaiting_sign_in or self.principal is None or self._open_context is None:
            return
        idle = (self.clock.now() - self._last_activity).total_seconds()
        if idle >= self.idle_minutes * 60:
            self.sign_out_idle()

    @work(group="sign-in", exclusive=True, exit_on_error=False)
    async def sign_out_idle(self) -> None:
        signed_in, context = self.principal, self._open_context
        assert signed_in is not None and context is not None
        self.awaiting_sign_in = True
        screen = SignInScreen(
            resumer(context, self.sign_in_face, signed_in),
            clock=self.clock,
            user_name=signed_in.name,
            intro=f"Signed out after {count_of(self.idle_minutes, 'idle minute')}. "
            f"Sign in again as {signed_in.name} to go on, or quit.",
        )
        principal: Principal = await self.push_screen_wait(screen)
        self._open_context = context.acting_as(principal)
        self.principal = principal
        self.awaiting_sign_in = False
        self._last_activity = self.clock.now()

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        handled = await super().run_action(action, default_namespace, namespaces)
        if not handled and isinstance(default_namespace, PageScreen) and isinstance(action, str):
            # A key shown disabled for the user's rights says why when pressed anyway.
            refusal = default_namespace.key_refusal(action)
            if refusal is not None:
                self.notify(refusal, severity="warning", timeout=8)
        return handled

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Before sign-in (and after the idle sign-out) no page, palette or help opens.
        if self.awaiting_sign_in and action not in BEFORE_SIGN_IN:
            return False
        return True

    def _store_ready(self) -> None:
        """The store is open and what starts with it has started: every page may open."""
        from kootui.tui.pages.domains.checks import start_domain_checks

        self._store_open.set()
        self._store_is_ready = True
        self.domain_checks = start_domain_checks(self)
        if self._page_after_opening is not None:
            self.go_page(self._page_after_opening)

    @work(exclusive=True, group="workspace", exit_on_error=False)
    async def load_workspace(self) -> None:
        context = await self.opened_context()
        name = await asyncio.to_thread(_workspace_name, context)
        self.show_workspace_name(name)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A store that fails (locked, damaged, unreachable) is reported, never a crash.
        if event.state == WorkerState.ERROR:
            self.notify(store_problem(event.worker.error), severity="error", timeout=8)

    def show_workspace_name(self, name: str) -> None:
        self.workspace_name = name
        self.sub_title = printable(name)

    # --- outside text -----------------------------------------------------------

    def notify(
        self,
        message: str | Content,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of the console (widgets' ``notify`` lands here too).

        Messages quote task names, addresses, file names and errors that quote them, so a
        plain string is never read as markup (``markup`` is ignored) and its controls are
        made visible. A message that wants kootui's own styling passes a ``Content`` built
        with ``outside`` values; it is shown as that content, nothing in it parsed again.
        """
        if isinstance(message, Content):
            # Content.markup escapes every bracket of the text it holds.
            shown, as_markup = message.markup, True
        else:
            shown, as_markup = printable(message, one_line=False), False
        super().notify(
            shown, title=printable(title), severity=severity, timeout=timeout, markup=as_markup
        )

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), READABLE_DIM, TERMINAL_SAFE]

    # --- keys -----------------------------------------------------------------

    def key_display(self, binding_id: str) -> str:
        """How the key of a registry binding is shown now (after remapping)."""
        keys = current_key(binding_id, self.keymap).split(",")
        return "/".join(self.get_key_display(Binding(key, "")) for key in keys)

    def go_hints(self) -> dict[str, str]:
        go = self.key_display("go")
        return {page.id: f"{go} {self.key_display(page.go_binding)}" for page in self.pages}

    @property
    def page_screen(self) -> PageScreen | None:
        """The page under any popups of the current mode."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, PageScreen):
                return screen
        return None

    def go_page(self, page_id: str) -> None:
        known = {page.id for page in self.pages}
        if page_id not in known:
            self.notify(f"There is no page {page_id!r}.", severity="warning", timeout=3)
            return
        if page_id == self.current_mode:
            return
        if not self._store_is_ready:
            # Pages read the store as they mount; the Overview waits for it on screen.
            self._page_after_opening = page_id
            return
        self._page_after_opening = None
        if self.current_mode in known:
            self.history = [*self.history, self.current_mode][-HISTORY_LIMIT:]
        self.switch_mode(page_id)

    def action_go_page(self, page_id: str) -> None:
        self.go_page(page_id)

    def action_show_help(self) -> None:
        page = self.page_screen
        if page is not None:
            unavailable = {"filter"} if page.filter_widget() is None else set()
            self.push_screen(HelpScreen(page.page.title, page.KEY_SCOPES, unavailable))

    def action_jump(self) -> None:
        self.push_screen(JumpScreen(self.pages), self._go_chosen)

    def action_go(self) -> None:
        self.push_screen(GoScreen(self.pages), self._go_chosen)

    def _go_chosen(self, page_id: str | None) -> None:
        if page_id:
            self.go_page(page_id)

    def action_focus_filter(self) -> None:
        # Pages with a filter answer "/" themselves (PageScreen); this is the fallback.
        self.notify("This page has no filter.", timeout=3)

    async def action_quit(self) -> None:
        """Leave; with messages still queued, say so first and let the user stay.

        A dialog rather than a parting notice: the notice would go with the screen, and
        this is the last moment the user can choose to keep the console sending."""
        self._quit_when_told()

    @work(group="quit", exclusive=True, exit_on_error=False)
    async def _quit_when_told(self) -> None:
        if self._open_context is None:
            # Still opening (the figures may be on screen already): this console has sent
            # nothing, and its engine has not started. Asking the store would fail.
            self.exit()
            return
        try:
            queued = await asyncio.to_thread(read_queued_work, self.context)
        except (KootuiError, OSError):
            queued = None  # a store that cannot be read must not keep anyone in
        if queued is not None and queued.messages:
            question = ConfirmDialog(
                f"Quit with {count_of(queued.messages, 'message')} still queued?",
                f"{count_of(queued.tasks, 'task')} still "
                f"{'has' if queued.tasks == 1 else 'have'} messages to send. Nothing is "
                "lost: sending goes on from this store with the next start of kootui, or "
                "run `kootui worker` to send without the console (a worker already "
                "running keeps sending).",
                confirm_label="Quit",
                decline_label="Stay",
            )
            if not await self.push_screen_wait(question):
                return
        self.exit()

    def action_go_back(self) -> None:
        page = self.page_screen
        if page is not None and page.leave_field():
            return
        if self.history:
            *self.history, previous = self.history
            self.switch_mode(previous)

    def action_refresh_page(self) -> None:
        page = self.page_screen
        if page is not None:
            page.reload()
        self.load_workspace()

    # --- themes ---------------------------------------------------------------

    def choose_theme(self, name: str) -> None:
        self.catalog.require(name)
        self.theme = name

    def watch_theme(self, name: str) -> None:
        if self._remember_theme:
            save_ui_state(self.settings.paths.ui_state_file, theme=name)

    # --- behaviour every widget shares ----------------------------------------

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Snapshot tests run with cursor_blink=False so every frame is the same.
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False


def _workspace_name(context: Context) -> str:
    """Run on a thread: the workspace services load with the store."""
    from kootui.core.workspace import get_workspace

    return get_workspace(context).name


def read_queued_work(context: Context) -> QueuedWork:
    """Run on a thread: importing the task service takes the interpreter for a quarter of a
    second, which on the event loop would freeze the console as it is asked to quit."""
    from kootui.core.tasks import queued_work

    return queued_work(context)
