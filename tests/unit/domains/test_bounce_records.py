"""The bounce host's records: expected values from the settings, and revision 0009 giving
existing domains rows that show them as records still to publish."""

from __future__ import annotations

from sqlmodel import select

from kootui.core.context import Context
from kootui.core.dns import RecordPurpose, expected_records
from kootui.core.domains import create_domain, domain_records
from kootui.core.store import DnsRecord, RecordStatus, downgrade, upgrade


def test_the_bounce_host_gets_an_mx_to_mx_host_and_the_domains_spf(context: Context) -> None:
    settings = context.settings.with_values(
        sending__mx_host="mx.sender.example",
        sending__spf_include=("_spf.sender.example",),
        sending__bounce_label="Returns",
    )
    records = {r.purpose: r for r in expected_records(settings, "mail.example.com", [])}
    bounce_mx, bounce_spf = records[RecordPurpose.BOUNCE_MX], records[RecordPurpose.BOUNCE_SPF]
    assert (bounce_mx.rtype, bounce_mx.name, bounce_mx.value) == (
        "MX",
        "returns.mail.example.com",
        "10 mx.sender.example",
    )
    assert (bounce_spf.rtype, bounce_spf.name) == ("TXT", "returns.mail.example.com")
    assert bounce_spf.value == records[RecordPurpose.SPF].value
    assert not bounce_mx.required and not bounce_spf.required
    empty = {r.purpose: r for r in expected_records(context.settings, "mail.example.com", [])}
    assert empty[RecordPurpose.BOUNCE_MX].missing_setting == "set sending.mx_host in config.toml"


def test_revision_0009_gives_existing_domains_pending_bounce_records(context: Context) -> None:
    settings = context.settings.with_values(
        sending__mx_host="mx.sender.example", sending__spf_include=("_spf.sender.example",)
    )
    configured = Context(store=context.store, settings=settings, clock=context.clock)
    domain = create_domain(configured, "mail.example.com")
    downgrade(context.store, "0006")  # the domain as an older kootui left it
    with context.store.session() as session:
        before = session.exec(select(DnsRecord.purpose)).all()
    assert "bounce_mx" not in before and "mx" in before
    upgrade(context.store)
    with context.store.session() as session:
        stored = session.exec(select(DnsRecord).where(DnsRecord.domain_id == domain.id)).all()
        rows = {row.purpose: row for row in stored}
    assert rows["bounce_mx"].name == "bounce.mail.example.com"
    assert (rows["bounce_mx"].rtype, rows["bounce_spf"].rtype) == ("MX", "TXT")
    assert "revision 0009" in rows["bounce_spf"].detail
    shown = {r.purpose: r for r in domain_records(configured, domain.id)}
    for purpose in ("bounce_mx", "bounce_spf"):
        assert shown[purpose].status == RecordStatus.PENDING
        assert shown[purpose].detail == "changed since the last check; verify again"
    assert shown["bounce_mx"].expected == "10 mx.sender.example"
