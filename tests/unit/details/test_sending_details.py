"""Sending Details list: the 24 h default, every advanced filter, sorting, masking, refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from kootui.core.context import Context
from kootui.core.details import ADVANCED_FIELDS, DETAILS_COLUMNS, query_messages, reveal_recipient
from kootui.core.errors import NotFound, ValidationError
from kootui.core.store import PageRequest
from tests.support.details_seed import add_messages, add_task
from tests.support.dispatch_seed import seed_sender

HOUR = timedelta(hours=1)


@pytest.fixture
def store(any_context: Context) -> dict[str, Any]:
    """Two tasks from one sender, rows spread over the last days around the fixed clock."""
    context = any_context
    now = context.clock.now()
    address = seed_sender(context, with_key=False)
    news, news_template = add_task(
        context, address, name="November news", subject="News for {{name}}", template_title="News"
    )
    bills, bills_template = add_task(
        context, address, name="Monthly bill", subject="Your bill", template_title="Billing"
    )
    ids = add_messages(
        context,
        news,
        [
            {
                "recipient": "ann@example.org",
                "created_at": now - 1 * HOUR,
                "status": "delivered",
                "received_at": now - 50 * timedelta(minutes=1),
            },
            {"recipient": "a_b@example.net", "created_at": now - 2 * HOUR, "status": "deferred"},
            {
                "recipient": "axb@example.net",
                "created_at": now - 3 * HOUR,
                "status": "pending",
                "send_method": "cli",
            },
            {
                "recipient": "old@example.org",
                "created_at": now - 30 * HOUR,
                "status": "delivered",
                "received_at": now - 29 * HOUR,
            },
        ],
    )
    ids += add_messages(
        context,
        bills,
        [
            {"recipient": "bob@example.com", "created_at": now - 4 * HOUR, "status": "rejected"},
            {
                "recipient": "100%@example.com",
                "created_at": now - 5 * HOUR,
                "status": "delivered",
                "received_at": now - 4 * HOUR,
            },
            {"recipient": "older@example.com", "created_at": now - 10 * 24 * HOUR},
            {"recipient": "oldest@example.com", "created_at": now - 40 * 24 * HOUR},
        ],
    )
    return {
        "context": context,
        "ids": ids,
        "news": news,
        "bills": bills,
        "news_template": news_template,
        "bills_template": bills_template,
    }


def recipients(context: Context, request: PageRequest | None = None) -> list[str]:
    """The revealed recipients of a page, in page order."""
    page = query_messages(context, request)
    return [reveal_recipient(context, int(row.key)) for row in page.rows]


def test_columns_and_fields_are_the_seeds_ones_in_order() -> None:
    assert [c.key for c in DETAILS_COLUMNS] == [
        "message_id", "task", "send_method", "status", "template", "subject", "sender",
        "recipient", "created", "received",
    ]  # fmt: skip
    assert [f.name for f in ADVANCED_FIELDS] == [
        "template_name", "template_id", "task_name", "task_id", "subject", "sender",
        "recipient", "status", "send_method", "created_from", "created_to", "range",
    ]  # fmt: skip


def test_default_view_is_the_last_24_hours_newest_first(store: dict[str, Any]) -> None:
    context = store["context"]
    page = query_messages(context)
    assert page.total == 5
    assert recipients(context) == [
        "ann@example.org", "a_b@example.net", "axb@example.net", "bob@example.com",
        "100%@example.com",
    ]  # fmt: skip


@pytest.mark.parametrize(("span", "total"), [("24h", 5), ("7d", 6), ("30d", 7), ("all", 8)])
def test_range_choices(store: dict[str, Any], span: str, total: int) -> None:
    page = query_messages(store["context"], PageRequest(advanced={"range": span}))
    assert page.total == total


def test_a_row_shows_names_ids_rendered_subject_sender_and_a_masked_recipient(
    store: dict[str, Any],
) -> None:
    context = store["context"]
    row = query_messages(context).rows[0]
    assert row["message_id"] == store["ids"][0]
    assert row["task"] == f"November news #{store['news']}"
    assert row["template"] == f"News #{store['news_template']}"
    assert row["send_method"] == "Console"
    assert row["status"] == "Delivered"
    assert row["subject"] == "News for ann"
    assert row["sender"] == "Zoë's News <news@example.com>"
    assert row["recipient"] == "***@example.org"
    assert row["created"] == context.clock.now() - HOUR
    assert row["received"] == context.clock.now() - timedelta(minutes=50)
    assert all("@" not in r["recipient"].split("***")[0] for r in query_messages(context).rows)
    assert reveal_recipient(context, store["ids"][0]) == "ann@example.org"


def test_reveal_of_an_unknown_message_is_not_found(store: dict[str, Any]) -> None:
    with pytest.raises(NotFound) as caught:
        reveal_recipient(store["context"], 999_999)
    assert caught.value.field == "message_id"


@pytest.mark.parametrize(
    ("advanced", "expected"),
    [
        ({"template_name": "bill"}, ["bob@example.com", "100%@example.com"]),
        ({"task_name": "NOVEMBER"}, ["ann@example.org", "a_b@example.net", "axb@example.net"]),
        ({"subject": "your bill"}, ["bob@example.com", "100%@example.com"]),
        ({"sender": "news@example.com"}, None),  # every row in range
        ({"sender": "Zoë"}, None),
        ({"sender": "nobody@"}, []),
        ({"recipient": "example.net"}, ["a_b@example.net", "axb@example.net"]),
        ({"recipient": "a_b"}, ["a_b@example.net"]),  # "_" is literal, not any character
        ({"recipient": "100%"}, ["100%@example.com"]),  # "%" is literal
        ({"recipient": "%"}, ["100%@example.com"]),
        ({"status": "delivered"}, ["ann@example.org", "100%@example.com"]),
        ({"send_method": "cli"}, ["axb@example.net"]),
        (
            {"status": "delivered", "range": "all"},
            ["ann@example.org", "100%@example.com", "old@example.org"],
        ),
    ],
)
def test_advanced_filters(
    store: dict[str, Any], advanced: dict[str, str], expected: list[str] | None
) -> None:
    context = store["context"]
    found = recipients(context, PageRequest(advanced=advanced, sort_key="created", descending=True))
    if expected is None:
        expected = recipients(context)
    assert found == expected


def test_id_filters(store: dict[str, Any]) -> None:
    context = store["context"]
    by_task = recipients(context, PageRequest(advanced={"task_id": str(store["bills"])}))
    assert by_task == ["bob@example.com", "100%@example.com"]
    by_template = recipients(
        context, PageRequest(advanced={"template_id": str(store["news_template"])})
    )
    assert by_template == ["ann@example.org", "a_b@example.net", "axb@example.net"]
    missing = query_messages(context, PageRequest(advanced={"task_id": "424242"}))
    assert missing.total == 0 and missing.rows == []


def test_created_dates_replace_the_24_hour_default(store: dict[str, Any]) -> None:
    context = store["context"]
    # The fixed clock is 2026-11-23 15:30 UTC (local time is UTC in tests).
    day_before = recipients(
        context, PageRequest(advanced={"created_from": "2026-11-22", "created_to": "2026-11-22"})
    )
    assert day_before == ["old@example.org"]
    # older@ was created 2026-11-13 15:30: the "from" day itself is included.
    assert query_messages(context, PageRequest(advanced={"created_from": "2026-11-13"})).total == 7
    assert query_messages(context, PageRequest(advanced={"created_from": "2026-11-14"})).total == 6
    until = recipients(context, PageRequest(advanced={"created_to": "2026-10-31"}))
    assert until == ["oldest@example.com"]


def test_quick_filter_matches_recipient_task_name_or_subject(store: dict[str, Any]) -> None:
    context = store["context"]
    assert recipients(context, PageRequest(text_filter="bob@")) == ["bob@example.com"]
    assert query_messages(context, PageRequest(text_filter="monthly")).total == 2
    assert query_messages(context, PageRequest(text_filter="news for")).total == 3
    assert query_messages(context, PageRequest(text_filter="%_")).total == 0


@pytest.mark.parametrize(
    ("sort_key", "descending", "expected"),
    [
        ("created", False, ["100%", "bob", "axb", "a_b", "ann"]),
        ("message_id", False, ["ann", "a_b", "axb", "bob", "100%"]),
        ("message_id", True, ["100%", "bob", "axb", "a_b", "ann"]),
        ("status", False, ["a_b", "ann", "100%", "axb", "bob"]),
        ("task", True, ["100%", "bob", "axb", "a_b", "ann"]),  # tie-break: id, same direction
    ],
)
def test_sorting_by_known_columns(
    store: dict[str, Any], sort_key: str, descending: bool, expected: list[str]
) -> None:
    found = recipients(store["context"], PageRequest(sort_key=sort_key, descending=descending))
    assert [address.split("@")[0] for address in found] == expected


def test_sorting_by_received_puts_the_latest_acceptance_first(store: dict[str, Any]) -> None:
    request = PageRequest(sort_key="received", descending=True, advanced={"status": "delivered"})
    assert recipients(store["context"], request) == ["ann@example.org", "100%@example.com"]


@pytest.mark.parametrize("sort_key", ["recipient", "subject", "id; DROP TABLE message", ""])
def test_unknown_sort_is_refused(store: dict[str, Any], sort_key: str) -> None:
    if not sort_key:
        return  # an empty key means the default order, checked above
    with pytest.raises(ValidationError) as caught:
        query_messages(store["context"], PageRequest(sort_key=sort_key))
    assert caught.value.field == "sort"


@pytest.mark.parametrize(
    ("advanced", "field"),
    [
        ({"status": "sent"}, "status"),
        ({"send_method": "fax"}, "send_method"),
        ({"range": "1y"}, "range"),
        ({"task_id": "abc"}, "task_id"),
        ({"task_id": "-3"}, "task_id"),
        ({"task_id": "0"}, "task_id"),
        ({"template_id": "1.5"}, "template_id"),
        ({"template_id": "٣"}, "template_id"),  # a digit, but not an ASCII one
        ({"created_from": "2026-13-01"}, "created_from"),
        ({"created_to": "yesterday"}, "created_to"),
        ({"created_from": "2026-11-23", "created_to": "2026-11-01"}, "created_to"),
        ({"recipient": "x" * 201}, "recipient"),
        ({"colour": "red"}, "colour"),
        ({"_quick": "ann"}, "_quick"),
    ],
)
def test_bad_values_name_their_field(
    store: dict[str, Any], advanced: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        query_messages(store["context"], PageRequest(advanced=advanced))
    assert caught.value.field == field


def test_blank_values_are_ignored(store: dict[str, Any]) -> None:
    request = PageRequest(advanced={"status": " ", "task_name": "", "recipient": "  "})
    assert query_messages(store["context"], request).total == 5


def test_paging_walks_every_row_once(store: dict[str, Any]) -> None:
    context = store["context"]
    request = PageRequest(limit=2, advanced={"range": "all"})
    seen: list[str] = []
    while True:
        page = query_messages(context, request)
        seen += [row.key for row in page.rows]
        if not page.has_next:
            break
        request = request.next_page()
    assert sorted(seen, key=int) == [str(i) for i in sorted(store["ids"])]


def test_a_subject_that_cannot_render_shows_its_template_text(store: dict[str, Any]) -> None:
    context = store["context"]
    [row_id] = add_messages(
        context, store["news"], [{"recipient": "noparams@example.org", "params": {}}]
    )
    page = query_messages(context, PageRequest(advanced={"recipient": "noparams"}))
    assert page.rows[0]["subject"] == "News for {{name}}"
    assert page.rows[0].key == str(row_id)


def test_an_address_in_the_rendered_subject_is_masked_too(store: dict[str, Any]) -> None:
    context = store["context"]
    address = seed_sender(context, domain="other.example", with_key=False)
    task, _ = add_task(context, address, name="Echo", subject="Account {{name}}")
    [row_id] = add_messages(
        context, task, [{"recipient": "eve@example.org", "params": {"name": "EVE@example.org"}}]
    )
    [row] = query_messages(context, PageRequest(advanced={"task_id": str(task)})).rows
    assert row["subject"] == "Account ***@example.org"
    assert row.key == str(row_id)


def test_a_sender_on_a_unicode_domain_is_found_as_it_is_shown(store: dict[str, Any]) -> None:
    context = store["context"]
    address = seed_sender(context, domain="xn--bcher-kva.example", with_key=False)
    task, _ = add_task(context, address, name="Books", subject="New books")
    add_messages(context, task, [{"recipient": "reader@example.org"}])
    for typed in ("news@bücher.example", "bücher", "xn--bcher"):
        page = query_messages(context, PageRequest(advanced={"sender": typed}))
        assert [row["sender"] for row in page.rows] == ["Zoë's News <news@bücher.example>"], typed


@pytest.mark.parametrize("descending", [True, False])
def test_messages_not_received_sort_below_every_received_one_on_both_stores(
    store: dict[str, Any], descending: bool
) -> None:
    request = PageRequest(sort_key="received", descending=descending)
    found = [r.split("@")[0] for r in recipients(store["context"], request)]
    received = ["ann", "100%"]  # received 50 min and 4 h ago
    waiting = ["bob", "axb", "a_b"]  # not received; the id breaks the tie
    if descending:
        assert found == received + waiting
    else:
        assert found == waiting[::-1] + received[::-1]


def test_many_matching_tasks_fall_back_to_a_subquery_with_the_same_rows(
    store: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kootui.core.details import query as sending_details

    context = store["context"]
    listed = recipients(context, PageRequest(advanced={"sender": "news@"}))
    monkeypatch.setattr(sending_details._TaskMatch, "MAX_LISTED_TASKS", 1)
    assert recipients(context, PageRequest(advanced={"sender": "news@"})) == listed
    assert len(listed) == 5
