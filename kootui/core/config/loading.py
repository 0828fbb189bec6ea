"""``load_settings``: defaults, then config.toml, then ``KOOTUI_<SECTION>_<KEY>``."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kootui.core.config.models import SECTIONS
from kootui.core.config.paths import default_paths
from kootui.core.config.problems import refuse_unknown_keys
from kootui.core.config.settings import Settings, build_settings
from kootui.core.errors import SettingsError


def env_name(section: str, key: str) -> str:
    return f"KOOTUI_{section.upper()}_{key.upper()}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read config.toml and KOOTUI_* variables; raise SettingsError on anything unknown or bad.

    Reads only: no folder or file is created (``Settings.ensure_folders`` does that)."""
    env = os.environ if environ is None else environ
    paths = default_paths(env)
    source = str(paths.config_file)
    values: dict[str, dict[str, Any]] = {}
    origins: dict[str, str] = {}
    from_file = _read_config_file(paths.config_file)
    keys = from_file.pop("keys", {})
    if not isinstance(keys, dict):
        raise SettingsError(f"must be a table ({source})", code="settings.bad_value", field="keys")
    origins["keys"] = source
    for section, table in from_file.items():
        origins[section] = source
        refuse_unknown_keys({section: table}, origins)
        values[section] = dict(table)
        origins.update({f"{section}.{key}": source for key in table})
    for section, model in SECTIONS.items():
        for key in model.model_fields:
            name = env_name(section, key)
            if name in env:
                values.setdefault(section, {})[key] = env[name]
                origins[f"{section}.{key}"] = name
    return build_settings(paths, values, origins, keys=keys)


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}", code="settings.unreadable") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}", code="settings.unreadable") from exc
