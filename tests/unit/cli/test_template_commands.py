"""`kootui template create|edit`: the console editor's checks and cleaning from a shell."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from kootui.cli import main
from kootui.core.context import Context
from kootui.core.templates import TemplateDraft, create_template, find_template, get_template
from kootui.core.workspace import update_workspace
from tests.support.task_seed import add_scheduled_task, seed_sources


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


def test_create_from_an_html_file_derives_the_text_part(
    context: Context, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "welcome.html"
    body.write_bytes("<p>Grüße {{ name }}</p>".encode("cp1252"))  # no charset: detected
    create = ["template", "create", "--title", "Spring welcome", "--subject", "Hi {{ name }}"]
    code = main([*create, "--body", str(body), "--locale", "zh", "--unsubscribe"])
    assert code == 0, capsys.readouterr().err
    assert "Created template" in capsys.readouterr().out
    view = find_template(context, "spring WELCOME")
    assert (view.body_type, view.locale, view.support_unsubscribe) == ("html", "zh", True)
    assert view.body == "<p>Grüße {{ name }}</p>"
    assert "Grüße {{ name }}" in view.text_body and not view.text_body_edited
    assert view.parameters == ("name",)


def test_a_body_cleaning_would_change_is_refused_naming_where_unless_clean(
    context: Context, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "b.html"
    body.write_text("<p>Hi</p>\n<p onclick='x()'>there</p>")
    args = ["template", "create", "--title", "T", "--subject", "S", "--body", str(body)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("kootui: error: body: line 2, column 3:")
    assert "--clean" in err
    assert main([*args, "--clean"]) == 0
    assert "Cleaned the body. Removed: 1 event handler" in capsys.readouterr().out
    assert "onclick" not in find_template(context, "T").body


def test_create_reads_a_text_body_from_stdin(
    context: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "Your code is {{ code }}\r\n")
    args = ["template", "create", "--title", "Code", "--subject", "Code"]
    assert main([*args, "--body", "-", "--body-type", "text"]) == 0, capsys.readouterr().err
    view = find_template(context, "Code")
    assert (view.body_type, view.parameters) == ("text", ("code",))
    assert view.body == "Your code is {{ code }}\n"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--title", ""], "title"),
        (["--subject", "Hi {% if x %}"], "subject"),
        (["--title", "x" * 101], "title"),
    ],
)
def test_refusals_name_the_field(
    context: Context,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    field: str,
) -> None:
    body = tmp_path / "b.txt"
    body.write_text("Hello")
    args = ["template", "create", "--title", "ok", "--subject", "ok", "--body", str(body)]
    assert main([*args, *extra]) == 1
    assert capsys.readouterr().err.startswith(f"kootui: error: {field}: ")


def test_a_body_that_is_not_utf8_text_names_the_field(
    context: Context, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "b.txt"
    body.write_bytes(b"caf\xe9")
    args = ["template", "create", "--title", "t", "--subject", "s", "--body", str(body)]
    assert main(args) == 1
    assert "body: is not UTF-8 text (byte 4" in capsys.readouterr().err


def test_edit_by_title_changes_only_what_is_given_and_keeps_a_hand_written_text_part(
    context: Context, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = create_template(
        context, TemplateDraft(title="Order shipped", body="<p>Shipped {{ order }}</p>")
    )
    text = tmp_path / "part.txt"
    text.write_text("My own text part")
    assert main(["template", "edit", before.title.upper(), "--text-body", str(text)]) == 0
    body = tmp_path / "new.html"
    body.write_text("<p>New body</p>")
    assert main(["template", "edit", str(before.id), "--body", str(body)]) == 0
    after = get_template(context, before.id)
    assert (after.title, after.subject) == (before.title, before.subject)
    assert after.body == "<p>New body</p>"
    assert (after.text_body, after.text_body_edited) == ("My own text part", True)
    capsys.readouterr()
    assert main(["template", "edit", str(before.id), "--body", str(body)]) == 0
    assert capsys.readouterr().out.startswith("Nothing changed")


def test_editing_an_approved_template_follows_the_editors_rule(
    context: Context, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = seed_sources(context)
    update_workspace(context, sensitive_industry=True)
    assert main(["template", "edit", str(ids["personal"]), "--subject", "Changed"]) == 0
    out = capsys.readouterr().out
    assert "approving" in out and f"kootui template approve {ids['personal']}" in out
    assert get_template(context, ids["personal"]).status == "approving"
    # A template a waiting task renders cannot change under it.
    add_scheduled_task(context, ids, template="plain")
    assert main(["template", "edit", str(ids["plain"]), "--subject", "Other"]) == 1
    assert "cannot be edited" in capsys.readouterr().err


def test_a_public_template_cannot_be_edited(context: Context, capsys) -> None:
    assert main(["template", "edit", "1", "--subject", "x"]) == 1
    assert "public template" in capsys.readouterr().err


def test_delete_asks_and_keeps_the_cores_rules(
    context: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = seed_sources(context)
    add_scheduled_task(context, ids, template="plain")
    assert main(["template", "delete", str(ids["plain"]), "--yes"]) == 1
    assert "cannot be deleted" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda _prompt="": "n")
    assert main(["template", "delete", "Waiting"]) == 1
    assert "Nothing was deleted" in capsys.readouterr().out
    monkeypatch.setattr("builtins.input", lambda _prompt="": "y")
    assert main(["template", "delete", "Waiting"]) == 0
    assert "Deleted template" in capsys.readouterr().out
    assert main(["template", "show", "Waiting"]) == 1
