"""The headless domain check (`kootui worker` runs it): a vanished record is noticed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest

from kootui.core.context import Context
from kootui.core.domains import (
    create_domain,
    get_domain,
    run_domain_checks,
    verify_domain,
    zone_snippet,
)
from kootui.core.store import DomainStatus
from tests.support.dns_server import LoopbackDnsServer

DOMAIN = "news.example"


@pytest.fixture
def dns_server() -> Iterator[LoopbackDnsServer]:
    with LoopbackDnsServer() as server:
        server.set("_spf.sender.example", "TXT", "v=spf1 ip4:203.0.113.0/24 -all")
        yield server


def test_the_loop_notices_a_required_record_that_disappeared_and_logs_it(
    context: Context, dns_server: LoopbackDnsServer, caplog: pytest.LogCaptureFixture
) -> None:
    context.settings = context.settings.with_values(
        dns__nameservers="127.0.0.1",
        dns__port=dns_server.port,
        dns__timeout=2.0,
        sending__spf_include="_spf.sender.example",
    )
    domain = create_domain(context, DOMAIN)
    dns_server.load_bind(zone_snippet(context, domain.id), origin=DOMAIN)
    assert verify_domain(context, domain.id).status == DomainStatus.PASSED
    dns_server.remove(f"kootui1._domainkey.{DOMAIN}")
    context.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    caplog.set_level(logging.INFO, logger="kootui.domains")

    async def two_rounds() -> None:
        stop = asyncio.Event()
        loop = asyncio.create_task(run_domain_checks(context, stop, interval=0.05))
        for _ in range(200):
            await asyncio.sleep(0.05)
            if "domain status changed" in caplog.text:
                break
        stop.set()
        await loop

    asyncio.run(two_rounds())
    assert get_domain(context, domain.id).status == DomainStatus.FAILED
    assert f"{DOMAIN}: Verification passed → Verification failed — DKIM: no TXT record" in (
        caplog.text
    )
