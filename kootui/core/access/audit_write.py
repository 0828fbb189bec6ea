"""The audit log: append-only lines of who did (or was refused) what, from where.

Written by the guard (every refusal, every allowed write) and by sign-in, each in a
transaction of its own, so a refused call that rolls back still leaves its line. Nothing
updates or deletes a line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kootui.core.access.decide import Decision
from kootui.core.access.principal import Principal
from kootui.core.store import AuditEntry

if TYPE_CHECKING:
    from kootui.core.context import Context


def write_audit(context: Context, principal: Principal, decision: Decision) -> None:
    """One line for a decision, in its own transaction."""
    entry = AuditEntry(
        at=context.clock.now(),
        principal=principal.label[:200],
        user_name=principal.name if principal.user_id is not None else "",
        action=decision.action,
        resource=decision.resource[:300],
        face=principal.face.value if principal.face else "",
        address=principal.address[:64],
        allowed=decision.allowed,
        decided_by=decision.decided_by[:300],
    )
    with context.store.session() as session:
        session.add(entry)
