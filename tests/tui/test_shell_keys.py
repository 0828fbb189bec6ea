"""The key registry: remapping from config.toml, and the errors a bad [keys] table gives."""

from __future__ import annotations

import pytest

from kootui.cli import main
from kootui.core.errors import SettingsError
from kootui.tui.keys.registry import BY_ID, REGISTRY, current_key, validate_keymap
from kootui.tui.pages import PAGES
from kootui.tui.shell.jump import match_pages
from tests.support.tui_shell import write_config


def test_every_page_has_a_go_key_and_the_page_ids_match_the_guide():
    for page in PAGES:
        assert page.go_binding in BY_ID
    assert [page.id for page in PAGES] == [
        "overview",
        "domains",
        "addresses",
        "templates",
        "tasks",
        "details",
        "suppression",
        "reports",
        "destinations",
        "webhooks",
        "packages",
        "access",
    ]


def test_go_letters_are_distinct_and_documented():
    letters = [BY_ID[page.go_binding].key for page in PAGES]
    assert len(set(letters)) == len(letters)
    assert letters == ["o", "d", "a", "t", "s", "e", "u", "r", "l", "w", "p", "i"]


def test_unknown_binding_id_names_it_and_the_known_ids():
    with pytest.raises(SettingsError) as caught:
        validate_keymap({"hepl": "f1"})
    message = str(caught.value)
    assert "hepl" in message
    for binding_id in ("help", "jump", "go", "filter", "palette", "back", "refresh", "quit"):
        assert binding_id in message


def test_cli_exits_2_on_an_unknown_binding_id(home, capsys):
    write_config(home, '[keys]\nrefersh = "f5"\n')
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "refersh" in err and "known:" in err


@pytest.mark.parametrize("key", ["ctrl+", "hyperspace+k", "nokey", "ctrl+bogus"])
def test_a_key_that_is_not_a_key_is_refused(key):
    with pytest.raises(SettingsError, match=r"keys\.help"):
        validate_keymap({"help": key})


def test_two_keys_on_one_key_clash():
    with pytest.raises(SettingsError, match="already the key of quit"):
        validate_keymap({"help": "q"})
    # Moving both is fine.
    assert validate_keymap({"help": "q", "quit": "ctrl+q"}) == {"help": "q", "quit": "ctrl+q"}


def test_remapped_keys_are_normalised_like_textual_does():
    keymap = validate_keymap({"help": "?", "jump": "ctrl+j,:"})
    assert keymap == {"help": "question_mark", "jump": "ctrl+j,colon"}
    assert current_key("help", keymap) == "question_mark"
    assert current_key("quit", keymap) == "q"


def test_registry_ids_are_toml_bare_keys():
    # [keys] help = "f1" must work without quoting, so no dots or spaces in ids.
    for action in REGISTRY:
        assert action.id.replace("-", "").replace("_", "").isalnum(), action.id


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("temp", "templates"),
        ("TEMPLATES", "templates"),
        ("addr", "addresses"),
        ("report", "reports"),
        ("details", "details"),
        ("tasks", "tasks"),
        ("sdm", "domains"),  # scattered letters: s(ender) d(o)m(ains)
        ("over", "overview"),
    ],
)
def test_jump_matches_part_of_a_name(query, first):
    assert match_pages(query, PAGES)[0].id == first


def test_jump_with_no_match_is_empty_and_empty_query_lists_all():
    assert match_pages("xyzzy", PAGES) == []
    assert [page.id for page in match_pages("  ", PAGES)] == [page.id for page in PAGES]
