"""The suppression list's core: add, find, remove, list and search with masked addresses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.errors import Conflict, NotFound, ValidationError
from kootui.core.store import PageRequest
from kootui.core.suppression import (
    add_suppression,
    count_suppressions,
    find_suppression,
    list_suppressions,
    remove_suppression,
    reveal_suppressed,
)


def test_an_address_is_checked_and_stored_in_lower_case_once(any_context: Context) -> None:
    view = add_suppression(any_context, " Ann@Example.COM ", note="asked by phone")
    assert (view.address, view.reason, view.note, view.message_id) == (
        "ann@example.com",
        "manual",
        "asked by phone",
        None,
    )
    assert view.masked == "***@example.com"
    with pytest.raises(Conflict) as again:
        add_suppression(any_context, "ANN@example.com", reason="complaint")
    assert again.value.field == "address" and "manual, since" in again.value.message
    assert count_suppressions(any_context) == 1


@pytest.mark.parametrize(
    ("address", "reason", "note", "field"),
    [
        ("not an address", "manual", "", "address"),
        ("bob@example.com", "bored", "", "reason"),
        ("bob@example.com", "manual", "x" * 501, "note"),
        ("bob@example.com", "manual", "two\nlines", "note"),
    ],
)
def test_refusals_name_the_field(
    context: Context, address: str, reason: str, note: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        add_suppression(context, address, reason=reason, note=note)
    assert refused.value.field == field
    assert count_suppressions(context) == 0


def test_find_by_id_or_whole_address_then_remove(context: Context) -> None:
    view = add_suppression(context, "bob@example.com", reason="hard_bounce", message_id=41)
    assert find_suppression(context, str(view.id)) == view
    assert find_suppression(context, "BOB@example.com") == view
    with pytest.raises(NotFound):
        find_suppression(context, "bo@example.com")  # part of an address names nothing
    assert remove_suppression(context, view.id) == view
    with pytest.raises(NotFound):
        remove_suppression(context, view.id)


def test_the_list_masks_unless_revealed_searches_and_filters(context: Context) -> None:
    clock = context.clock
    assert isinstance(clock, FixedClock)
    added = []
    for address, reason in (
        ("ann@example.com", "unsubscribed"),
        ("bob@example.org", "hard_bounce"),
        ("cat@example.com", "manual"),
    ):
        clock.advance(timedelta(minutes=1))
        added.append(add_suppression(context, address, reason=reason, note=f"note {len(added)}"))
    page = list_suppressions(context)
    assert [row["address"] for row in page.rows] == [
        "***@example.com",
        "***@example.org",
        "***@example.com",
    ]  # newest first
    assert page.rows[0]["reason_label"] == "Manual"
    revealed = list_suppressions(context, reveal=True)
    assert revealed.rows[0]["address"] == "cat@example.com"
    assert reveal_suppressed(context, added[1].id) == "bob@example.org"
    # The quick filter finds part of an address (shown masked) or a note.
    assert list_suppressions(context, PageRequest(text_filter="bob@")).total == 1
    assert list_suppressions(context, PageRequest(text_filter="note 2")).total == 1
    assert list_suppressions(context, PageRequest(text_filter="50%")).total == 0
    by_reason = list_suppressions(context, PageRequest(advanced={"reason": "hard_bounce"}))
    assert [row.key for row in by_reason.rows] == [str(added[1].id)]
    with pytest.raises(ValidationError) as refused:
        list_suppressions(context, PageRequest(advanced={"reason": "x"}))
    assert refused.value.field == "reason"
