"""The decision: any matching Deny wins, else a matching Allow, else default deny.

A credential narrowed by a policy of its own must be allowed by its user's policies (the
owner holds everything) and by the narrowing policy; a Deny in either refuses."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from kootui.core.access.documents import Effect, Statement, pattern_regex
from kootui.core.access.principal import NamedPolicy, Principal

DEFAULT_DENY = "no statement allows it (default deny)"


@dataclass(frozen=True)
class Decision:
    """What was decided and by which statement of which policy (``policy`` None: nothing
    matched, or the owner's unrestricted right)."""

    allowed: bool
    action: str
    resource: str
    principal: str
    policy: str | None = None
    statement: int | None = None
    effect: Effect | None = None
    note: str = ""

    @property
    def decided_by(self) -> str:
        """The deciding statement in a few words, as the audit log keeps it."""
        if self.policy is None:
            return self.note or DEFAULT_DENY
        # Counted from 1, as a reader counts the Statement list.
        return f"{self.policy} statement {(self.statement or 0) + 1} ({self.effect})"

    @property
    def explanation(self) -> str:
        """One sentence an operator reads the first day a Deny surprises them."""
        on = f" on {self.resource}" if self.resource else ""
        verdict = "allowed" if self.allowed else "refused"
        return f"{self.principal}: {self.action}{on} is {verdict}: {self.decided_by}"


def _matches(patterns: tuple[str, ...], value: str) -> bool:
    return any(pattern_regex(pattern).fullmatch(value) for pattern in patterns)


def _conditions_hold(statement: Statement, principal: Principal) -> bool:
    if statement.faces is not None and principal.face not in statement.faces:
        return False
    if statement.source_ips is not None:
        try:
            address = ipaddress.ip_address(principal.address)
        except ValueError:
            return False
        if not any(address in network for network in statement.source_ips):
            return False
    return True


def statement_applies(
    statement: Statement, principal: Principal, action: str, resource: str
) -> bool:
    if not _matches(statement.actions, action):
        return False
    if statement.resources is not None and not _matches(statement.resources, resource or "*"):
        return False
    return _conditions_hold(statement, principal)


def _decide(
    policies: tuple[NamedPolicy, ...], principal: Principal, action: str, resource: str
) -> Decision:
    allowing: tuple[NamedPolicy, Statement] | None = None
    for policy in policies:
        for statement in policy.document.statements:
            if not statement_applies(statement, principal, action, resource):
                continue
            if statement.effect is Effect.DENY:
                return Decision(
                    False,
                    action,
                    resource,
                    principal.label,
                    policy.name,
                    statement.index,
                    Effect.DENY,
                )
            if allowing is None:
                allowing = (policy, statement)
    if allowing is None:
        return Decision(False, action, resource, principal.label)
    policy, statement = allowing
    return Decision(
        True, action, resource, principal.label, policy.name, statement.index, Effect.ALLOW
    )


def evaluate(principal: Principal, action: str, resource: str = "") -> Decision:
    """Whether ``principal`` may do ``action`` on ``resource`` ("" when the action has
    none), naming the statement that decided. Pure: no store, no clock."""
    if principal.user_id is None:
        held = Decision(True, action, resource, principal.label, note="the owner holds every right")
    else:
        held = _decide(principal.policies, principal, action, resource)
    if principal.narrowing is None or not held.allowed:
        return held
    narrowed = _decide((principal.narrowing,), principal, action, resource)
    if not narrowed.allowed and narrowed.policy is None:
        return Decision(
            False,
            action,
            resource,
            principal.label,
            note=f"the credential's own policy {principal.narrowing.name} does not allow it "
            "(default deny)",
        )
    return narrowed if not narrowed.allowed else held


explain = evaluate
