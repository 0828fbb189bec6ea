"""Recipient addresses: strict syntax, IDN domains to punycode, duplicates found.

``email-validator`` decides what a valid address is (strict mode, no DNS
lookups, no display names, no quoted local parts, no IP literals, no
internationalised local parts: the relay would need SMTPUTF8 for those). Its
domain check is the slow half (bench/RESULTS.md), and a million-row import
repeats the same few domains, so ``RecipientValidator`` remembers each domain's
verdict and checks a plain ASCII local part with email-validator's own
dot-atom pattern. Anything off that fast path goes through ``validate_email``
whole, so both paths accept and refuse exactly the same addresses (a test
compares them).

Duplicates are found case-insensitively: ``Ann@x.com`` and ``ann@X.COM`` reach
the same mailbox on every real server, and sending twice is the worse mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import (
    CASE_INSENSITIVE_MAILBOX_NAMES,
    DOT_ATOM_TEXT,
    EMAIL_MAX_LENGTH,
    LOCAL_PART_MAX_LENGTH,
)

from kootui.core.errors import LimitReached, ValidationError

MAX_MANUAL_RECIPIENTS = 10  # the seeds: "a maximum of 10 email addresses can be entered"
MAX_ADDRESS_CHARS = 320  # what the input box takes; a longer text is refused before parsing
_DOMAIN_CACHE_LIMIT = 50_000
_CASE_INSENSITIVE_NAMES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


def _validate_strictly(address: str) -> str:
    """The address as it will be sent (ASCII, domain in punycode), or EmailNotValidError."""
    result = validate_email(
        address,
        check_deliverability=False,
        allow_smtputf8=False,
        allow_quoted_local=False,
        allow_domain_literal=False,
        allow_display_name=False,
        strict=True,
    )
    return result.ascii_email or result.normalized


def _reason(exc: EmailNotValidError) -> str:
    text = str(exc).strip().rstrip(".")
    return text[:1].lower() + text[1:] if text else "not a valid email address"


class RecipientValidator:
    """Validates addresses one after another, remembering each domain's verdict."""

    def __init__(self) -> None:
        # domain as typed -> (ascii domain, None) or (None, reason)
        self._domains: dict[str, tuple[str | None, str | None]] = {}

    def _domain_verdict(self, domain: str) -> tuple[str | None, str | None]:
        verdict = self._domains.get(domain)
        if verdict is None:
            try:
                # "a" is a local part that can never fail, so only the domain is judged.
                ascii_address = _validate_strictly(f"a@{domain}")
                verdict = (ascii_address.partition("@")[2], None)
            except EmailNotValidError as exc:
                verdict = (None, _reason(exc))
            if len(self._domains) >= _DOMAIN_CACHE_LIMIT:
                self._domains.clear()  # bounded memory; a cold cache is only slower
            self._domains[domain] = verdict
        return verdict

    def check(self, text: str) -> tuple[str | None, str | None]:
        """``(address, None)`` for a valid address, ``(None, reason)`` otherwise."""
        address = text.strip()
        if not address:
            return None, "the address is empty"
        if len(address) > MAX_ADDRESS_CHARS:
            return None, f"the address is longer than {MAX_ADDRESS_CHARS} characters"
        local, at, domain = address.rpartition("@")
        if (
            at
            and domain
            and len(local) <= LOCAL_PART_MAX_LENGTH
            and DOT_ATOM_TEXT.match(local)
            and local.lower() not in _CASE_INSENSITIVE_NAMES
        ):
            ascii_domain, reason = self._domains.get(domain) or self._domain_verdict(domain)
            if reason is not None:
                return None, reason
            # The address as typed when its domain is already in its sent form (the usual case).
            candidate = address if ascii_domain == domain else f"{local}@{ascii_domain}"
            if len(candidate) <= EMAIL_MAX_LENGTH:
                return candidate, None
        try:
            return _validate_strictly(address), None
        except EmailNotValidError as exc:
            return None, _reason(exc)

    def normalise(self, text: str, *, field: str = "recipients") -> str:
        """The address to send to, or a ValidationError with the reason."""
        address, reason = self.check(text)
        if address is None:
            raise ValidationError(f"{text.strip()!r} is not valid: {reason}", field=field)
        return address


def normalise_address(text: str, *, field: str = "recipients") -> str:
    """One address as it will be sent; a ValidationError naming ``field`` when it is not valid."""
    return RecipientValidator().normalise(text, field=field)


def duplicate_key(address: str) -> str:
    """What two addresses share when they reach the same mailbox."""
    return address.lower()


@dataclass(frozen=True)
class RefusedAddress:
    text: str
    reason: str


@dataclass
class ManualRecipients:
    """Addresses typed one at a time (at most 10), each checked as it is added.

    A refused address is kept with its reason so the form can show it; only
    ``addresses`` reach the task.
    """

    addresses: list[str] = field(default_factory=list)
    refused: list[RefusedAddress] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    _validator: RecipientValidator = field(default_factory=RecipientValidator, repr=False)

    def add(self, text: str) -> str | None:
        """Add one typed address; returns the address kept, or None when refused or repeated."""
        address, reason = self._validator.check(text)
        if address is None:
            self.refused.append(RefusedAddress(text.strip(), reason or "not valid"))
            return None
        if any(duplicate_key(kept) == duplicate_key(address) for kept in self.addresses):
            self.duplicates.append(address)
            return None
        if len(self.addresses) >= MAX_MANUAL_RECIPIENTS:
            raise LimitReached(
                f"at most {MAX_MANUAL_RECIPIENTS} addresses can be typed; "
                "upload an xlsx file for more",
                field="recipients",
            )
        self.addresses.append(address)
        return address

    def remove(self, address: str) -> None:
        self.addresses = [kept for kept in self.addresses if kept != address]

    def forget_refusals(self) -> None:
        """The refused and repeated entries are history once the user types again."""
        self.refused.clear()
        self.duplicates.clear()

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> ManualRecipients:
        recipients = cls()
        for text in texts:
            recipients.add(text)
        return recipients

    def require_valid(self) -> Sequence[str]:
        """The addresses, or a ValidationError listing every refused one with its reason."""
        if self.refused:
            reasons = "; ".join(f"{item.text!r}: {item.reason}" for item in self.refused)
            raise ValidationError(f"refused addresses — {reasons}", field="recipients")
        if not self.addresses:
            raise ValidationError("add at least one recipient", field="recipients")
        return list(self.addresses)
