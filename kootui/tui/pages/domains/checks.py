"""The console's background domain check: every minute, verify the domains that are due.

``verify_due_domains`` decides what is due (unverified domains every 5 minutes for
72 hours, verified ones every hour); this runner only asks it regularly, in a
thread worker so DNS never blocks the screen, and tells the user when a domain's
status changed. Any number of consoles and workers may run it: each due domain
is checked by whoever gets there first, and its next check moves on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.timer import Timer
from textual.worker import Worker, WorkerState

from kootui.core.domains import (
    CHECK_INTERVAL_SECONDS,
    VerificationOutcome,
    change_notice,
    verify_due_domains,
)
from kootui.core.store import DomainStatus

if TYPE_CHECKING:
    from kootui.tui.app import KootuiApp

__all__ = ["CHECK_INTERVAL_SECONDS", "DomainChecks", "change_notice", "start_domain_checks"]
SEVERITY = {
    DomainStatus.PASSED: "information",
    DomainStatus.VERIFYING: "warning",
    DomainStatus.FAILED: "error",
}


class DomainChecks:
    """Runs the due checks on a timer; ``check_now`` runs them at once (tests, a refresh)."""

    def __init__(self, app: KootuiApp, interval: float | None = None) -> None:
        self.app = app
        chosen = app.refresh_intervals.domain_checks if interval is None else interval
        self.interval = CHECK_INTERVAL_SECONDS if chosen is None else chosen
        self.timer: Timer | None = None
        self.worker: Worker[None] | None = None

    def start(self) -> DomainChecks:
        # The first run waits one interval: opening the console never starts with DNS traffic.
        self.timer = self.app.set_interval(self.interval, self.check_now, name="domain-checks")
        return self

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        )

    def check_now(self) -> Worker[None] | None:
        """Start a round of due checks unless one is still running (DNS can be slow)."""
        if self.running:
            return None
        self.worker = self.app.run_worker(
            self._check_due,
            name="domain checks",
            group="domain-checks",
            thread=True,
            exit_on_error=False,  # a store problem becomes a notification (the app's handler)
        )
        return self.worker

    def _check_due(self) -> None:
        outcomes = verify_due_domains(self.app.context)
        changed = [outcome for outcome in outcomes if outcome.changed]
        if changed:
            self.app.call_from_thread(self._report, changed)

    def _report(self, changed: Sequence[VerificationOutcome]) -> None:
        for outcome in changed:
            self.app.notify(
                change_notice(outcome),
                title="Domain status changed",
                severity=SEVERITY[outcome.status],  # type: ignore[arg-type]
                timeout=10,
            )
        # Another page reads the statuses again when it is shown.
        if self.app.current_mode == "domains":
            self.app.domains_changed_signal.publish(None)


def start_domain_checks(app: KootuiApp) -> DomainChecks:
    """Start the timer, except in the demo workspace: its domains are made up, and asking
    real DNS about them would overwrite the states the demo shows (and leak the names)."""
    checks = DomainChecks(app)
    return checks if app.context.settings.demo else checks.start()
