"""Destination rules in the store: add, change, remove, and the workspace rate set live."""

from __future__ import annotations

import math

import pytest

from kootui.core.context import Context
from kootui.core.errors import Conflict, NotFound, ValidationError
from kootui.core.shaping import (
    add_rule,
    default_rule,
    find_rule,
    list_rules,
    read_limits,
    remove_rule,
    set_rule,
    set_workspace_rate,
    workspace_rate,
)


def test_a_group_is_stored_in_dns_form_and_found_by_name_or_id(context: Context) -> None:
    rule = add_rule(context, "Google", ["Gmail.com, googlemail.com.", "gmail.com"], 10, 4)
    assert rule.domains == ("gmail.com", "googlemail.com")
    assert (rule.rate, rule.max_connections, rule.is_default) == (10.0, 4, False)
    assert find_rule(context.store, "google") == rule == find_rule(context.store, str(rule.id))
    bucher = add_rule(context, "Bücher", ["BÜCHER.de"], 0.5)
    assert bucher.domains == ("xn--bcher-kva.de",)
    assert [item.name for item in list_rules(context.store)] == ["Bücher", "Google"]


def test_a_domain_belongs_to_one_rule_and_names_are_unique(context: Context) -> None:
    add_rule(context, "Google", ["gmail.com"], 10)
    with pytest.raises(Conflict, match=r"gmail\.com is already in the rule 'Google'") as caught:
        add_rule(context, "Other", ["GMAIL.com"], 1)
    assert caught.value.field == "domains"
    with pytest.raises(Conflict) as named:
        add_rule(context, "GOOGLE", ["example.org"], 1)
    assert named.value.field == "name"
    for reserved in ("default", "Workspace"):
        with pytest.raises(ValidationError, match="taken by the") as taken:
            add_rule(context, reserved, ["example.org"], 1)
        assert taken.value.field == "name"


@pytest.mark.parametrize(
    ("rate", "connections", "domains", "field"),
    [
        (-1.0, 0, ["a.org"], "rate"),
        (math.nan, 0, ["a.org"], "rate"),
        (math.inf, 0, ["a.org"], "rate"),
        (1.0, -1, ["a.org"], "max_connections"),
        (1.0, 5000, ["a.org"], "max_connections"),
        (1.0, 0, [], "domains"),
        (1.0, 0, ["not a domain"], "domains"),
        (1.0, 0, ["localhost"], "domains"),
    ],
)
def test_bad_values_are_refused_naming_the_field(
    context: Context, rate: float, connections: int, domains: list[str], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        add_rule(context, "Bad", domains, rate, connections)
    assert caught.value.field == field
    assert list_rules(context.store) == []


def test_set_changes_only_what_it_is_given(context: Context) -> None:
    add_rule(context, "Google", ["gmail.com"], 10, 4)
    changed = set_rule(context, "google", rate=2.5)
    assert (changed.rate, changed.max_connections, changed.domains) == (2.5, 4, ("gmail.com",))
    moved = set_rule(context, "Google", domains=["googlemail.com"], new_name="G")
    assert (moved.name, moved.domains) == ("G", ("googlemail.com",))
    add_rule(context, "Gmail again", ["gmail.com"], 1)  # free again


def test_the_default_rule_exists_once_set_and_resets_on_remove(context: Context) -> None:
    assert default_rule(context.store).rate == 0
    rule = set_rule(context, "default", rate=3, max_connections=2)
    assert (rule.is_default, rule.rate, rule.max_connections) == (True, 3.0, 2)
    with pytest.raises(ValidationError):
        set_rule(context, "default", domains=["gmail.com"])
    remove_rule(context, "default")
    assert default_rule(context.store).rate == 0
    with pytest.raises(NotFound):
        remove_rule(context, "nothing")


def test_the_workspace_rate_set_live_overrides_the_settings(context: Context) -> None:
    configured = context.settings.sending.rate
    assert workspace_rate(context).from_store is False
    assert workspace_rate(context).rate == configured
    assert set_workspace_rate(context, 12.5).rate == 12.5
    assert read_limits(context).workspace_rate == 12.5
    assert set_workspace_rate(context, None).rate == configured
