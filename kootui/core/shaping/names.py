"""Destination domains in one form, so a rule and a recipient meet whatever was typed.

A rule's domain is stored the way sender domains are (``domains.normalize_domain_name``:
A-labels, lower case, no trailing dot). A recipient's domain is put in the same form on
the sending path, where it must never raise: an address kootui cannot encode keeps its
lower-cased domain (the relay refuses such an address anyway)."""

from __future__ import annotations

from functools import lru_cache

import idna

from kootui.core.domains import display_domain_name, normalize_domain_name
from kootui.core.errors import ValidationError


def rule_domain(typed: str) -> str:
    """A domain typed for a rule, in DNS form; ValidationError (field ``domains``)."""
    try:
        return normalize_domain_name(typed)
    except ValidationError as exc:
        shown = typed.strip() or "a domain"
        raise ValidationError(f"{shown}: {exc.message}", field="domains", code=exc.code) from None


@lru_cache(maxsize=65536)
def recipient_domain(address: str) -> str:
    """A recipient address's domain in DNS form (``Zoë@Bücher.DE.`` -> ``xn--bcher-kva.de``)."""
    domain = address.rpartition("@")[2].strip().rstrip(".").lower()
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return domain


def shown_domain(stored: str) -> str:
    """A stored domain as a reader writes it (U-labels)."""
    return display_domain_name(stored)


def parent_domains(domain: str) -> list[str]:
    """The domain and every domain above it that has a dot, nearest first:
    ``a.mail.example.com`` -> itself, ``mail.example.com``, ``example.com``."""
    labels = domain.split(".")
    return [".".join(labels[index:]) for index in range(len(labels) - 1)] or [domain]
