"""Counts in words: ``count_of(1, "recipient")`` is "1 recipient", 2,000 are "2,000 recipients".

One function for every face, so the console and the CLI never say "1 messages".
"""

from __future__ import annotations

_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")


def plural_of(noun: str) -> str:
    """The English plural of a kootui noun (its last word: "valid row" -> "valid rows")."""
    if noun.endswith(_SIBILANT_ENDINGS):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return noun[:-1] + "ies"
    return noun + "s"


def noun_for(count: int, singular: str, plural: str | None = None) -> str:
    """The noun alone, as ``count`` asks for it."""
    return singular if count == 1 else (plural or plural_of(singular))


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and the noun in the number it needs."""
    return f"{count:,} {noun_for(count, singular, plural)}"
