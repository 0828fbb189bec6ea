"""``kootui task …`` through kootui.cli.main, against a real store in KOOTUI_HOME."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from kootui.cli import main
from kootui.core.bootstrap import open_context
from kootui.core.store import Attachment, Message, Task
from tests.support.task_seed import seed_sources, write_recipients_xlsx


@pytest.fixture
def ids(settings, monkeypatch):
    # The deployment's tracking host, which the unsubscribe template needs (as seed_sources sets).
    monkeypatch.setenv("KOOTUI_SENDING_TRACKING_HOST", "track.example.net")
    context = open_context(settings)
    try:
        return seed_sources(context)
    finally:
        context.close()


def _rows(settings, model):
    context = open_context(settings)
    try:
        with context.store.session() as session:
            return [row[0] for row in session.exec(select(model)).all()]
    finally:
        context.close()


def _create(ids, *extra):
    return [
        "task",
        "create",
        "--name",
        "CLI notice",
        "--subject",
        "Notice",
        "--template",
        str(ids["plain"]),
        "--sender",
        str(ids["sender"]),
        *extra,
    ]


def test_create_with_typed_recipients_and_an_attachment(settings, ids, tmp_path, capsys):
    note = tmp_path / "note.txt"
    note.write_text("see you")
    code = main(
        _create(ids, "--to", "ann@example.com", "--to", "bob@bücher.de", "--attach", str(note))
    )
    assert code == 0, capsys.readouterr().err
    assert "2 messages, sending now" in capsys.readouterr().out
    [task] = _rows(settings, Task)
    assert (task.send_method, task.status) == ("cli", "scheduled")
    assert sorted(m.recipient for m in _rows(settings, Message)) == [
        "ann@example.com",
        "bob@xn--bcher-kva.de",
    ]
    assert [a.filename for a in _rows(settings, Attachment)] == ["note.txt"]


def test_errors_print_one_line_naming_the_field(settings, ids, capsys):
    assert main(_create(ids, "--to", "not-an-address")) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("kootui: error: recipients:") and "\n" not in err
    assert main(_create(ids, "--to", "a@example.com", "--at", "2020-01-01 10:00")) == 1
    assert "scheduled_at: the scheduled time must be in the future" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:  # a path option is checked with the options
        main(_create(ids, "--to", "a@example.com", "--attach", "/nonexistent/x.pdf"))
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "argument --attach: /nonexistent/x.pdf: no such file" in err and "\n" not in err
    assert _rows(settings, Task) == []


def test_typed_recipients_for_a_parameterised_template_are_refused(settings, ids, capsys):
    args = _create(ids, "--to", "a@example.com")
    args[args.index("--template") + 1] = str(ids["personal"])
    assert main(args) == 1
    assert "recipients: this template has parameters" in capsys.readouterr().err


def test_xlsx_with_refused_rows_needs_yes(settings, ids, tmp_path, capsys):
    path = tmp_path / "r.xlsx"
    workbook = Workbook()
    for row in (
        ["email", "name", "code"],
        ["a@example.com", "A", "1"],
        ["bad", "B", "2"],
        ["c@example.com", "", "3"],
    ):
        workbook.active.append(row)
    workbook.save(path)
    args = _create(ids, "--xlsx", str(path))
    args[args.index("--template") + 1] = str(ids["personal"])
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "1 valid, 2 refused (1 bad address, 1 empty value)" in captured.out
    assert "row 3: bad:" in captured.err and "row 4: c@example.com" in captured.err
    assert "xlsx: 2 rows refused" in captured.err
    assert _rows(settings, Task) == []
    assert main([*args, "--yes"]) == 0
    assert [m.params for m in _rows(settings, Message)] == [{"name": "A", "code": "1"}]


def test_scheduled_then_list_cancel_pause_resume(settings, ids, tmp_path, capsys):
    path = write_recipients_xlsx(tmp_path / "r.xlsx", 5)
    args = _create(ids, "--xlsx", str(path), "--at", "2099-01-02 03:04")
    args[args.index("--template") + 1] = str(ids["personal"])
    args[args.index("--subject") + 1] = "Hello {{ name }}"
    assert main(args) == 0
    assert "5 messages, sending 2099-01-02 03:04:00" in capsys.readouterr().out
    [task] = _rows(settings, Task)
    assert task.scheduled_at.isoformat() == "2099-01-02T03:04:00+00:00"  # TZ is UTC in tests
    assert main(["task", "list", "--status", "scheduled"]) == 0
    listing = capsys.readouterr().out
    assert "CLI notice" in listing and "Scheduled" in listing and "rows 1–1 of 1" in listing
    assert main(["task", "show", str(task.id)]) == 0
    assert "pending 5" in capsys.readouterr().out
    assert main(["task", "pause", str(task.id)]) == 0
    assert "is now paused" in capsys.readouterr().out
    assert main(["task", "resume", str(task.id)]) == 0
    assert main(["task", "cancel", str(task.id)]) == 0
    assert "is now cancelled" in capsys.readouterr().out
    assert {m.status for m in _rows(settings, Message)} == {"cancelled"}
    assert main(["task", "cancel", str(task.id)]) == 1
    refused = capsys.readouterr().err
    assert "kootui: error: task 1 is cancelled" in refused and "task_id" not in refused
    assert main(["task", "cancel", "999"]) == 1
    assert "task_id" not in capsys.readouterr().err
    # A task is named by its ID or its exact name, as the list shows them.
    assert main(["task", "show", "CLI NOTICE"]) == 0
    assert f"Task {task.id}: CLI notice" in capsys.readouterr().out
    assert main(["task", "list", "--status", "bogus"]) == 1
    assert "status:" in capsys.readouterr().err


def test_sample_xlsx(settings, ids, tmp_path, capsys):
    path = tmp_path / "sample.xlsx"
    assert main(["task", "sample-xlsx", "--template", str(ids["personal"]), str(path)]) == 0
    header = next(load_workbook(path).active.iter_rows(values_only=True))
    assert header == ("email", "name", "code")
    assert main(["task", "sample-xlsx", "--template", str(ids["personal"]), str(path)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["task", "sample-xlsx", "--template", "999", str(tmp_path / "x.xlsx")]) == 1


def test_recipients_source_is_required(ids, capsys):
    with pytest.raises(SystemExit) as caught:
        main(
            ["task", "create", "--name", "x", "--subject", "y", "--template", "1", "--sender", "1"]
        )
    assert caught.value.code == 2
    assert "--to" in capsys.readouterr().err


def test_sender_template_and_task_are_named_by_address_title_and_name(settings, ids, capsys):
    args = _create(ids, "--to", "ann@example.com")
    args[args.index("--sender") + 1] = "NEWS@Mail.Example.com"
    args[args.index("--template") + 1] = "plain notice"
    assert main(args) == 0, capsys.readouterr().err
    [task] = _rows(settings, Task)
    assert (task.address_id, task.template_id) == (ids["sender"], ids["plain"])
    capsys.readouterr()
    # The address list shows the ID a script can use instead.
    assert main(["address", "list"]) == 0
    [row] = [line for line in capsys.readouterr().out.splitlines() if "news@" in line]
    assert row.split()[:2] == [str(ids["sender"]), "news@mail.example.com"]
    args[args.index("--sender") + 1] = "nobody@mail.example.com"
    assert main(args) == 1
    refused = capsys.readouterr().err
    assert "sender: there is no sender address 'nobody@mail.example.com'" in refused
    assert "kootui address list" in refused
    assert main(_create(ids, "--to", "bob@example.com")) == 0  # a second "CLI notice"
    capsys.readouterr()
    assert main(["task", "pause", "cli notice"]) == 1
    assert "2 tasks are named 'cli notice' (IDs 1, 2); name one by its ID" in (
        capsys.readouterr().err
    )
