"""Fixtures the console's Pilot and snapshot tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import textual._wait

from kootui.core.clock import FixedClock
from kootui.core.config import Settings
from kootui.core.context import Context
from tests.support.prepared_stores import PreparedStores

# The default loop (the README's `pytest -n auto`, under 4 minutes on 2 cores) keeps the
# console's shell, start-up, keys, quitting, the recipient import, the report page, what
# outside text may show, and one snapshot per theme; these page suites (Pilot walks and
# snapshots, about 2 s of CPU a test) run in CI's slow pass after it (`pytest -m slow`).
PAGE_SUITES = frozenset(
    {
        "test_access_manage",
        "test_access_page",
        "test_addresses_page",
        "test_api_keys_dialog",
        "test_bulk_deletes",
        "test_destinations_page",
        "test_details_page",
        "test_details_page_demo",
        "test_details_page_export",
        "test_details_page_message",
        "test_domains_page",
        "test_domains_page_demo",
        "test_domains_page_details",
        "test_domain_warmup",
        "test_fit_80x24",
        "test_list_pattern_dialogs",
        "test_list_pattern_loading",
        "test_packages_page",
        "test_rights",
        "test_smtp_logins_dialog",
        "test_snapshots_80x24",
        "test_snapshots_addresses",
        "test_snapshots_destinations",
        "test_snapshots_details",
        "test_snapshots_domains",
        "test_snapshots_list_pattern",
        "test_snapshots_tasks",
        "test_snapshots_templates",
        "test_stale_errors",
        "test_task_create",
        "test_task_create_file_picker",
        "test_task_create_upload",
        "test_tasks_page",
        "test_tasks_page_flow",
        "test_template_editor",
        "test_templates_page",
        "test_templates_page_flow",
        "test_themes",
        "test_webhooks_page",
        "test_snapshots_webhooks",
        "test_wording",
        "test_workspace_form",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in PAGE_SUITES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _quick_idle_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits after every key until the process looks idle, sampling CPU time every
    1/50 s; a test's own threads (a DNS server, store workers) keep that clock moving, so a
    key can cost a second. Sampling every 1/250 s keeps the check and drops the waiting."""
    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 1 / 250)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 1 / 250 / 20)


@pytest.fixture
def demo(
    settings: Settings, clock: FixedClock, prepared_stores: PreparedStores
) -> Iterator[Context]:
    """The demo workspace as `kootui demo` seeds it, at the fixed clock (a copy of the one
    this test process seeded)."""
    ctx = prepared_stores.open(settings.for_demo(), clock, demo=True)
    yield ctx
    ctx.close()
