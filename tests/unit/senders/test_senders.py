"""Sender addresses: every rule of the form, the list, deletion refusals, From headers."""

from __future__ import annotations

import email
from email.header import decode_header, make_header
from email.policy import default

import pytest

from kootui.core.errors import Conflict, InvalidState, NotFound, ValidationError
from kootui.core.senders import (
    create_address,
    delete_address,
    format_from,
    get_address,
    list_addresses,
    preview_address,
    require_usable_address,
    usable_addresses,
)
from kootui.core.store import DomainStatus, PageRequest, SenderDomain, Task, TaskStatus, Template


def add_domain(context, name: str, status: str = DomainStatus.PASSED) -> int:
    now = context.clock.now()
    with context.store.session() as session:
        domain = SenderDomain(name=name, status=status, created_at=now, updated_at=now)
        session.add(domain)
        session.flush()
        return domain.id


def set_domain_status(context, domain_id: int, status: str) -> None:
    with context.store.session() as session:
        domain = session.get(SenderDomain, domain_id)
        domain.status = status
        session.add(domain)


def add_task(context, address_id: int, status: str, name: str = "May newsletter") -> int:
    now = context.clock.now()
    with context.store.session() as session:
        template = Template(title="t", body="b", created_at=now, updated_at=now)
        session.add(template)
        session.flush()
        task = Task(
            name=name,
            subject="s",
            template_id=template.id,
            address_id=address_id,
            status=status,
            scheduled_at=now,
            created_at=now,
        )
        session.add(task)
        session.flush()
        return task.id


@pytest.fixture
def domain_id(context) -> int:
    return add_domain(context, "mail.example.com")


def test_create_on_a_verified_domain_with_the_seeds_example(context, domain_id):
    address = create_address(context, domain_id=domain_id, prefix="123", alias="456")
    assert address.address == "123@mail.example.com"
    assert address.preview == "456 <123@mail.example.com>"
    assert address.usable
    assert get_address(context, address.id) == address


def test_the_preview_without_an_alias_is_the_bare_address():
    assert preview_address("noreply", "example.com") == "noreply@example.com"
    assert preview_address("noreply", "example.com", "Shop") == "Shop <noreply@example.com>"


@pytest.mark.parametrize("status", [DomainStatus.VERIFYING, DomainStatus.FAILED])
def test_an_unverified_domain_is_refused(context, status):
    pending = add_domain(context, "pending.example.com", status)
    with pytest.raises(ValidationError) as caught:
        create_address(context, domain_id=pending, prefix="hello")
    assert caught.value.field == "domain_id"
    assert "not verified" in caught.value.message


def test_an_unknown_domain_is_refused(context):
    with pytest.raises(ValidationError) as caught:
        create_address(context, domain_id=999, prefix="hello")
    assert caught.value.field == "domain_id"


@pytest.mark.parametrize(
    ("prefix", "fragment"),
    [
        ("", "required"),
        ("   ", "required"),
        ("a" * 65, "at most 64"),
        ("a..b", "two periods"),
        (".a", "start with a period"),
        ("a.", "period immediately before the @"),
        ("a b", "invalid characters"),
        ("a@b", "part before the @"),
        ('"quoted"', "Quoting"),
        ("müller", "Internationalized"),
        ("a\nb", "invalid characters"),
    ],
)
def test_bad_prefixes_are_refused_naming_the_rule(context, domain_id, prefix, fragment):
    with pytest.raises(ValidationError) as caught:
        create_address(context, domain_id=domain_id, prefix=prefix)
    assert caught.value.field == "prefix"
    assert fragment in caught.value.message


@pytest.mark.parametrize("prefix", ["a", "a" * 64, "first.last", "o'brien", "x+tag", "a_b-c"])
def test_dot_atom_prefixes_are_accepted(context, domain_id, prefix):
    assert create_address(context, domain_id=domain_id, prefix=prefix).local_part == prefix


@pytest.mark.parametrize(
    ("alias", "fragment"),
    [
        ("x" * 65, "at most 64"),
        ("Shop\r\nBcc: a@b.c", "U+000D"),
        ("Shop\nX", "U+000A"),
        ("Shop\x00", "U+0000"),
        ("Shop\x1b[31m", "U+001B"),
        ("Shop\u2028X", "U+2028"),
        ("Pay\u202elaP", "U+202E"),  # shown reversed: "PayPal"
        ("Shop\u2066X\u2069", "U+2066"),
        ("Sh\u200bop", "U+200B"),
    ],
)
def test_bad_aliases_are_refused(context, domain_id, alias, fragment):
    with pytest.raises(ValidationError) as caught:
        create_address(context, domain_id=domain_id, prefix="shop", alias=alias)
    assert caught.value.field == "alias"
    assert fragment in caught.value.message


def test_a_duplicate_is_refused_whatever_the_case(context, domain_id):
    create_address(context, domain_id=domain_id, prefix="Orders")
    with pytest.raises(Conflict) as caught:
        create_address(context, domain_id=domain_id, prefix="orders")
    assert caught.value.code == "address.duplicate"
    assert caught.value.field == "prefix"
    other = add_domain(context, "other.example.com")
    assert create_address(context, domain_id=other, prefix="orders").domain_id == other


@pytest.mark.parametrize(
    ("alias", "expected_name"),
    [("", ""), ("Northwind Shop", "Northwind Shop"), ("A, B", "A, B"), ("诺思商店", "诺思商店")],
)
def test_format_from_parses_back_to_the_alias_and_address(context, domain_id, alias, expected_name):
    address = create_address(context, domain_id=domain_id, prefix="noreply", alias=alias)
    value = format_from(address)
    assert value.isascii()
    parsed = email.message_from_string(f"From: {value}\n\nx", policy=default)["From"]
    assert parsed.addresses[0].addr_spec == "noreply@mail.example.com"
    assert parsed.addresses[0].display_name == expected_name


def test_format_from_encodes_unicode_per_rfc_2047(context, domain_id):
    address = create_address(context, domain_id=domain_id, prefix="noreply", alias="诺思商店")
    value = format_from(address)
    assert value.startswith("=?utf-8?")
    assert str(make_header(decode_header(value))).startswith("诺思商店")


def test_an_idn_domain_is_shown_in_unicode_and_sent_in_ascii(context):
    idn = add_domain(context, "xn--bcher-kva.example")
    address = create_address(context, domain_id=idn, prefix="info", alias="Bücher")
    assert address.address == "info@xn--bcher-kva.example"
    assert address.display_address == "info@bücher.example"
    assert format_from(address).endswith("<info@xn--bcher-kva.example>")


def test_an_address_whose_domain_lost_verification_is_flagged_and_not_usable(context, domain_id):
    address = create_address(context, domain_id=domain_id, prefix="hello")
    assert require_usable_address(context, address.id).id == address.id
    set_domain_status(context, domain_id, DomainStatus.FAILED)
    row = list_addresses(context).rows[0]
    assert row["usable"] is False and row["domain_status"] == "failed"
    with pytest.raises(InvalidState) as caught:
        require_usable_address(context, address.id)
    assert caught.value.field == "address_id"
    assert "hello@mail.example.com" in caught.value.message
    assert usable_addresses(context) == []


def test_list_searches_by_address_substring_and_pages(any_context):
    domain = add_domain(any_context, "shop.example.com")
    other = add_domain(any_context, "news.example.org")
    for prefix in ("orders", "noreply", "billing", "100%_off"):
        create_address(any_context, domain_id=domain, prefix=prefix)
    create_address(any_context, domain_id=other, prefix="hello", alias="Hello News")

    def found(text: str) -> list[str]:
        page = list_addresses(any_context, PageRequest(text_filter=text, sort_key="address"))
        return [row["address"] for row in page.rows]

    assert found("ORDERS@shop") == ["orders@shop.example.com"]
    assert found("example.org") == ["hello@news.example.org"]
    assert found("%_") == ["100%_off@shop.example.com"]  # wildcards match themselves
    assert found("ly@") == ["noreply@shop.example.com"]
    assert found("ing@shop.EXAMPLE") == ["billing@shop.example.com"]
    assert len(found("@shop.")) == 4
    page = list_addresses(any_context, PageRequest(limit=2, sort_key="address"))
    assert page.total == 5 and len(page.rows) == 2 and page.has_next
    assert page.rows[0]["preview"] == "100%_off@shop.example.com"
    by_domain = list_addresses(any_context, PageRequest(advanced={"domain_id": str(other)}))
    assert [row["preview"] for row in by_domain.rows] == ["Hello News <hello@news.example.org>"]
    with pytest.raises(ValidationError):
        list_addresses(any_context, PageRequest(sort_key="local_part; drop table x"))


@pytest.mark.parametrize("status", [TaskStatus.SCHEDULED, TaskStatus.SENDING, TaskStatus.PAUSED])
def test_delete_is_refused_while_a_pending_task_uses_it_naming_the_task(context, domain_id, status):
    address = create_address(context, domain_id=domain_id, prefix="hello")
    task_id = add_task(context, address.id, status)
    with pytest.raises(Conflict) as caught:
        delete_address(context, address.id)
    assert caught.value.code == "address.in_use"
    assert '"May newsletter"' in caught.value.message and f"#{task_id}" in caught.value.message
    assert get_address(context, address.id)


def test_delete_of_an_address_with_finished_tasks_names_the_task(context, domain_id):
    address = create_address(context, domain_id=domain_id, prefix="hello")
    add_task(context, address.id, TaskStatus.COMPLETED, name="April newsletter")
    with pytest.raises(Conflict) as caught:
        delete_address(context, address.id)
    assert caught.value.code == "address.has_history"
    assert '"April newsletter"' in caught.value.message


def test_delete_of_an_unused_address(context, domain_id):
    address = create_address(context, domain_id=domain_id, prefix="hello")
    delete_address(context, address.id)
    with pytest.raises(NotFound):
        get_address(context, address.id)
    assert create_address(context, domain_id=domain_id, prefix="hello").local_part == "hello"
