"""The demo workspace's sender domains: made like a user's (DKIM key, records), one in
each state, and shown that way on the page."""

from __future__ import annotations

from kootui.core.context import Context
from kootui.core.domains import domain_records, find_domain, load_signing_key
from kootui.core.store import DomainStatus, RecordStatus
from tests.support.tui_domains import build_app, open_domains, shown_rows


def test_each_demo_domain_has_a_key_and_records_as_a_check_left_them(demo: Context):
    statuses = {}
    for name in ("mail.northwind-shop.com", "billing.contoso-bank.cn", "alerts.fabrikam.io"):
        domain = find_domain(demo, name)
        statuses[name] = domain.status
        assert load_signing_key(demo, domain.id).selector == "kootui1"
        records = {record.label: record for record in domain_records(demo, domain.id)}
        assert records["DKIM"].expected.startswith("v=DKIM1; k=rsa; p=MII")
        # Stored results match today's expected values: nothing says "verify again".
        assert all(record.checked_at is not None for record in records.values())
        assert not any(record.missing_setting for record in records.values())
        if domain.status == DomainStatus.PASSED:
            assert records["DKIM"].found == (records["DKIM"].expected,)
        if domain.status == DomainStatus.FAILED:
            assert records["DKIM"].status == RecordStatus.NOT_FOUND
            assert records["SPF"].status == RecordStatus.PASSED
        if domain.status == DomainStatus.VERIFYING:
            assert records["SPF"].status == RecordStatus.UNKNOWN
    assert statuses == {
        "mail.northwind-shop.com": DomainStatus.PASSED,
        "billing.contoso-bank.cn": DomainStatus.VERIFYING,
        "alerts.fabrikam.io": DomainStatus.FAILED,
    }


async def test_the_page_shows_the_demo_domains_in_each_state(demo: Context):
    app = build_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_domains(app, pilot)
        assert [row[:3] for row in shown_rows(app)] == [
            ["mail.northwind-shop.com", "● Passed", "2/2"],
            ["news.northwind-shop.com", "● Passed", "2/2"],
            ["billing.contoso-bank.cn", "● Verifying", "?/2"],  # DNS not reached yet
            ["alerts.fabrikam.io", "● Failed", "1/2"],
        ]
