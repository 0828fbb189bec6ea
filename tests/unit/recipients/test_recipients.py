"""Address rules: strict syntax, IDN to punycode, duplicates, the 10-address limit."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError

from kootui.core.errors import LimitReached, ValidationError
from kootui.core.recipients import TypedRecipients
from kootui.core.recipients.addresses import (
    MAX_MANUAL_RECIPIENTS,
    ManualRecipients,
    RecipientValidator,
    _validate_strictly,
    normalise_address,
)

TRICKY = [
    "ann@example.com",
    "Ann.Lee+tag@Example.COM",
    "john@bücher.de",
    "JOHN@BÜCHER.DE",
    "postmaster@example.com",
    "PostMaster@example.com",
    "a" * 64 + "@example.com",
    "a" * 65 + "@example.com",
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "x@" + ".".join(["a" * 60] * 4) + ".com",
    "a..b@example.com",
    ".a@example.com",
    "a.@example.com",
    "a@example",
    "a@localhost",
    "a@x.test",
    "a@x.invalid",
    "a@-x.com",
    "a@x-.com",
    "a@x..com",
    "a@[192.0.2.1]",
    '"a b"@example.com',
    "Ann <ann@example.com>",
    "jöhn@example.com",
    "a@b@example.com",
    "a b@example.com",
    "@example.com",
    "ann@",
    "ann",
    "user{i}@example.com",
    "o'brien@example.ie",
    "a/b=c@example.com",
    "ann@例え.jp",
    "ann@xn--r8jz45g.jp",
    "ann@exa_mple.com",
    # trailing and doubled dots, labels at and past 63 characters, a domain past 253
    "ann@example.com.",
    "ann@.example.com",
    "ann.@example.com.",
    "a@" + "b" * 63 + ".example.com",
    "a@" + ".".join(["c" * 63] * 4) + ".com",
    "a@" + ".".join(["c" * 49] * 5) + ".com",
    "a" * 64 + "@" + ".".join(["d" * 60] * 3) + ".com",
    # hyphens at the ends of labels, an all-numeric top-level domain, a one-letter one
    "ann@-example.com",
    "ann@example-.com",
    "ann@ex--ample.com",
    "ann@sub.-example.com",
    "ann@example.123",
    "ann@example.c",
    "ann@123.example.com",
    # IP literals, quoted local parts, display names, comments
    "ann@[IPv6:2001:db8::1]",
    "ann@[300.1.1.1]",
    "ann@192.0.2.1",
    '"ann"@example.com',
    '"a\\"b"@example.com',
    "ann(comment)@example.com",
    "Ann Lee <ann@example.com>",
    # IDN and unicode: NFC and NFD, confusables, fullwidth @, zero-width, punycode
    "ann@bu\u0308cher.de",
    "ann@xn--bcher-kva.de",
    "ann@xn--bcher-kva.de.",
    "ann@xn--zz.com",
    "\u0430nn@example.com",
    "ann@\u0435xample.com",
    "ann\uff20example.com",
    "ann@example.com\u200b",
    "ann@exam\u00adple.com",
    "ann@ＥＸＡＭＰＬＥ.com",
    # every special character a dot-atom allows, and some it does not
    "!#$%&'*+-/=?^_`{|}~@example.com",
    "ann;lee@example.com",
    "ann,lee@example.com",
    "ann\\lee@example.com",
    "ann@exa mple.com",
    " ann@example.com ",
    "ann@example.com\n",
    "ann\t@example.com",
    "ABUSE@example.com",
    "Postmaster@EXAMPLE.COM",
]


@pytest.mark.parametrize("text", TRICKY)
def test_fast_path_agrees_with_email_validator(text):
    """The cached-domain path accepts and refuses exactly what email-validator does."""
    try:
        # Surrounding whitespace is trimmed before either path judges the address.
        expected = (_validate_strictly(text.strip()), None)
    except EmailNotValidError:
        expected = None
    validator = RecipientValidator()
    for _ in range(2):  # second round runs with the domain verdict cached
        address, reason = validator.check(text)
        if expected is None:
            assert address is None and reason
        else:
            assert address == expected[0]


def test_idn_domain_becomes_punycode():
    assert normalise_address("Ann@Bücher.de") == "Ann@xn--bcher-kva.de"


def test_refusal_names_the_field_and_reason():
    with pytest.raises(ValidationError) as caught:
        normalise_address("ann@@example.com")
    assert caught.value.field == "recipients"
    assert "ann@@example.com" in caught.value.message


def test_empty_and_over_long_text_are_refused_with_reasons():
    validator = RecipientValidator()
    assert validator.check("   ") == (None, "the address is empty")
    address, reason = validator.check("a" * 400 + "@example.com")
    assert address is None and "longer than 320" in (reason or "")


def test_manual_recipients_keep_valid_refuse_bad_and_drop_duplicates():
    recipients = ManualRecipients.from_texts(
        ["ann@example.com", "not an address", "ANN@EXAMPLE.COM", "bob@bücher.de"]
    )
    assert recipients.addresses == ["ann@example.com", "bob@xn--bcher-kva.de"]
    assert [item.text for item in recipients.refused] == ["not an address"]
    assert recipients.refused[0].reason
    assert recipients.duplicates == ["ANN@example.com"]
    assert TypedRecipients(recipients.addresses).row(1) == ("bob@xn--bcher-kva.de", {})
    with pytest.raises(ValidationError) as caught:
        recipients.require_valid()
    assert "not an address" in caught.value.message


def test_at_most_ten_manual_recipients():
    recipients = ManualRecipients.from_texts(
        [f"user{i}@example.com" for i in range(MAX_MANUAL_RECIPIENTS)]
    )
    with pytest.raises(LimitReached) as caught:
        recipients.add("eleven@example.com")
    assert caught.value.field == "recipients"
    assert len(recipients.addresses) == MAX_MANUAL_RECIPIENTS


def test_no_recipients_is_an_error():
    with pytest.raises(ValidationError, match="at least one"):
        ManualRecipients().require_valid()
