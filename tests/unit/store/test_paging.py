"""The list query contract against a real store: escaping, the sort whitelist, paging, totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.store import (
    ListQuery,
    PageRequest,
    PageResult,
    SenderDomain,
    contains_filter,
    date_from_filter,
    date_to_filter,
    equals_filter,
    escape_like,
    fetch_page,
)

DOMAIN = SenderDomain.__table__.c
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def domain_query() -> ListQuery:
    return ListQuery(
        statement=select(DOMAIN.id, DOMAIN.name, DOMAIN.status, DOMAIN.created_at),
        sort_columns={"name": DOMAIN.name, "status": DOMAIN.status, "created": DOMAIN.created_at},
        default_sort="name",
        tiebreak=DOMAIN.id,
        search_columns=[DOMAIN.name],
        filters={
            "status": equals_filter(DOMAIN.status, ["verifying", "passed", "failed"]),
            "name": contains_filter(DOMAIN.name),
            "created_from": date_from_filter(DOMAIN.created_at),
            "created_to": date_to_filter(DOMAIN.created_at),
        },
    )


def add_domains(context: Context, names: list[str], status: str = "verifying") -> None:
    with context.store.session() as session:
        for number, name in enumerate(names):
            at = START + timedelta(days=number)
            session.add(SenderDomain(name=name, status=status, created_at=at, updated_at=at))


def page(context: Context, **request: object) -> PageResult:
    with context.store.session() as session:
        return fetch_page(session, domain_query(), PageRequest(**request))  # type: ignore[arg-type]


def names(result: PageResult) -> list[str]:
    return [row["name"] for row in result.rows]


def test_a_percent_sign_in_the_filter_matches_only_a_percent_sign(any_context: Context) -> None:
    add_domains(any_context, ["100%.example", "100x.example", "a%b.example", "plain.example"])
    assert names(page(any_context, text_filter="%")) == ["100%.example", "a%b.example"]
    assert names(page(any_context, text_filter="0%")) == ["100%.example"]


def test_an_underscore_is_not_a_single_character_wildcard(any_context: Context) -> None:
    add_domains(any_context, ["mail_out.example", "mailxout.example", "mail-out.example"])
    assert names(page(any_context, text_filter="l_o")) == ["mail_out.example"]


def test_a_backslash_is_matched_literally(any_context: Context) -> None:
    add_domains(any_context, ["back\\slash.example", "backslash.example"])
    assert names(page(any_context, text_filter="k\\s")) == ["back\\slash.example"]
    assert escape_like("a\\%_") == "a\\\\\\%\\_"


def test_the_filter_ignores_case_and_surrounding_spaces(any_context: Context) -> None:
    add_domains(any_context, ["Shop.example", "news.example"])
    assert names(page(any_context, text_filter="  SHOP ")) == ["Shop.example"]


def test_a_filter_that_looks_like_sql_is_just_text(any_context: Context) -> None:
    add_domains(any_context, ["a.example", "b.example"])
    result = page(any_context, text_filter="' OR 1=1 --")
    assert result.rows == [] and result.total == 0
    assert page(any_context).total == 2  # the table is still there


def test_sorting_is_limited_to_the_known_columns(any_context: Context) -> None:
    add_domains(any_context, ["b.example", "a.example"])
    with pytest.raises(ValidationError) as caught:
        page(any_context, sort_key="name; DROP TABLE sender_domain")
    assert caught.value.field == "sort"
    assert "name" in caught.value.message and "created" in caught.value.message
    assert page(any_context).total == 2


def test_sorting_by_a_column_in_both_directions(any_context: Context) -> None:
    add_domains(any_context, ["b.example", "c.example", "a.example"])
    assert names(page(any_context)) == ["a.example", "b.example", "c.example"]
    assert names(page(any_context, sort_key="created")) == ["b.example", "c.example", "a.example"]
    newest_first = page(any_context, sort_key="created", descending=True)
    assert names(newest_first) == ["a.example", "c.example", "b.example"]


def test_equal_sort_values_page_without_overlap_or_gaps(any_context: Context) -> None:
    # Every row has the same status: only the tie-break keeps pages apart.
    add_domains(any_context, [f"d{n:02}.example" for n in range(25)])
    seen: list[str] = []
    for offset in range(0, 25, 10):
        seen += names(page(any_context, sort_key="status", offset=offset, limit=10))
    assert sorted(seen) == sorted(f"d{n:02}.example" for n in range(25))
    assert len(seen) == 25


def test_pages_carry_the_total_and_the_range(any_context: Context) -> None:
    add_domains(any_context, [f"d{n:02}.example" for n in range(23)])
    first = page(any_context, limit=10)
    assert (first.total, len(first.rows), first.range_text()) == (23, 10, "rows 1–10 of 23")
    assert first.has_next and not first.has_previous
    last = page(any_context, offset=20, limit=10)
    assert names(last) == ["d20.example", "d21.example", "d22.example"]
    assert last.range_text() == "rows 21–23 of 23" and not last.has_next


def test_a_page_past_the_end_comes_back_as_the_last_page(any_context: Context) -> None:
    add_domains(any_context, [f"d{n:02}.example" for n in range(12)])
    result = page(any_context, offset=40, limit=5)
    assert result.offset == 10 and names(result) == ["d10.example", "d11.example"]


def test_an_empty_list_says_so(any_context: Context) -> None:
    result = page(any_context, text_filter="nothing")
    assert (result.rows, result.total, result.offset) == ([], 0, 0)
    assert result.range_text() == "no rows of 0"


def test_the_total_counts_only_matching_rows(any_context: Context) -> None:
    add_domains(any_context, [f"shop{n}.example" for n in range(7)])
    add_domains(any_context, [f"news{n}.example" for n in range(4)], status="passed")
    result = page(any_context, text_filter="shop", limit=3)
    assert result.total == 7 and len(result.rows) == 3
    assert page(any_context, advanced={"status": "passed"}).total == 4


def test_advanced_fields_combine(any_context: Context) -> None:
    add_domains(any_context, ["a.example", "b.example", "c.example", "d.example"])
    # created on Nov 1, 2, 3 and 4 at 09:00 UTC (local time is UTC in the tests)
    result = page(
        any_context,
        advanced={"created_from": "2026-11-02", "created_to": "2026-11-03", "status": ""},
    )
    assert names(result) == ["b.example", "c.example"]
    assert names(page(any_context, advanced={"name": "d.ex", "created_from": ""})) == ["d.example"]


def test_a_bad_date_names_its_field(any_context: Context) -> None:
    with pytest.raises(ValidationError) as caught:
        page(any_context, advanced={"created_from": "23/11/2026"})
    assert caught.value.field == "created_from"
    assert "2026-11-23" in caught.value.message


def test_an_unknown_status_or_search_field_is_refused(any_context: Context) -> None:
    with pytest.raises(ValidationError) as caught:
        page(any_context, advanced={"status": "deleted"})
    assert caught.value.field == "status"
    with pytest.raises(ValidationError) as caught:
        page(any_context, advanced={"owner": "me"})
    assert caught.value.field == "owner"


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [({"offset": -1}, "offset"), ({"limit": 0}, "limit"), ({"limit": 501}, "limit")],
)
def test_paging_bounds_are_checked(request_fields: dict[str, int], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PageRequest(**request_fields)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_very_long_filter_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        PageRequest(text_filter="x" * 201)
    assert caught.value.field == "filter"


def test_moving_between_pages_keeps_sort_and_filters() -> None:
    request = PageRequest(limit=10, sort_key="name", descending=True, text_filter="shop")
    following = request.next_page()
    assert following.offset == 10 and following.text_filter == "shop" and following.descending
    assert following.previous_page().offset == 0
    assert request.previous_page().offset == 0


def test_a_sort_expression_orders_alike_on_every_database(any_context: Context) -> None:
    # Binary order would put the capitals first: Alpha, Gamma, beta, delta.
    add_domains(any_context, ["beta.example", "Alpha.example", "delta.example", "Gamma.example"])
    query = ListQuery(
        statement=select(DOMAIN.id, DOMAIN.name),
        sort_columns={"name": func.lower(DOMAIN.name)},
        default_sort="name",
        tiebreak=DOMAIN.id,
    )
    with any_context.store.session() as session:
        result = fetch_page(session, query, PageRequest())
    assert names(result) == ["Alpha.example", "beta.example", "delta.example", "Gamma.example"]
