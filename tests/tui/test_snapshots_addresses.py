"""Snapshots of the Sender Addresses page in the dark theme, at 120x40, from the demo data.

Regenerate after a deliberate change with ``pytest tests/tui/test_snapshots_addresses.py
--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from tests.support.tui_shell import SIZE, build_app, settle


async def open_addresses(pilot) -> None:
    await settle(pilot)
    await pilot.press("g", "a")
    await settle(pilot)


def test_addresses_page(snap_compare, demo):
    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=open_addresses)


def test_new_address_with_an_error_beside_the_prefix(snap_compare, demo):
    async def type_a_bad_prefix(pilot):
        await open_addresses(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter", "down", "enter")  # the second verified domain
        await pilot.press("tab", *"sales team", "tab", *"Northwind Sales", "enter")
        await settle(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=type_a_bad_prefix)
