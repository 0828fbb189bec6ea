"""Verifying sender domains now and on a schedule, and recording what DNS said.

A domain passes when every required record (DKIM, SPF) passes. A required record
that is missing or wrong makes it "failed" with the reason, also when it had
passed before. When DNS could not be asked (timeout, SERVFAIL), the domain keeps
its status and the reason says the check will be retried.

Schedule (``next_check_at``): a verified domain is checked every hour; an
unverified one every 5 minutes for 72 hours after its window started, then no
more until the user asks. The window starts when the domain is created or
renamed and again whenever its status changes (``updated_at``), so a domain
that loses its verification is watched closely again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.dns import RecordCheck, RecordPurpose, check_records
from kootui.core.domains.dkim_keys import finish_rotation, remove_key_files
from kootui.core.domains.names import display_domain_name
from kootui.core.domains.resource import domain_resource
from kootui.core.domains.service import current_expected_records
from kootui.core.errors import NotFound
from kootui.core.store import DnsRecord, DomainStatus, RecordStatus, SenderDomain

VERIFIED_INTERVAL = timedelta(hours=1)
UNVERIFIED_INTERVAL = timedelta(minutes=5)
UNVERIFIED_WINDOW = timedelta(hours=72)
MAX_STORED_VALUES = 20
MAX_STORED_VALUE_LENGTH = 1000


@dataclass(frozen=True)
class VerificationOutcome:
    """The result of one check. ``changed`` tells a face to notify the user."""

    domain_id: int
    name: str
    display_name: str
    previous_status: DomainStatus
    status: DomainStatus
    reason: str
    checks: tuple[RecordCheck, ...]
    checked_at: datetime
    next_check_at: datetime | None
    rotated_to: str = ""  # the selector that took over, when a rotation finished

    @property
    def changed(self) -> bool:
        return self.previous_status != self.status


def domain_status(checks: list[RecordCheck], previous: DomainStatus) -> tuple[DomainStatus, str]:
    """The domain's status and reason from the checks of its records."""
    required = [c for c in checks if c.expected.required]
    broken = [c for c in required if c.status in (RecordStatus.FAILED, RecordStatus.NOT_FOUND)]
    if broken:
        return DomainStatus.FAILED, "; ".join(f"{c.expected.label}: {c.reason}" for c in broken)
    unknown = [c for c in required if c.status != RecordStatus.PASSED]
    if unknown:
        labels = ", ".join(c.expected.label for c in unknown)
        return previous, f"could not check {labels} ({unknown[0].reason})"
    return DomainStatus.PASSED, ""


def next_check_time(status: DomainStatus, window_start: datetime, now: datetime) -> datetime | None:
    if status == DomainStatus.PASSED:
        return now + VERIFIED_INTERVAL
    if now + UNVERIFIED_INTERVAL <= window_start + UNVERIFIED_WINDOW:
        return now + UNVERIFIED_INTERVAL
    return None  # the user has to ask from now on


@requires(Act.ENGINE_RUN)
def due_for_check(context: Context) -> list[int]:
    """Ids of the domains whose next check is due, the longest overdue first."""
    now = context.clock.now()
    with context.store.session() as session:
        statement = (
            select(SenderDomain.id)
            .where(col(SenderDomain.next_check_at).is_not(None))
            .where(col(SenderDomain.next_check_at) <= now)
            .order_by(col(SenderDomain.next_check_at), col(SenderDomain.id))
        )
        return [domain_id for domain_id in session.exec(statement).all() if domain_id is not None]


@requires(Act.ENGINE_RUN)
def verify_due_domains(context: Context) -> list[VerificationOutcome]:
    """Verify every due domain (the background check); skips domains deleted meanwhile."""
    outcomes: list[VerificationOutcome] = []
    for domain_id in due_for_check(context):
        try:
            outcomes.append(verify_domain(context, domain_id))
        except NotFound:
            continue
    return outcomes


def _stored_found(check: RecordCheck) -> list[str]:
    return [value[:MAX_STORED_VALUE_LENGTH] for value in check.found[:MAX_STORED_VALUES]]


@requires(Act.DOMAIN_UPDATE, resource=domain_resource)
def verify_domain(context: Context, domain_id: int) -> VerificationOutcome:
    """Check the domain's records in DNS now, store the results and the new status.

    DNS is asked outside any transaction. If the domain was renamed while DNS was
    being asked, the results are about the old name and are thrown away.
    """
    with context.store.session() as session:
        domain = session.get(SenderDomain, domain_id)
        if domain is None:
            raise NotFound(f"sender domain {domain_id} does not exist", code="domain.not_found")
        name = domain.name
        expected = current_expected_records(session, context, domain)
    checks = check_records(context.settings, name, expected)
    now = context.clock.now()
    retired_files: list[str] = []
    rotated_to = ""
    with context.store.session() as session:
        # Locked so that two processes recording checks of one domain take turns
        # (PostgreSQL; SQLite lets one writer in at a time anyway).
        domain = session.get(SenderDomain, domain_id, with_for_update=True)
        if domain is None:
            raise NotFound(f"sender domain {domain_id} was deleted", code="domain.not_found")
        previous = DomainStatus(domain.status)
        if domain.name != name:
            return _unchanged(domain, previous, now)
        checks, retired_files, rotated_to = _promote_rotation(session, domain_id, checks, now)
        status, reason = domain_status(checks, previous)
        if status != previous:
            domain.updated_at = now  # restarts the close-watch window
        if status == DomainStatus.PASSED and previous != DomainStatus.PASSED:
            domain.verified_at = now
        domain.status = status
        domain.status_reason = reason
        domain.last_checked_at = now
        domain.next_check_at = next_check_time(status, domain.updated_at, now)
        session.add(domain)
        _store_checks(session, domain_id, checks, now)
        outcome = VerificationOutcome(
            domain_id=domain_id,
            name=name,
            display_name=display_domain_name(name),
            previous_status=previous,
            status=status,
            reason=reason,
            checks=tuple(checks),
            checked_at=now,
            next_check_at=domain.next_check_at,
            rotated_to=rotated_to,
        )
    remove_key_files(context.settings, retired_files)
    return outcome


def _unchanged(domain: SenderDomain, previous: DomainStatus, now: datetime) -> VerificationOutcome:
    return VerificationOutcome(
        domain_id=domain.id or 0,
        name=domain.name,
        display_name=display_domain_name(domain.name),
        previous_status=previous,
        status=previous,
        reason=domain.status_reason,
        checks=(),
        checked_at=now,
        next_check_at=domain.next_check_at,
    )


def _promote_rotation(
    session: Session, domain_id: int, checks: list[RecordCheck], now: datetime
) -> tuple[list[RecordCheck], list[str], str]:
    """When the next key's record passed, it becomes the DKIM record and older keys retire."""
    pending = next((c for c in checks if c.expected.purpose == RecordPurpose.DKIM_NEXT), None)
    if pending is None or pending.status != RecordStatus.PASSED:
        return checks, [], ""
    selector = pending.expected.name.split(".", 1)[0]
    retired = finish_rotation(session, domain_id, selector, now)
    promoted = replace(
        pending, expected=replace(pending.expected, purpose=RecordPurpose.DKIM, required=True)
    )
    kept = [
        c for c in checks if c.expected.purpose not in (RecordPurpose.DKIM, RecordPurpose.DKIM_NEXT)
    ]
    return [promoted, *kept], retired, selector


def _store_checks(
    session: Session, domain_id: int, checks: list[RecordCheck], now: datetime
) -> None:
    rows = {
        row.purpose: row
        for row in session.exec(select(DnsRecord).where(DnsRecord.domain_id == domain_id))
    }
    purposes = {str(c.expected.purpose) for c in checks}
    stale = [purpose for purpose in rows if purpose not in purposes]
    if stale:
        session.execute(
            delete(DnsRecord).where(
                col(DnsRecord.domain_id) == domain_id, col(DnsRecord.purpose).in_(stale)
            )
        )
    for check in checks:
        row = rows.get(str(check.expected.purpose)) or DnsRecord(
            domain_id=domain_id,
            purpose=check.expected.purpose,
            rtype=check.expected.rtype,
            name=check.expected.name,
            expected=check.expected.value,
        )
        row.rtype = check.expected.rtype
        row.name = check.expected.name
        row.expected = check.expected.value
        row.required = check.expected.required
        row.status = check.status
        row.found = _stored_found(check)
        row.detail = check.reason
        row.checked_at = now
        session.add(row)
