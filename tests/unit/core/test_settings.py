from __future__ import annotations

from pathlib import Path

import pytest

from kootui.core.config import load_settings
from kootui.core.errors import SettingsError


def write_config(home: Path, text: str) -> Path:
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_kootui_home_puts_every_folder_under_it(home: Path) -> None:
    settings = load_settings()
    assert settings.paths.data_dir == home / "data"
    assert settings.paths.config_dir == home / "config"
    assert settings.paths.state_dir == home / "state"
    assert settings.database_url == f"sqlite:///{home / 'data' / 'kootui.db'}"


def test_loading_settings_creates_nothing(home: Path) -> None:
    load_settings()
    assert not home.exists()


def test_ensure_folders_creates_private_folders(home: Path) -> None:
    settings = load_settings()
    settings.ensure_folders()
    for folder in (settings.paths.data_dir, settings.paths.config_dir, settings.paths.state_dir):
        assert folder.is_dir()
        assert folder.stat().st_mode & 0o077 == 0


def test_config_file_values_are_read_and_typed(home: Path) -> None:
    write_config(
        home,
        '[dns]\nnameservers = ["127.0.0.1"]\nport = 5353\ntimeout = 1.5\n'
        '[workspace]\nname = "Acme"\n[keys]\n"app.quit" = "ctrl+q"\n',
    )
    settings = load_settings()
    assert settings.get("dns.nameservers") == ("127.0.0.1",)
    assert settings.get("dns.port") == 5353
    assert settings.get("dns.timeout") == 1.5
    assert settings.get("workspace.name") == "Acme"
    assert settings.keys == {"app.quit": "ctrl+q"}


def test_environment_overrides_config_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, "[dns]\nport = 5353\n")
    monkeypatch.setenv("KOOTUI_DNS_PORT", "5454")
    monkeypatch.setenv("KOOTUI_DATABASE_URL", "postgresql://u@localhost/kootui")
    settings = load_settings()
    assert settings.get("dns.port") == 5454
    assert settings.database_url == "postgresql://u@localhost/kootui"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("[dns]\ntimout = 3\n", "unknown key dns.timout"),
        ("[colours]\nx = 1\n", "unknown section [colours]"),
        ("[dns]\nport = 'fifty'\n", "dns.port has a bad value"),
        ("[dns\nport = 1\n", "is not valid TOML"),
        ("[relay]\ntls = 'sometimes'\n", "relay.tls must be"),
        ("[database]\nurl = 'mysql://x/y'\n", "must be sqlite or postgresql"),
        ("[database]\nurl = 'not a url'\n", "is not a database URL"),
        ("[keys]\n'app.quit' = ''\n", "keys.app.quit must be a key name"),
    ],
)
def test_bad_config_names_the_problem(home: Path, config: str, expected: str) -> None:
    write_config(home, config)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert expected in error.value.message


def test_bad_environment_value_names_the_variable(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOOTUI_DNS_TIMEOUT", "soon")
    with pytest.raises(SettingsError, match=r"KOOTUI_DNS_TIMEOUT: dns\.timeout has a bad value"):
        load_settings()


def test_unreadable_config_file_is_an_error(home: Path) -> None:
    path = write_config(home, "")
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings()


def test_unwritable_folder_is_named(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv("KOOTUI_HOME", str(blocker / "inside"))
    settings = load_settings()
    with pytest.raises(SettingsError, match="cannot create folder"):
        settings.ensure_folders()


def test_secrets_are_redacted(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOOTUI_RELAY_PASSWORD", "hunter2")
    settings = load_settings()
    assert settings.get("relay.password") == "hunter2"
    assert "hunter2" not in repr(settings.redacted())


def test_demo_settings_use_their_own_store(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOOTUI_DATABASE_URL", "postgresql://u@localhost/prod")
    demo = load_settings().for_demo()
    assert demo.demo
    assert demo.database_url == f"sqlite:///{home / 'data' / 'demo' / 'kootui.db'}"
