"""The engine's side of the bounce secret: a secret it cannot use is the same clear
settings error the MX gives at its start, naming the file and the setting that needs it."""

from __future__ import annotations

import pytest

from kootui.core.config import Settings
from kootui.core.errors import SettingsError
from kootui.core.mail import verp_address, verp_message_id


def _with_secret(settings: Settings, content: bytes) -> Settings:
    keys = settings.paths.keys_dir
    keys.mkdir(parents=True, exist_ok=True)
    (keys / "bounce-secret").write_bytes(content)
    return settings.with_values(sending__mx_host="mx.sender.example")


def test_a_short_secret_is_a_settings_error_naming_the_file(settings: Settings) -> None:
    settings = _with_secret(settings, b"too short")
    with pytest.raises(SettingsError) as refused:
        verp_address(settings, "example.com", 7)
    assert refused.value.code == "sending.bounce_secret_unreadable"
    assert refused.value.field == "sending.mx_host"
    assert "bounce-secret is shorter than 32 bytes (9)" in str(refused.value)


def test_a_good_secret_gives_addresses_the_mx_takes_back(settings: Settings) -> None:
    settings = _with_secret(settings, bytes(range(32)))
    address = verp_address(settings, "example.com", 7)
    assert address.startswith("b-7-") and address.endswith("@bounce.example.com")
    assert verp_message_id(settings, address) == 7
    assert verp_message_id(settings, address.replace("b-7-", "b-8-")) is None
