from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

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
    assert settings.dns.nameservers == ("127.0.0.1",)
    assert settings.dns.port == 5353
    assert settings.dns.timeout == 1.5
    assert settings.workspace.name == "Acme"
    assert settings.keys == {"app.quit": "ctrl+q"}


def test_environment_overrides_config_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, "[dns]\nport = 5353\n[retry]\ndelays_minutes = [1, 2]\n")
    monkeypatch.setenv("KOOTUI_DNS_PORT", "5454")
    monkeypatch.setenv("KOOTUI_RETRY_DELAYS_MINUTES", "3, 4.5")
    monkeypatch.setenv("KOOTUI_DATABASE_URL", "postgresql://u@localhost/kootui")
    settings = load_settings()
    assert settings.dns.port == 5454
    assert settings.retry.delays_minutes == (3.0, 4.5)
    assert settings.database_url == "postgresql://u@localhost/kootui"


def test_defaults_fill_what_is_not_configured(home: Path) -> None:
    write_config(home, "[sending]\nrate = 10\n")
    settings = load_settings()
    assert settings.sending.rate == 10.0
    assert settings.sending.lease_seconds == 120.0
    assert settings.relay.tls == "starttls"


@pytest.mark.parametrize(
    ("config", "field", "expected"),
    [
        ("[dns]\ntimout = 3\n", "dns.timout", "unknown key; known: dns.nameservers"),
        ("[colours]\nx = 1\n", "[colours]", "unknown section; known: database, dns"),
        ("[dns]\nport = 'fifty'\n", "dns.port", "must be a valid integer"),
        ("[dns]\nport = true\n", "dns.port", "must be a number, not true or false"),
        ("[dns]\ntimeout = 1e400\n", "dns.timeout", "must be above 0, at most 60, not inf"),
        ("[relay]\ntls = 'sometimes'\n", "relay.tls", "must be 'implicit', 'starttls' or 'none'"),
        ("[database]\nurl = 'mysql://x/y'\n", "database.url", "must be sqlite or postgresql"),
        ("[database]\nurl = 'not a url'\n", "database.url", "is not a database URL"),
        ("[keys]\n'app.quit' = ''\n", "keys.app.quit", "must be a key name"),
        ("[retry]\ndelays_minutes = []\n", "retry.delays_minutes", "at least 1 item"),
        (
            "[retry]\ndelays_minutes = [5, -1]\n",
            "retry.delays_minutes",
            "must be above 0, at most 10080, not -1 (item 2)",
        ),
        ("[workspace]\nname = '   '\n", "workspace.name", "at least 1 character"),
        ("[dns]\nnameservers = 'a, b'\nport = 0\n", "dns.port", "must be 1 to 65535, not 0"),
    ],
)
def test_bad_config_names_the_key_and_the_file(
    home: Path, config: str, field: str, expected: str
) -> None:
    path = write_config(home, config)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert error.value.field == field
    assert expected in error.value.message
    assert str(path) in error.value.message
    assert "\n" not in str(error.value)


def test_invalid_toml_is_an_error(home: Path) -> None:
    write_config(home, "[dns\nport = 1\n")
    with pytest.raises(SettingsError, match="is not valid TOML"):
        load_settings()


def test_bad_environment_value_names_the_variable(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOOTUI_DNS_TIMEOUT", "soon")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value) == (
        "dns.timeout: must be a valid number, unable to parse string as a number "
        "(KOOTUI_DNS_TIMEOUT)"
    )


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
    monkeypatch.setenv("KOOTUI_DATABASE_URL", "postgresql://u:dbpass@localhost/k")
    settings = load_settings()
    assert settings.relay.password.get_secret_value() == "hunter2"
    assert settings.database_url == "postgresql://u:dbpass@localhost/k"
    shown = settings.redacted()
    assert shown["relay"]["password"] == "********"
    assert shown["database"]["url"] == "postgresql://u:***@localhost/k"
    for text in (repr(shown), repr(settings), str(settings)):
        assert "hunter2" not in text
        assert "dbpass" not in text


def test_a_bad_value_never_echoes_a_secret(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOOTUI_DATABASE_URL", "postgres ql://u:dbpass@localhost/k?x=1")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "dbpass" not in str(error.value)
    assert error.value.field == "database.url"


def test_with_values_checks_like_loading(home: Path) -> None:
    settings = load_settings()
    changed = settings.with_values(dns__port=5353, relay__password="pw")
    assert changed.dns.port == 5353
    assert changed.relay.password == SecretStr("pw")
    assert settings.dns.port == 53
    with pytest.raises(SettingsError) as error:
        settings.with_values(sending__lease_seconds=float("nan"))
    assert error.value.field == "sending.lease_seconds"
    assert "(with_values)" in error.value.message
    with pytest.raises(SettingsError) as error:
        settings.with_values(dns__timout=3)
    assert error.value.code == "settings.unknown_key"


def test_text_is_stripped_but_a_password_is_kept_as_given(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(home, '[sending]\nspf_include = [" spf.example.net ", ""]\n')
    monkeypatch.setenv("KOOTUI_RELAY_USERNAME", " mailer ")
    monkeypatch.setenv("KOOTUI_RELAY_PASSWORD", " pass word ")
    settings = load_settings()
    assert settings.relay.username == "mailer"
    assert settings.relay.password.get_secret_value() == " pass word "
    assert settings.sending.spf_include == ("spf.example.net",)


def test_with_values_keeps_secrets_and_keys(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, '[keys]\n"app.quit" = "ctrl+q"\n')
    monkeypatch.setenv("KOOTUI_RELAY_PASSWORD", "hunter2")
    changed = load_settings().with_values(dns__port=5353)
    assert changed.relay.password.get_secret_value() == "hunter2"
    assert changed.keys == {"app.quit": "ctrl+q"}


def test_demo_settings_use_their_own_store(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOOTUI_DATABASE_URL", "postgresql://u@localhost/prod")
    monkeypatch.setenv("KOOTUI_RELAY_HOST", "smtp.example.com")
    monkeypatch.setenv("KOOTUI_SENDING_MX_HOST", "mx.example.com")
    demo = load_settings().for_demo()
    assert demo.demo
    assert demo.database_url == f"sqlite:///{home / 'data' / 'demo' / 'kootui.db'}"
    assert demo.relay.host == ""
    assert demo.workspace.name == "Demo workspace"
    assert demo.sending.mx_host == "mx.example.com"
    assert demo.sending.tracking_host == "track.northwind-mail.net"
