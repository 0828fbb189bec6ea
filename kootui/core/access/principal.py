"""Who is asking: the owner (sign-in off, or the service itself), a signed-in user, or an
API key or SMTP credential of a user, maybe narrowed further by a policy of its own.

A principal carries the policies it holds, read when it signed in or its credential was
checked, so a check is work in memory, never a query; and where the request came from
(face and address), which the policies' conditions look at."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from kootui.core.access.documents import Face, PolicyDocument


class PrincipalKind(StrEnum):
    OWNER = "owner"
    USER = "user"
    API_KEY = "api_key"
    SMTP_CREDENTIAL = "smtp_credential"


@dataclass(frozen=True)
class NamedPolicy:
    name: str
    document: PolicyDocument


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    # The user's name; "owner" for the owner and for credentials that have no user.
    name: str
    user_id: int | None = None
    # The credential's public part ("kt_1a2b3c4d", "kts_1a2b3c4d"), for keys and logins.
    credential: str = ""
    policies: tuple[NamedPolicy, ...] = ()
    narrowing: NamedPolicy | None = None
    face: Face | None = None
    address: str = ""

    @property
    def unrestricted(self) -> bool:
        """The owner holds every right unless a credential's own policy narrows it."""
        return self.user_id is None and self.narrowing is None

    @property
    def label(self) -> str:
        """How the audit log and refusals name the principal."""
        if self.kind is PrincipalKind.API_KEY:
            return f"{self.name}'s API key {self.credential}"
        if self.kind is PrincipalKind.SMTP_CREDENTIAL:
            return f"{self.name}'s SMTP login {self.credential}"
        return self.name

    def at(self, face: Face, address: str = "") -> Principal:
        """The same principal asking from ``face`` (and a client address, when known)."""
        return replace(self, face=face, address=address)


OWNER = Principal(PrincipalKind.OWNER, "owner")
