"""Sender domain rules: names, IDN, duplicates, the quota, rename and delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from kootui.core.context import Context
from kootui.core.domains import (
    addresses_using,
    create_domain,
    delete_domain,
    display_domain_name,
    domain_records,
    get_domain,
    list_domains,
    normalize_domain_name,
    rename_domain,
    require_verified_domain,
)
from kootui.core.errors import Conflict, InvalidState, LimitReached, NotFound, ValidationError
from kootui.core.store import (
    DkimKey,
    DomainStatus,
    PageRequest,
    RecordStatus,
    SenderAddress,
    SenderDomain,
    Task,
    Template,
)
from kootui.core.workspace import update_workspace


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("example.com", "example.com"),
        ("  Mail.Example.COM  ", "mail.example.com"),
        ("example.com.", "example.com"),
        ("Bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("ＥＸＡＭＰＬＥ.com", "example.com"),  # full-width letters map under UTS #46
        ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
        ("a-b.c-d.example", "a-b.c-d.example"),
        ("x" * 63 + ".de", "x" * 63 + ".de"),
    ],
)
def test_valid_names_are_stored_as_lower_case_punycode(typed: str, stored: str) -> None:
    assert normalize_domain_name(typed) == stored


def test_display_form_is_unicode() -> None:
    assert display_domain_name("xn--bcher-kva.example") == "bücher.example"
    assert display_domain_name("example.com") == "example.com"
    assert display_domain_name("xn--99999999.example") == "xn--99999999.example"


@pytest.mark.parametrize(
    ("typed", "code", "words"),
    [
        ("", "domain.required", "enter"),
        ("   ", "domain.required", "enter"),
        ("localhost", "domain.invalid", "at least one dot"),
        ("a" * 60 + ".example", "domain.too_long", "66"),
        ("x" * 64 + ".d", "domain.label_too_long", "63"),
        ("日本語中文한국어" * 4 + ".example", "domain.label_too_long", "DNS form"),
        ("exa mple.com", "domain.invalid", "spaces"),
        ("-bad.example", "domain.invalid", "hyphen"),
        ("bad-.example", "domain.invalid", "hyphen"),
        ("under_score.example", "domain.invalid", "'_' (low line) at character 6"),
        ("ab\u05d0c.example", "domain.invalid", "right-to-left and left-to-right"),
        ("e\u0301\u200d.example", "domain.invalid", "joiner"),
        ("two..dots.example", "domain.invalid", "empty label"),
        (".leading.example", "domain.invalid", "empty label"),
        ("192.168.1.1", "domain.invalid", "IP address"),
        ("xn--99999999.example", "domain.invalid", "punycode"),
        ("mail@example.com", "domain.invalid", "'@' (commercial at) at character 5"),
    ],
)
def test_bad_names_are_refused_naming_the_rule(typed: str, code: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalize_domain_name(typed)
    assert caught.value.code == code
    assert caught.value.field == "name"
    assert words in caught.value.message
    assert "Codepoint" not in caught.value.message  # the IDNA library's text stays inside


def test_create_generates_key_records_and_starts_verifying(context: Context) -> None:
    domain = create_domain(context, "Bücher.example")
    assert domain.name == "xn--bcher-kva.example"
    assert domain.display_name == "bücher.example"
    assert domain.status == DomainStatus.VERIFYING
    assert domain.dkim_selector == "kootui1"
    assert domain.next_check_at == context.clock.now()
    records = domain_records(context, domain.id)
    assert [(r.label, r.rtype, r.required) for r in records] == [
        ("DKIM", "TXT", True),
        ("SPF", "TXT", True),
        ("DMARC", "TXT", False),
        ("Tracking", "CNAME", False),
        ("MX", "MX", False),
        ("Bounce MX", "MX", False),
        ("Bounce SPF", "TXT", False),
    ]
    assert [r.name for r in records[-2:]] == ["bounce.xn--bcher-kva.example"] * 2
    dkim = records[0]
    assert dkim.name == "kootui1._domainkey.xn--bcher-kva.example"
    assert dkim.expected.startswith("v=DKIM1; k=rsa; p=MII")
    assert all(r.status == RecordStatus.PENDING for r in records)


def test_empty_settings_say_which_setting_to_fill(context: Context) -> None:
    domain = create_domain(context, "example.com")
    by_label = {r.label: r for r in domain_records(context, domain.id)}
    assert by_label["SPF"].expected == ""
    assert "sending.spf_include or sending.spf_ip4" in by_label["SPF"].missing_setting
    assert "sending.dmarc_rua" in by_label["DMARC"].detail
    assert "sending.tracking_host" in by_label["Tracking"].detail
    assert "sending.mx_host" in by_label["MX"].detail


def test_settings_fill_the_expected_values(context: Context) -> None:
    context.settings = context.settings.with_values(
        sending__spf_include="_spf.sender.example",
        sending__spf_ip4="192.0.2.10,198.51.100.0/24",
        sending__spf_ip6="2001:db8::/32",
        sending__dmarc_rua="dmarc@reports.example",
        sending__tracking_host="track.sender.example",
        sending__tracking_label="links",
        sending__mx_host="mx.sender.example.",
    )
    domain = create_domain(context, "example.com")
    by_label = {r.label: r for r in domain_records(context, domain.id)}
    assert by_label["SPF"].expected == (
        "v=spf1 include:_spf.sender.example ip4:192.0.2.10 ip4:198.51.100.0/24 "
        "ip6:2001:db8::/32 ~all"
    )
    assert by_label["DMARC"].expected == "v=DMARC1; p=none; rua=mailto:dmarc@reports.example"
    assert (by_label["Tracking"].name, by_label["Tracking"].expected) == (
        "links.example.com",
        "track.sender.example",
    )
    assert by_label["MX"].expected == "10 mx.sender.example"


def test_duplicates_are_refused_whatever_the_case_or_form(any_context: Context) -> None:
    create_domain(any_context, "Bücher.example")
    for again in ("BÜCHER.example", "xn--bcher-kva.example", "bücher.example."):
        with pytest.raises(Conflict) as caught:
            create_domain(any_context, again)
        assert caught.value.code == "domain.duplicate"
        assert caught.value.field == "name"
        assert "bücher.example" in caught.value.message


def test_the_workspace_quota_of_ten_domains(any_context: Context) -> None:
    for number in range(10):
        create_domain(any_context, f"d{number}.example")
    with pytest.raises(LimitReached) as caught:
        create_domain(any_context, "eleven.example")
    assert caught.value.code == "domain.limit_reached"
    assert "10" in caught.value.message
    update_workspace(any_context, max_domains=11)
    create_domain(any_context, "eleven.example")
    assert list_domains(any_context).total == 11


def test_rename_resets_verification_and_regenerates_records(context: Context) -> None:
    domain = create_domain(context, "old.example")
    with context.store.session() as session:
        row = session.get(SenderDomain, domain.id)
        assert row is not None
        row.status = DomainStatus.PASSED
        row.verified_at = context.clock.now()
        session.add(row)
        old_public = session.exec(select(DkimKey.public_key_b64)).one()
    context.clock.advance(timedelta(hours=2))
    renamed = rename_domain(context, domain.id, "New.example")
    assert renamed.name == "new.example"
    assert renamed.status == DomainStatus.VERIFYING
    assert renamed.verified_at is None
    assert renamed.updated_at == context.clock.now()
    records = domain_records(context, domain.id)
    assert records[0].name == "kootui1._domainkey.new.example"
    assert old_public not in records[0].expected
    assert all(r.status == RecordStatus.PENDING for r in records)
    with pytest.raises(InvalidState):
        require_verified_domain(context, domain.id)


def test_rename_to_an_existing_name_is_a_duplicate(context: Context) -> None:
    first = create_domain(context, "one.example")
    create_domain(context, "two.example")
    with pytest.raises(Conflict) as caught:
        rename_domain(context, first.id, "TWO.example")
    assert caught.value.code == "domain.duplicate"
    assert get_domain(context, first.id).name == "one.example"


def _add_address(context: Context, domain_id: int, local_part: str) -> None:
    with context.store.session() as session:
        session.add(
            SenderAddress(
                domain_id=domain_id, local_part=local_part, created_at=context.clock.now()
            )
        )


def test_delete_in_use_is_refused_with_the_addresses_then_forced(any_context: Context) -> None:
    domain = create_domain(any_context, "Bücher.example")
    _add_address(any_context, domain.id, "news")
    _add_address(any_context, domain.id, "billing")
    with pytest.raises(Conflict) as caught:
        delete_domain(any_context, domain.id)
    assert caught.value.code == "domain.in_use"
    assert "billing@bücher.example" in caught.value.message
    assert "news@bücher.example" in caught.value.message
    assert addresses_using(any_context, domain.id) == [
        "billing@bücher.example",
        "news@bücher.example",
    ]
    removed = delete_domain(any_context, domain.id, force=True)
    assert removed == ["billing@bücher.example", "news@bücher.example"]
    with pytest.raises(NotFound):
        get_domain(any_context, domain.id)
    assert list_domains(any_context).total == 0


def test_delete_removes_the_key_files(context: Context) -> None:
    domain = create_domain(context, "gone.example")
    keys_dir = context.settings.paths.keys_dir
    assert len(list(keys_dir.glob("*.pem"))) == 1
    assert delete_domain(context, domain.id) == []
    assert list(keys_dir.glob("*.pem")) == []


def test_require_verified_domain(context: Context) -> None:
    domain = create_domain(context, "example.com")
    with pytest.raises(InvalidState) as caught:
        require_verified_domain(context, domain.id)
    assert caught.value.code == "domain.not_verified"
    with pytest.raises(NotFound):
        require_verified_domain(context, 999)


def test_list_filters_sorts_and_pages(any_context: Context) -> None:
    for name in ("alpha.example", "Bücher.example", "beta.example", "100-sale.example"):
        any_context.clock.advance(timedelta(minutes=1))
        create_domain(any_context, name)
    page = list_domains(any_context, PageRequest(sort_key="name", limit=2))
    assert page.total == 4
    assert [row["name"] for row in page.rows] == ["100-sale.example", "alpha.example"]
    unicode_filter = list_domains(any_context, PageRequest(text_filter="bücher"))
    assert [row["display_name"] for row in unicode_filter.rows] == ["bücher.example"]
    assert unicode_filter.rows[0]["required_total"] == 2
    assert unicode_filter.rows[0]["required_passing"] == 0
    # LIKE wildcards typed by the user match themselves only.
    assert list_domains(any_context, PageRequest(text_filter="%")).total == 0
    newest = list_domains(any_context, PageRequest(sort_key="created_at", descending=True))
    assert [row["name"] for row in newest.rows] == [
        "100-sale.example",
        "beta.example",
        "xn--bcher-kva.example",
        "alpha.example",
    ]
    assert list_domains(any_context, PageRequest(sort_key="required_passing")).total == 4
    by_status = list_domains(any_context, PageRequest(advanced={"status": "passed"}))
    assert by_status.total == 0
    with pytest.raises(ValidationError) as caught:
        list_domains(any_context, PageRequest(sort_key="name; drop table x"))
    assert caught.value.field == "sort"


@pytest.mark.parametrize(
    ("setting", "value", "label", "words"),
    [
        ("sending__spf_ip4", "192.0.2.300", "SPF", "sending.spf_ip4 holds '192.0.2.300'"),
        ("sending__spf_ip4", "2001:db8::1", "SPF", "not an IPv4 address"),
        ("sending__spf_ip6", "192.0.2.1", "SPF", "not an IPv6 address"),
        ("sending__spf_include", "spf include.example", "SPF", "not a host name"),
        ("sending__mx_host", "mx host", "MX", "sending.mx_host holds 'mx host'"),
        ("sending__tracking_label", "my links", "Tracking", "not one DNS label"),
        ("sending__dmarc_rua", "reports", "DMARC", "not an address"),
    ],
)
def test_bad_settings_are_named_instead_of_published(
    context: Context, setting: str, value: str, label: str, words: str
) -> None:
    good = {
        "sending__spf_include": "_spf.sender.example",
        "sending__tracking_host": "track.sender.example",
        "sending__dmarc_rua": "dmarc@reports.example",
    }
    context.settings = context.settings.with_values(**{**good, setting: value})
    domain = create_domain(context, "example.com")
    record = next(r for r in domain_records(context, domain.id) if r.label == label)
    assert record.expected == ""
    assert words in record.missing_setting
    assert "config.toml" in record.missing_setting


def test_force_delete_is_refused_while_tasks_use_the_addresses(any_context: Context) -> None:
    domain = create_domain(any_context, "busy.example")
    now = any_context.clock.now()
    with any_context.store.session() as session:
        address = SenderAddress(domain_id=domain.id, local_part="news", created_at=now)
        template = Template(title="Welcome", body="<p>Hi</p>", created_at=now, updated_at=now)
        session.add(address)
        session.add(template)
        session.flush()
        session.add(
            Task(
                name="November news",
                subject="News",
                template_id=template.id or 0,
                address_id=address.id or 0,
                scheduled_at=now,
                created_at=now,
            )
        )
    with pytest.raises(Conflict) as caught:
        delete_domain(any_context, domain.id, force=True)
    assert caught.value.code == "domain.addresses_have_tasks"
    # Nothing was removed: the refusal happened before any delete.
    assert addresses_using(any_context, domain.id) == ["news@busy.example"]
    assert get_domain(any_context, domain.id).name == "busy.example"
