"""Fixtures of the integration tests that talk HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.http_server import SwappableApp, serving


@pytest.fixture(scope="module")
def http_server() -> Iterator[tuple[SwappableApp, httpx.Client]]:
    """One uvicorn per test module on loopback, and an httpx client for it; each test
    mounts its own routes (``SwappableApp.mount``)."""
    swappable = SwappableApp()
    with serving(swappable.app) as base_url, httpx.Client(base_url=base_url) as http:
        yield swappable, http
