"""Which rule a recipient falls under: case, trailing dots, IDN forms and subdomains."""

from __future__ import annotations

import pytest

from kootui.core.shaping import Rule, RuleBook, recipient_domain, rule_domain

BOOK = RuleBook(
    [
        Rule(1, "default", True, 5.0, 2, ()),
        Rule(2, "Google", False, 10.0, 4, ("gmail.com", "googlemail.com")),
        Rule(3, "Bücher", False, 1.0, 0, (rule_domain("Bücher.DE"),)),
        Rule(4, "Example", False, 2.0, 0, ("example.com",)),
        Rule(5, "Example EU", False, 3.0, 1, ("eu.example.com",)),
    ]
)


@pytest.mark.parametrize(
    ("recipient", "key", "label"),
    [
        ("a@gmail.com", "rule:2", "Google"),
        ("A@GMAIL.COM", "rule:2", "Google"),
        ("a@googlemail.com.", "rule:2", "Google"),  # a fully qualified name
        ("a@mx.Gmail.com", "rule:2", "Google"),  # a subdomain follows its parent's rule
        ("a@notgmail.com", "domain:notgmail.com", "notgmail.com"),  # a label, not a suffix
        ("a@gmail.com.evil.net", "domain:gmail.com.evil.net", "gmail.com.evil.net"),
        ("a@xn--bcher-kva.de", "rule:3", "Bücher"),  # A-label against a rule typed in U
        ("a@BÜCHER.de", "rule:3", "Bücher"),  # U-label, upper case
        ("a@shop.bücher.de", "rule:3", "Bücher"),
        ("a@example.com", "rule:4", "Example"),
        ("a@eu.example.com", "rule:5", "Example EU"),  # the longest domain wins
        ("a@a.b.EU.example.com", "rule:5", "Example EU"),
        ("a@us.example.com", "rule:4", "Example"),
        ("a@xn--mller-kva.example", "domain:xn--mller-kva.example", "müller.example"),
    ],
)
def test_a_recipient_meets_its_rule(recipient: str, key: str, label: str) -> None:
    destination = BOOK.destination_of(recipient)
    assert (destination.key, destination.label) == (key, label)


def test_the_default_rule_limits_each_other_domain_on_its_own() -> None:
    one, two = BOOK.destination_of("a@one.org"), BOOK.destination_of("b@two.org")
    assert one.key != two.key
    assert (one.rate, one.max_connections, one.rule) == (5.0, 2, "default")
    assert BOOK.destination_of("c@ONE.org.") == one


def test_without_rules_nothing_is_limited() -> None:
    destination = RuleBook().destination_of("a@gmail.com")
    assert not destination.limited and destination.key == "domain:gmail.com"


@pytest.mark.parametrize(
    ("address", "domain"),
    [
        ("Zoë@Bücher.DE.", "xn--bcher-kva.de"),
        ("a@EXAMPLE.com", "example.com"),
        ("no-at-sign", "no-at-sign"),
        ("a@exa mple\u0000.com", "exa mple\u0000.com"),  # undecodable: kept, never raised
    ],
)
def test_recipient_domains_take_the_dns_form(address: str, domain: str) -> None:
    assert recipient_domain(address) == domain
