"""Snapshots of the Templates page, the editor with its preview and a public template's
preview in the dark theme, at 120x40, from the demo data (fixed clock).

Regenerate after a deliberate change with ``pytest tests/tui/test_snapshots_templates.py
--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from textual.widgets import TextArea

from kootui.tui.widgets.param_samples import ParamSamples
from tests.support.tui_shell import SIZE, build_app, settle
from tests.support.tui_templates import wait_for_preview


async def open_templates(pilot) -> None:
    await settle(pilot)
    await pilot.press("g", "t")
    await settle(pilot)


def test_template_list(snap_compare, demo):
    async def highlight_the_rejected_one(pilot):
        await open_templates(pilot)
        await pilot.press("down", "down", "down")
        await settle(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=highlight_the_rejected_one)


def test_template_editor_with_preview(snap_compare, demo):
    async def edit_with_samples(pilot):
        await open_templates(pilot)
        await pilot.press("e")
        await wait_for_preview(pilot)
        samples = pilot.app.screen.query_one(ParamSamples)
        samples.value_input("name").value = "Ana"
        samples.value_input("email").value = "ana@example.com"
        await wait_for_preview(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=edit_with_samples)


def test_template_editor_with_a_refused_construct(snap_compare, demo):
    async def type_a_filter(pilot):
        await open_templates(pilot)
        await pilot.press("e")
        await wait_for_preview(pilot)
        body = pilot.app.screen.query_one("#body", TextArea)
        body.focus()  # the editor opens on the title
        # One edit, as a paste makes it: typed key by key on a slow machine, the debounce
        # could fire after "<" alone, and the preview kept from then would differ.
        body.insert("<p>{{ name|upper }}</p>\n", (0, 0))
        await wait_for_preview(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=type_a_filter)


def test_public_template_preview(snap_compare, demo):
    async def preview_a_public_one(pilot):
        await open_templates(pilot)
        await pilot.press("2", "slash", *"shipping", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=preview_a_public_one)
