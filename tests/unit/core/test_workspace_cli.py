"""`kootui workspace show/set`: the store's workspace settings from a shell."""

from __future__ import annotations

import pytest

from kootui.cli import main
from kootui.core.bootstrap import open_context
from kootui.core.workspace import get_workspace


def stored(settings):
    context = open_context(settings)
    try:
        return get_workspace(context)
    finally:
        context.close()


def test_set_turns_on_template_approval_and_changes_the_quota(settings, capsys):
    assert main(["workspace", "show"]) == 0
    assert "sensitive industry: off" in capsys.readouterr().out
    assert main(["workspace", "set", "--sensitive-industry", "on", "--max-domains", "3"]) == 0
    out = capsys.readouterr().out
    assert "domain quota:       3" in out and "sensitive industry: on" in out
    view = stored(settings)
    assert (view.sensitive_industry, view.max_domains) == (True, 3)
    assert main(["workspace", "set", "--sensitive-industry", "off", "--name", "Ops"]) == 0
    view = stored(settings)
    assert (view.sensitive_industry, view.max_domains, view.name) == (False, 3, "Ops")


def test_the_quota_is_enforced_after_it_is_lowered(settings, capsys):
    assert main(["workspace", "set", "--max-domains", "1"]) == 0
    assert main(["domain", "add", "one.example.com"]) == 0
    capsys.readouterr()
    assert main(["domain", "add", "two.example.com"]) == 1
    assert "domain" in capsys.readouterr().err


def test_a_bad_value_is_refused_naming_it_and_nothing_changes(settings, capsys):
    assert main(["workspace", "set", "--max-domains", "0"]) == 1
    assert "max_domains: must be between 1 and 1000" in capsys.readouterr().err
    assert stored(settings).max_domains == 10
    assert main(["workspace", "set"]) == 2
    assert "nothing to change" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["workspace", "set", "--sensitive-industry", "maybe"])


def test_a_bad_configured_quota_for_a_new_workspace_is_a_settings_error(home, monkeypatch, capsys):
    monkeypatch.setenv("KOOTUI_WORKSPACE_MAX_DOMAINS", "-5")
    assert main(["workspace", "show"]) == 2
    assert "workspace.max_domains: must be 1 to 1000, not '-5'" in capsys.readouterr().err
