"""The rules of a sender domain name, and its two forms.

Stored form: ASCII (IDNA/punycode, UTS #46 mapping), lower case, no trailing dot.
Shown form: Unicode. ``normalize_domain_name`` turns what a user typed into the
stored form or raises a ValidationError (field ``name``) naming the broken rule.
"""

from __future__ import annotations

import re
import unicodedata

import idna

from kootui.core.errors import ValidationError

MAX_TYPED_LENGTH = 66  # the seeds' console: "a string of 1 to 66 characters"
MAX_ASCII_LENGTH = 253
MAX_LABEL_LENGTH = 63
_LDH = re.compile(r"^[a-z0-9-]+$")


def _invalid(message: str, code: str = "domain.invalid") -> ValidationError:
    return ValidationError(message, field="name", code=code)


def normalize_domain_name(typed: str) -> str:
    """What the user typed, as the stored ASCII name; raises ValidationError on any rule."""
    text = (typed or "").strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]  # a fully qualified name is the same domain
    if not text:
        raise _invalid("enter the domain name you send from", "domain.required")
    if len(text) > MAX_TYPED_LENGTH:
        raise _invalid(
            f"must be at most {MAX_TYPED_LENGTH} characters (it has {len(text)})",
            "domain.too_long",
        )
    if any(ch.isspace() for ch in text):
        raise _invalid("must not contain spaces")
    try:
        mapped = idna.uts46_remap(text, std3_rules=True, transitional=False)
    except idna.IDNAError:
        raise _invalid(_first_bad_character(text)) from None
    labels = mapped.split(".")
    if len(labels) < 2:
        raise _invalid("needs at least one dot, like example.com")
    ascii_labels = [_ascii_label(label) for label in labels]
    if ascii_labels[-1].isdigit():
        raise _invalid("the last label is all digits: an IP address is not a domain name")
    name = ".".join(ascii_labels)
    if len(name) > MAX_ASCII_LENGTH:
        raise _invalid(
            f"is longer than {MAX_ASCII_LENGTH} characters in DNS form", "domain.too_long"
        )
    return name


def _ascii_label(label: str) -> str:
    if not label:
        raise _invalid("has an empty label (two dots in a row, or a dot at the start)")
    if label.isascii():
        ascii_label = label.lower()
        if label.startswith("xn--"):
            try:
                idna.ulabel(ascii_label)
            except (idna.IDNAError, UnicodeError):
                raise _invalid(f"label {label!r} is not valid punycode") from None
    else:
        if len(label.encode("punycode")) + 4 > MAX_LABEL_LENGTH:  # 4 for the "xn--" prefix
            raise _invalid(
                f"label {label!r} is longer than {MAX_LABEL_LENGTH} characters in DNS form",
                "domain.label_too_long",
            )
        try:
            ascii_label = idna.alabel(label).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise _invalid(f"label {label!r} {_idna_rule(exc)}") from None
    if len(ascii_label) > MAX_LABEL_LENGTH:
        raise _invalid(
            f"label {label!r} is longer than {MAX_LABEL_LENGTH} characters in DNS form",
            "domain.label_too_long",
        )
    if not _LDH.match(ascii_label):
        raise _invalid(f"label {label!r} may only hold letters, digits and hyphens")
    if ascii_label.startswith("-") or ascii_label.endswith("-"):
        raise _invalid(f"label {label!r} must not start or end with a hyphen")
    return ascii_label


def _character(ch: str) -> str:
    """A character as a user can find it: itself and its Unicode name."""
    name = unicodedata.name(ch, f"U+{ord(ch):04X}").lower()
    shown = ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
    return f"'{shown}' ({name})"


def _first_bad_character(text: str) -> str:
    """Which typed character breaks the rule, in our words (the IDNA library's own text
    names code points and zero-based positions)."""
    for position, ch in enumerate(text, start=1):
        try:
            idna.uts46_remap(ch, std3_rules=True, transitional=False)
        except idna.IDNAError:
            return (
                f"may hold only letters, digits, hyphens and dots: {_character(ch)} "
                f"at character {position} is not allowed"
            )
    return "holds a character a domain name cannot have"


def _idna_rule(error: Exception) -> str:
    """The international-name rule a label breaks, in our words."""
    if isinstance(error, idna.IDNABidiError):
        return "mixes right-to-left and left-to-right letters, which a domain label cannot"
    if isinstance(error, idna.InvalidCodepointContext):
        return "has a joiner or a similar invisible character where it is not allowed"
    found = re.search(r"U\+([0-9A-F]{4,6})", str(error))
    if found:
        return f"holds {_character(chr(int(found.group(1), 16)))}, which it cannot"
    return "is not a valid international label"


def display_domain_name(stored: str) -> str:
    """The Unicode form of a stored name, for the screen; the stored form if undecodable."""
    try:
        return idna.decode(stored)
    except (idna.IDNAError, UnicodeError):
        return stored


def search_form(text: str) -> str:
    """A filter typed in Unicode ("bücher") as it appears in stored names ("xn--bcher-kva")."""
    if text.isascii():
        return text
    parts: list[str] = []
    for label in text.split("."):
        try:
            parts.append(idna.alabel(label.lower()).decode("ascii") if label else label)
        except (idna.IDNAError, UnicodeError):
            return text
    return ".".join(parts)
