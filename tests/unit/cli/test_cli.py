"""The command line as a user meets it: help, exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kootui.cli import main


def run_kootui(
    *args: str, home: Path, settings: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("KOOTUI_")}
    env["KOOTUI_HOME"] = str(home)
    env.update(settings or {})
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
    assert "dns.timout: unknown key" in lines[0]


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
    assert "database.url: must be sqlite or postgresql" in result.stderr


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


def test_config_hides_secrets_in_the_database_url_query(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "KOOTUI_DATABASE_URL",
        "postgresql://user:dbpass@localhost/k?sslpassword=certpass&application_name=kootui",
    )
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "dbpass" not in out
    assert "certpass" not in out
    assert "postgresql://user:***@localhost/k?sslpassword=***&application_name=kootui" in out


@pytest.mark.parametrize("command", [["db", "current"], ["worker", "--until-idle"]])
def test_a_store_that_cannot_be_opened_is_named_without_its_secrets(
    home: Path, command: list[str]
) -> None:
    url = "postgresql://user:dbpass@127.0.0.1:1/k?password=qpass&sslmode=disable"
    result = run_kootui(*command, home=home, settings={"KOOTUI_DATABASE_URL": url})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cannot open the database postgresql" in lines[0]
    assert "user:***@127.0.0.1:1/k?password=***" in lines[0]
    assert "dbpass" not in result.stderr
    assert "qpass" not in result.stderr


@pytest.mark.parametrize("command", [[], ["config"], ["worker", "--until-idle"]])
def test_an_absurd_setting_stops_each_face_on_one_line(home: Path, command: list[str]) -> None:
    result = run_kootui(*command, home=home, settings={"KOOTUI_SENDING_LEASE_SECONDS": "nan"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "kootui: error: sending.lease_seconds: must be above 0, at most 86400, not 'nan' "
        "(KOOTUI_SENDING_LEASE_SECONDS)"
    ]
    assert not (home / "data").exists()


def test_worker_processes_are_bounded(home: Path) -> None:
    from kootui.core.config import max_processes

    result = run_kootui("worker", "--processes", "500", home=home)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"kootui: error: --processes: must be 0 (one per core) to {max_processes()} "
        "on this machine (4 per core, 64 in all), not 500"
    ]
    assert not (home / "data").exists()


def test_worker_holds_the_setting_to_this_machine(home: Path) -> None:
    from kootui.core.config import MAX_PROCESSES, max_processes

    too_many = max_processes() + 1
    if too_many > MAX_PROCESSES:
        pytest.skip("this machine allows the most processes settings accept")
    settings = {"KOOTUI_SENDING_PROCESSES": str(too_many)}
    # The console and `kootui config` still open with it: only the worker starts processes.
    assert run_kootui("config", home=home, settings=settings).returncode == 0
    result = run_kootui("worker", "--until-idle", home=home, settings=settings)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"kootui: error: sending.processes: must be 0 (one per core) to {max_processes()} "
        f"on this machine (4 per core, 64 in all), not {too_many}"
    ]
    assert not (home / "data").exists()


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
