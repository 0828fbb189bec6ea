"""`kootui template approve/reject`: the operator's review from a shell."""

from __future__ import annotations

import pytest

from kootui.cli import main
from kootui.core.bootstrap import open_context
from kootui.core.templates import TemplateDraft, create_template, get_template
from kootui.core.workspace import update_workspace


@pytest.fixture
def waiting(settings, clock) -> int:
    context = open_context(settings, clock=clock)
    try:
        update_workspace(context, sensitive_industry=True)
        return create_template(
            context, TemplateDraft(title="Spring sale", body="<p>Hi {{ name }}</p>")
        ).id
    finally:
        context.close()


def stored(settings, template_id: int):
    context = open_context(settings)
    try:
        return get_template(context, template_id)
    finally:
        context.close()


def test_approve_records_the_operator(settings, waiting, capsys):
    assert main(["template", "list", "--status", "approving"]) == 0
    assert "Spring sale" in capsys.readouterr().out
    assert main(["template", "approve", str(waiting), "--operator", "ops.li"]) == 0
    assert "approved by ops.li" in capsys.readouterr().out
    view = stored(settings, waiting)
    assert (view.status, view.reviewed_by) == ("approved", "ops.li")
    assert view.reviewed_at is not None


def test_reject_needs_a_reason_and_records_it(settings, waiting, capsys):
    with pytest.raises(SystemExit):
        main(["template", "reject", str(waiting)])
    capsys.readouterr()
    assert (
        main(["template", "reject", str(waiting), "--reason", "misleading", "--operator", "x"]) == 0
    )
    view = stored(settings, waiting)
    assert (view.status, view.review_reason, view.reviewed_by) == ("rejected", "misleading", "x")


def test_refusals_are_one_line_with_exit_1(settings, waiting, capsys):
    assert main(["template", "approve", str(waiting), "--operator", "a"]) == 0
    capsys.readouterr()
    assert main(["template", "approve", str(waiting), "--operator", "a"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kootui: error:") and "not waiting for approval" in err
    assert main(["template", "reject", "9999", "--reason", "r"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_show_and_public_list(settings, waiting, capsys):
    assert main(["template", "show", str(waiting)]) == 0
    out = capsys.readouterr().out
    assert "parameters: name" in out and "Hi {{ name }}" in out
    assert main(["template", "list", "--public", "--filter", "One-time"]) == 0
    assert "One-time code" in capsys.readouterr().out
