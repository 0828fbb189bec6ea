"""The background domain check for headless engines: ``kootui worker`` runs it too.

``verify_due_domains`` decides what is due (unverified domains every 5 minutes for
72 hours, verified ones every hour); a loop here asks it every minute and logs each
status change, so a record that disappears from DNS is noticed on a server where
no console is open. Consoles run the same check on their own timer
(``kootui.tui.pages.domains.checks``); whoever gets to a due domain first checks it.
"""

from __future__ import annotations

import asyncio
import logging

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.domains.service import DOMAIN_STATUS_LABELS
from kootui.core.domains.verification import VerificationOutcome, verify_due_domains
from kootui.core.store import DomainStatus

log = logging.getLogger("kootui.domains")

CHECK_INTERVAL_SECONDS = 60.0


def change_notice(outcome: VerificationOutcome) -> str:
    """'mail.example.com: Verifying → Verification passed', with the reason when it failed."""
    before = DOMAIN_STATUS_LABELS[outcome.previous_status]
    after = DOMAIN_STATUS_LABELS[outcome.status]
    reason = f" — {outcome.reason}" if outcome.reason else ""
    return f"{outcome.display_name}: {before} → {after}{reason}"


def check_due_domains_once(context: Context) -> list[VerificationOutcome]:
    """One round: verify what is due and log every change of status."""
    outcomes = verify_due_domains(context)
    for outcome in outcomes:
        if outcome.changed:
            level = logging.WARNING if outcome.status == DomainStatus.FAILED else logging.INFO
            log.log(level, "domain status changed: %s", change_notice(outcome))
    return outcomes


@requires(Act.ENGINE_RUN)
async def run_domain_checks(
    context: Context, stop: asyncio.Event, *, interval: float = CHECK_INTERVAL_SECONDS
) -> None:
    """Check due domains every ``interval`` seconds until ``stop`` is set.

    The first round waits one interval, as the console's does, so starting a worker
    never begins with a burst of DNS traffic. A DNS or store problem is logged and
    the next round tries again."""
    while True:
        try:
            await asyncio.wait_for(stop.wait(), interval)
            return
        except TimeoutError:
            pass
        try:
            await asyncio.to_thread(check_due_domains_once, context)
        except Exception as exc:  # a check must never stop the engine
            log.warning("domain check round failed: %s", type(exc).__name__)
