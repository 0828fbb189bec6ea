"""Snapshots of the Sender Domains page and a domain's details (dark and light), at 120x40.

Deterministic by construction: the demo rows (list page) and the details domain are
made with the fixed clock; the details domain's DKIM key is pinned to a known public
key, and its DNS is a loopback server on a fixed port (the port is part of what the
doctor shows). Regenerate after a deliberate change with ``pytest
tests/tui/test_snapshots_domains.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from kootui.core.context import Context
from kootui.core.dns import RecordPurpose, dkim_value
from kootui.core.domains import create_domain, zone_snippet
from kootui.core.store import DkimKey, DnsRecord
from tests.support.dns_server import LoopbackDnsServer
from tests.support.tui_domains import settle_details, use_dns
from tests.support.tui_shell import SIZE, build_app, settle

THEMES = ["kootui-dark", "kootui-light"]
SNAPSHOT_DNS_PORT = 35353
# A public key only (its private half was thrown away): the snippet and doctor show it.
PINNED_KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp3Adq+nialJ7urEBy5mRfwPUbX+sxdSufWz+Q2ZhUS0UeC"
    "2fbTuYJ5j+yIdT2HGbogyoqHvMoUaO3fkCgnVcY5+zB8yf58IBOVTRy7drHPCzVsHViVR+NYZa9MKWI5Us5pvDv++L"
    "hnGQhtfgNHuR5tXLiyMhKVXvO/OdmSOOabxuuVX3qFFgfGVjrIx0IMasTAVRXOUnzkpT01JIGfboto4oqBaxS+Q4Ho"
    "NdUL4FCC8I45Gkn517iEgjRp1BypaVp4WhkCqLClTMBR5K7bR75UaEGILRVR1nwbxMAt6jSAOs5f6gSPcIzp5Ti42el"
    "FervCcA6/5W5uceH9h2qPyF6QIDAQAB"
)


@pytest.fixture
def fixed_port_dns() -> Iterator[LoopbackDnsServer]:
    server = LoopbackDnsServer(port=SNAPSHOT_DNS_PORT)
    try:
        server.start()
    except OSError:
        pytest.skip(f"port {SNAPSHOT_DNS_PORT} is taken; the doctor's snapshot names the port")
    server.set("_spf.sender.example", "TXT", "v=spf1 ip4:203.0.113.0/24 -all")
    yield server
    server.stop()


def pin_dkim_key(context: Context, domain_id: int) -> None:
    with context.store.session() as session:
        key = session.exec(select(DkimKey).where(DkimKey.domain_id == domain_id)).one()
        key.public_key_b64 = PINNED_KEY
        session.add(key)
        record = session.exec(
            select(DnsRecord).where(
                DnsRecord.domain_id == domain_id, DnsRecord.purpose == RecordPurpose.DKIM
            )
        ).one()
        record.expected = dkim_value(PINNED_KEY)
        session.add(record)


@pytest.fixture
def half_published(context: Context, fixed_port_dns: LoopbackDnsServer) -> Context:
    """mail.example.com: DKIM, SPF and tracking published; DMARC missing; MX elsewhere."""
    use_dns(context, fixed_port_dns)
    domain_id = create_domain(context, "mail.example.com").id
    pin_dkim_key(context, domain_id)
    fixed_port_dns.load_bind(zone_snippet(context, domain_id), origin="mail.example.com")
    fixed_port_dns.remove("_dmarc.mail.example.com")
    fixed_port_dns.set("mail.example.com", "MX", "10 mx.elsewhere.example.")
    return context


async def open_domains(pilot) -> None:
    await settle(pilot)
    await pilot.press("g", "d")
    await settle(pilot)


@pytest.mark.parametrize("theme", THEMES)
def test_domains_page(snap_compare, demo, theme):
    assert snap_compare(build_app(demo, theme=theme), terminal_size=SIZE, run_before=open_domains)


@pytest.mark.parametrize("theme", THEMES)
def test_domain_details(snap_compare, half_published, theme):
    async def open_details(pilot):
        await open_domains(pilot)
        await pilot.press("enter")
        await settle_details(pilot)

    app = build_app(half_published, theme=theme)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_details)


def test_deleting_a_domain_in_use(snap_compare, demo):
    async def ask_to_delete(pilot):
        await open_domains(pilot)
        await pilot.press("d")
        await settle(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=ask_to_delete)


def test_new_domain_with_an_error_beside_the_field(snap_compare, demo):
    async def type_a_bad_name(pilot):
        await open_domains(pilot)
        await pilot.press("n", *"shop..example", "enter")
        await settle(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=type_a_bad_name)


def test_domain_doctor_scrolled_into_view(snap_compare, half_published):
    async def scroll_to_the_doctor(pilot):
        await open_domains(pilot)
        await pilot.press("enter")
        await settle_details(pilot)
        # The details scroll as one page ("end" animates; a snapshot wants the last frame).
        pilot.app.screen.query_one("#details-scroll").scroll_end(animate=False)
        await settle(pilot)

    app = build_app(half_published, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=scroll_to_the_doctor)
