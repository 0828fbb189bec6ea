"""The command line as a user meets it: help, exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kootui.cli import main


def run_kootui(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("KOOTUI_")}
    env["KOOTUI_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "kootui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_help_lists_the_subcommands(home: Path) -> None:
    result = run_kootui("--help", home=home)
    assert result.returncode == 0
    for command in ("demo", "db", "config"):
        assert command in result.stdout


def test_bad_config_is_one_line_and_exit_2(home: Path) -> None:
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("[dns]\ntimout = 3\n")
    result = run_kootui("db", "current", home=home)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown key dns.timout" in lines[0]


def test_bad_database_url_exits_2(home: Path) -> None:
    import os

    env = dict(os.environ, KOOTUI_HOME=str(home), KOOTUI_DATABASE_URL="mysql://x/y")
    result = subprocess.run(
        [sys.executable, "-m", "kootui", "db", "current"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "database.url must be sqlite or postgresql" in result.stderr


def test_db_upgrade_then_current(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current"]) == 0
    assert "current: empty" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "Database at revision" in out
    assert main(["db", "current"]) == 0
    assert "current: empty" not in capsys.readouterr().out


def test_config_never_prints_secrets(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KOOTUI_RELAY_PASSWORD", "s3cret-pass")
    monkeypatch.setenv("KOOTUI_DATABASE_URL", "postgresql://user:dbpass@localhost/k")
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "s3cret-pass" not in out
    assert "dbpass" not in out
    assert str(home / "data") in out


def test_demo_reset_needs_yes_without_a_terminal(home: Path) -> None:
    result = run_kootui("demo", "--reset", "--no-open", home=home)
    assert result.returncode == 2
    assert "--reset needs --yes" in result.stderr


def test_demo_is_seeded_once_and_rebuilt_on_reset(home: Path) -> None:
    first = run_kootui("demo", "--no-open", home=home)
    assert first.returncode == 0, first.stderr
    database = home / "data" / "demo" / "kootui.db"
    assert database.exists()
    assert not (home / "data" / "kootui.db").exists()  # the real workspace is untouched
    again = run_kootui("demo", "--reset", "--yes", "--no-open", home=home)
    assert again.returncode == 0, again.stderr
    assert database.exists()


def test_theme_is_accepted_before_or_after_demo() -> None:
    from kootui.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["--theme", "kootui-light", "demo"]).theme == "kootui-light"
    assert parser.parse_args(["demo", "--theme", "kootui-ansi"]).theme == "kootui-ansi"
    assert parser.parse_args(["demo"]).theme is None
