"""`kootui destination add|list|set|remove` through kootui.cli.main."""

from __future__ import annotations

import pytest

from kootui.cli import main
from kootui.core.context import Context
from kootui.core.shaping import Throttle, find_rule, slow_down, workspace_rate


def test_add_set_list_remove(context: Context, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["destination", "add", "Google", "Gmail.com", "googlemail.com", "--rate", "5"]) == 0
    assert "Google: 5/s, no limit; gmail.com, googlemail.com" in capsys.readouterr().out
    assert main(["destination", "add", "Other", "GMAIL.COM."]) == 1
    assert "domains: gmail.com is already in the rule 'Google'" in capsys.readouterr().err
    assert main(["destination", "set", "google", "--connections", "2"]) == 0
    assert find_rule(context.store, "Google").max_connections == 2
    assert main(["destination", "set", "google"]) == 2
    assert main(["destination", "set", "default", "--rate", "3"]) == 0
    assert main(["destination", "set", "workspace", "--rate", "40"]) == 0
    assert workspace_rate(context).rate == 40
    slow_down(
        context.store, [Throttle("rule:1", "Google", "421 4.7.0 later", 5, 5)], context.clock.now()
    )
    capsys.readouterr()
    assert main(["destination", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "workspace: 40/s (set live)",
        "default: 3/s, no limit; every other domain, each",
        "Google: 5/s, 2 sessions; gmail.com, googlemail.com",
    ]
    assert out[3].startswith("slowed: Google at 2.50/s of 5.00/s since ")
    assert out[3].endswith(": 421 4.7.0 later")
    assert main(["destination", "remove", "Google"]) == 0
    assert main(["destination", "set", "workspace", "--unset"]) == 0
    assert workspace_rate(context).from_store is False
    assert main(["destination", "remove", "nothing"]) == 1
