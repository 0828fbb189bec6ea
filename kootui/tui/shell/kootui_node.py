"""What every console screen and widget shares: the typed app, and store problems reported.

Store and DNS calls are straight-line async workers; the store runs on a thread, never
on the event loop, and a dialog's answer is awaited in place:

    @work(group="domain-delete", exit_on_error=False)
    async def action_delete_domain(self) -> None:
        try:
            addresses = await asyncio.to_thread(addresses_using, context, domain_id)
        except KootuiError as refusal:             # a core rule said no: say why, here
            self.notify(user_message(refusal), severity="error", timeout=8)
            return
        if not await self.app.push_screen_wait(ConfirmDialog(...)):
            return
        ...

Any other exception fails the worker (``exit_on_error=False`` keeps the console up) and
``on_worker_state_changed`` below reports it in one line. Textual does not bubble a
worker's state change, so each node that runs workers reports its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from kootui.core.errors import KootuiError
from kootui.tui.shell.rights import refusal_text

if TYPE_CHECKING:
    from kootui.tui.app import KootuiApp


@dataclass(frozen=True)
class RefreshIntervals:
    """How often views read the store again on their own, in seconds (one place, so
    tests pass short ones instead of waiting out the real ones)."""

    overview: float = 15.0
    task_progress: float = 1.0
    messages_while_sending: float = 2.0  # the Sending Details list, while a task sends
    message_detail: float = 2.0
    # None: the core's CHECK_INTERVAL_SECONDS (kootui.core.domains, loaded with the store).
    domain_checks: float | None = None
    statistics_report: float = 10.0  # the report, while its range holds the running period
    destinations: float = 5.0  # the Destinations page: slowed destinations come and go
    idle_check: float = 15.0  # whether the signed-in user has been idle too long


def store_problem(error: BaseException | None) -> str:
    """One line a user can read: a KootuiError's own message, else the error's first line."""
    if isinstance(error, KootuiError):
        return refusal_text(error)
    text = str(error).strip() if error is not None else ""
    first_line = text.splitlines()[0][:200] if text else "no details"
    return f"Could not read the store: {type(error).__name__}: {first_line}"


class KootuiNode:
    """Mixed into a Screen or Widget of the console (before the Textual class)."""

    @property
    def kootui(self) -> KootuiApp:
        return self.app  # type: ignore[attr-defined,no-any-return]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A store that fails (locked, damaged, unreachable) is reported, never a crash.
        if event.state == WorkerState.ERROR:
            node: Any = self
            node.notify(store_problem(event.worker.error), severity="error", timeout=8)
