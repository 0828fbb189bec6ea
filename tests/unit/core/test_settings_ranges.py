"""Every setting has a type and a range, checked when settings load (issue 18, class 2).

The numeric cases are built from the models' fields, so a new field is covered the day
it is added."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, get_args, get_origin

import pytest

from kootui.core.config import (
    MAX_PROCESSES,
    SECTIONS,
    env_name,
    load_settings,
    max_processes,
)
from kootui.core.errors import SettingsError


def _is_numeric(annotation: object) -> bool:
    """int, float, or a tuple of (constrained) numbers such as retry.delays_minutes."""
    if get_origin(annotation) is tuple:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation in (int, float)


NUMERIC_KEYS = [
    f"{section}.{key}"
    for section, model in SECTIONS.items()
    for key, field in model.model_fields.items()
    if _is_numeric(field.annotation)
]
ALL_KEYS = [f"{section}.{key}" for section, model in SECTIONS.items() for key in model.model_fields]


def test_the_numeric_settings_are_found() -> None:
    # Guards the parametrisation below: if the detection broke, it would test nothing.
    assert {"sending.rate", "relay.port", "retry.delays_minutes", "sending.processes"} <= set(
        NUMERIC_KEYS
    )
    assert "sending.tracking_host" not in NUMERIC_KEYS
    assert len(NUMERIC_KEYS) >= 17


@pytest.mark.parametrize("dotted", NUMERIC_KEYS)
@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "-1", "1e308"])
def test_absurd_numbers_are_refused_naming_the_key(
    home: Path, monkeypatch: pytest.MonkeyPatch, dotted: str, raw: str
) -> None:
    section, key = dotted.split(".")
    variable = env_name(section, key)
    monkeypatch.setenv(variable, raw)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert error.value.field == dotted
    assert error.value.code == "settings.bad_value"
    assert str(error.value).startswith(f"{dotted}: must be ")
    assert str(error.value).endswith(f"({variable})")


@pytest.mark.parametrize("dotted", NUMERIC_KEYS)
@pytest.mark.parametrize("literal", ["nan", "-inf", "-1", "1e308", "true"])
def test_absurd_numbers_in_config_toml_are_refused_naming_the_key(
    home: Path, dotted: str, literal: str
) -> None:
    # TOML has nan and inf literals of its own, so the file needs the same guard.
    section, key = dotted.split(".")
    annotation = SECTIONS[section].model_fields[key].annotation
    value = f"[{literal}]" if get_origin(annotation) is tuple else literal
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(f"[{section}]\n{key} = {value}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert error.value.field == dotted
    assert str(error.value).endswith(f"({path})")


@pytest.mark.parametrize("dotted", ALL_KEYS)
def test_every_setting_is_described(dotted: str) -> None:
    section, key = dotted.split(".")
    description = SECTIONS[section].model_fields[key].description
    assert description and len(description) > 10


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("KOOTUI_SENDING_LEASE_SECONDS", "0", "must be above 0, at most 86400, not '0'"),
        ("KOOTUI_RELAY_CONNECT_TIMEOUT", "-1", "must be above 0, at most 3600, not '-1'"),
        ("KOOTUI_DNS_PORT", "65536", "must be 1 to 65535, not '65536'"),
        ("KOOTUI_RELAY_PORT", "0", "must be 1 to 65535, not '0'"),
        ("KOOTUI_RETRY_JITTER", "0.6", "must be 0 to 0.5, not '0.6'"),
        ("KOOTUI_SENDING_BATCH_SIZE", "2.5", "must be a valid integer"),
        (
            "KOOTUI_RETRY_DELAYS_MINUTES",
            "5, nan",
            "must be above 0, at most 10080, not 'nan' (item 2)",
        ),
    ],
)
def test_range_messages_say_what_is_allowed(
    home: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert expected in error.value.message


def test_values_at_the_edges_of_their_ranges_load(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in [
        ("KOOTUI_DNS_PORT", "65535"),
        ("KOOTUI_RELAY_PORT", "1"),
        ("KOOTUI_SENDING_RATE", "0"),
        ("KOOTUI_SENDING_LEASE_SECONDS", "86400"),
        ("KOOTUI_RETRY_JITTER", "0.5"),
        ("KOOTUI_SENDING_PROCESSES", str(max_processes())),
    ]:
        monkeypatch.setenv(variable, value)
    settings = load_settings()
    assert settings.dns.port == 65535
    assert settings.sending.lease_seconds == 86400.0
    assert settings.sending.processes == max_processes()


def test_processes_are_bounded(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert max_processes(1) == 4
    assert max_processes(2) == 8
    assert max_processes(1000) == MAX_PROCESSES
    monkeypatch.setenv("KOOTUI_SENDING_PROCESSES", str(MAX_PROCESSES + 1))
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert error.value.field == "sending.processes"
    assert "must be 0 to 64, not '65'" in error.value.message


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("track.example.com", "track.example.com"),
        ("Track.Example.COM.", "track.example.com"),
        ("  track.example.com  ", "track.example.com"),
        ("", ""),
    ],
)
def test_tracking_host_is_normalised(
    home: Path, monkeypatch: pytest.MonkeyPatch, configured: str, expected: str
) -> None:
    monkeypatch.setenv("KOOTUI_SENDING_TRACKING_HOST", configured)
    assert load_settings().sending.tracking_host == expected


@pytest.mark.parametrize(
    "configured",
    [
        "https://track.example/",
        "track.example/u",
        "track.example:8443",
        "track example.com",
        "track..example.com",
        "-track.example.com",
        "track.example.com?x=1",
        "evil.com/x?y=",
        "a" * 64 + ".example.com",
        "localhost",
    ],
)
def test_tracking_host_must_be_a_bare_host_name(
    home: Path, monkeypatch: pytest.MonkeyPatch, configured: str
) -> None:
    monkeypatch.setenv("KOOTUI_SENDING_TRACKING_HOST", configured)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert error.value.field == "sending.tracking_host"
    assert "must be a bare host name such as track.example.com" in error.value.message
