"""Outside text never drives the operator's terminal: every command prints through
``kootui.cli.output``, which shows controls, bidi overrides and stray newlines."""

from __future__ import annotations

import ast
import logging
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from kootui.cli import main
from kootui.cli.output import PrintableFormatter
from kootui.core.bootstrap import open_context
from kootui.core.config import Settings
from kootui.core.store import Task
from tests.support.dns_server import LoopbackDnsServer
from tests.support.task_seed import seed_sources, write_recipients_xlsx

CLI = Path(__file__).resolve().parents[3] / "kootui" / "cli"
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[31mFAKE\x9b1m \u202eevil\u2066 x\ny\rz"


def _inert(text: str) -> bool:
    """Nothing a terminal acts on but the newlines that end lines (and a zone's tabs)."""
    return not any(
        (unicodedata.category(char) in {"Cc", "Cs"} and char not in "\n\t")
        or unicodedata.bidirectional(char) in {"RLO", "LRO", "RLE", "LRE", "PDF", "RLI", "PDI"}
        for char in text
    )


def _printing_calls(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        called = ast.unparse(node.func)
        writes = called.startswith(("sys.stdout", "sys.stderr")) and not called.endswith("isatty")
        if called in {"print", "input"} or writes:
            yield node.lineno, called


def test_commands_print_only_through_the_output_edge() -> None:
    found = [
        f"{path.name}:{line} {called}"
        for path in sorted(CLI.glob("*.py"))
        if path.name != "output.py"
        for line, called in _printing_calls(path)
    ]
    assert found == []


@pytest.fixture
def ids(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv("KOOTUI_SENDING_TRACKING_HOST", "track.example.net")
    context = open_context(settings)
    try:
        return seed_sources(context)
    finally:
        context.close()


# A subject stored before the core refused bidi controls and invisible characters.
STORED_SUBJECT = "Hi \u202eevil\u2066 x"


def _create(
    ids: dict[str, int],
    *source: str,
    name: str = HOSTILE,
    subject: str = f"Hi {HOSTILE.replace(chr(10), ' ').replace(chr(13), ' ')}",
) -> list[str]:
    return [
        "task",
        "create",
        "--name",
        name,
        "--subject",
        subject,
        "--template",
        str(ids["plain"]),
        "--sender",
        str(ids["sender"]),
        *source,
    ]


def test_task_names_and_subjects_are_shown_inert_on_their_line(
    ids: dict[str, int], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    for subject in (None, STORED_SUBJECT):  # controls, then a bidi override: both refused
        refused_args = _create(ids, "--to", "ann@example.com", name="plain")
        if subject is not None:
            refused_args[refused_args.index("--subject") + 1] = subject
        assert main(refused_args) != 0
        refused = capsys.readouterr()
        assert _inert(refused.err) and refused.err.count("\n") == 1
        assert "subject" in refused.err
    assert main(_create(ids, "--to", "ann@example.com", name="plain", subject="Hi")) == 0
    created = capsys.readouterr()
    assert _inert(created.out) and created.out.count("\n") == 1
    # Rows stored before these rules keep what they hold; every face shows it inert.
    context = open_context(settings)
    try:
        with context.store.engine.begin() as connection:
            connection.execute(
                update(Task.__table__).values(name=HOSTILE, subject=f"{STORED_SUBJECT} {HOSTILE}")
            )
    finally:
        context.close()
    assert main(["task", "list"]) == 0
    listing = capsys.readouterr().out
    assert _inert(listing) and len(listing.splitlines()) == 2  # the task and the range line
    assert main(["task", "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert _inert(shown) and len(shown.splitlines()) == 7  # with the tracking line
    assert "␛]0;pwned␇␛[2J" in shown  # the subject is there, visible, not obeyed
    assert "\\u202eevil\\u2066" in shown


def test_an_xlsx_file_name_is_shown_inert(
    ids: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_recipients_xlsx(tmp_path / "\x1b[2J\x1b]2;x\x07list\u202e.xlsx", 2, ("email",))
    assert main(_create(ids, "--xlsx", str(path), name="from a file", subject="Hi")) == 0
    out = capsys.readouterr().out
    assert _inert(out) and "␛[2J" in out and "\\u202e" in out


def test_an_argument_echoed_by_argparse_is_inert(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["task", "list", "--nosuch", "\x1b[2J\x1b]0;t\x07"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert _inert(err) and err.count("\n") == 1 and "␛[2J" in err


def test_an_error_quoting_typed_text_is_one_inert_line(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["domain", "verify", "x\x1b[2J\n\u202e.example"]) == 1
    err = capsys.readouterr().err
    assert _inert(err) and err.count("\n") == 1 and err.startswith("kootui: error: ")


@pytest.fixture
def dns_server(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackDnsServer]:
    with LoopbackDnsServer() as server:
        monkeypatch.setenv("KOOTUI_DNS_NAMESERVERS", "127.0.0.1")
        monkeypatch.setenv("KOOTUI_DNS_PORT", str(server.port))
        monkeypatch.setenv("KOOTUI_DNS_TIMEOUT", "2")
        monkeypatch.setenv("KOOTUI_SENDING_SPF_IP4", "192.0.2.10")
        yield server


def test_a_hostile_nameservers_txt_answers_are_shown_inert(
    dns_server: LoopbackDnsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["domain", "add", "shop.example"]) == 0
    capsys.readouterr()
    forged = "\x1b]0;pwned\x07\x1b[2J\x1b[31mFAKE: all records OK\r\nSPF (required): Successful"
    dns_server.set("shop.example", "TXT", f"v=spf1 {forged}")
    dns_server.set("kootui1._domainkey.shop.example", "TXT", f"v=DKIM1; p={forged}\u202e")
    assert main(["domain", "verify", "shop.example"]) == 3
    verified = capsys.readouterr().out
    assert main(["domain", "doctor", "shop.example"]) == 3
    doctor = capsys.readouterr().out
    for shown in (verified, doctor):
        assert _inert(shown)
        assert "␛]0;pwned␇␛[2J␛[31mFAKE" in shown
        # The forged "SPF ... Successful" never starts a line of its own.
        assert not any(line.startswith("SPF (required): Successful") for line in shown.splitlines())


def test_log_lines_hold_outside_text_on_one_inert_line() -> None:
    formatter = PrintableFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord(
        "kootui.dispatch", logging.WARNING, __file__, 1, "reply: %s", ("550 \x1b[2Jno\nFAKE",), None
    )
    line = formatter.format(record)
    assert line == "WARNING reply: 550 ␛[2Jno␊FAKE"


def test_the_workers_log_lines_are_inert(capsys: pytest.CaptureFixture[str]) -> None:
    from kootui.cli.worker import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging()
        reply = "421 \x1b]0;pwned\x07\x1b[2Jbusy\r\n2026-01-01 INFO kootui: all sent"
        logging.getLogger("kootui.dispatch.relay").warning("relay %s: %s", "mx.example", reply)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    err = capsys.readouterr().err
    assert _inert(err) and err.count("\n") == 1
    assert err.rstrip().endswith(
        "relay mx.example: 421 ␛]0;pwned␇␛[2Jbusy␍␊2026-01-01 INFO kootui: all sent"
    )


def test_messages_list_json_and_show_are_inert_and_json_keeps_the_text(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from kootui.core.dispatch import run_until_idle
    from tests.support.dispatch_seed import seed_sender, seed_task

    subject = "Hi \x1b]0;pwned\x07\x1b[2J\u202eevil\u2066 \x9b31m"
    context = open_context(settings)
    try:
        seed_task(context, seed_sender(context), ["ann@example.org"], subject=subject)
        run_until_idle(context)
    finally:
        context.close()
    assert main(["messages", "list", "--range", "all", "--json"]) == 0
    listed = capsys.readouterr().out
    assert _inert(listed) and listed.isascii()
    [row] = json.loads(listed)["rows"]
    assert row["subject"] == subject  # escaped for the terminal, exact for a program
    assert main(["messages", "show", str(row["message_id"])]) == 0
    shown = capsys.readouterr().out
    assert _inert(shown) and "␛]0;pwned␇␛[2J\\u202eevil" in shown
