"""Where kootui keeps its files and what the user configured.

Order of precedence, highest first: command-line flags, ``KOOTUI_<SECTION>_<KEY>``
environment variables, ``config.toml`` in the config folder, built-in defaults.
``KOOTUI_HOME`` puts the data, config and state folders under one folder.

Nothing here touches the disk at import time; ``load_settings`` reads, and
``Settings.ensure_folders`` creates folders when a command needs them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from platformdirs import PlatformDirs

from kootui.core.errors import SettingsError
from kootui.core.private_files import make_private

APP_NAME = "kootui"


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a whole number")
    return int(value)


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    return float(value)


def _as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _as_str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError("expected a list of text values")


def _as_positive_float_list(value: Any) -> tuple[float, ...]:
    numbers = tuple(float(item) for item in _as_str_list(value))
    if not numbers or any(number <= 0 for number in numbers):
        raise ValueError("expected a list of numbers above zero")
    return numbers


@dataclass(frozen=True)
class Option:
    parse: Callable[[Any], Any]
    default: Any
    help: str
    secret: bool = False


# Every key config.toml may hold. A key not listed here is an error, so a typo
# never silently falls back to a default. Later features add their keys here.
SCHEMA: dict[str, dict[str, Option]] = {
    "database": {
        "url": Option(
            _as_str, "", "SQLAlchemy URL; empty means the SQLite file in the data folder"
        ),
    },
    "ui": {
        "theme": Option(_as_str, "kootui-dark", "theme used when none was chosen in the app"),
    },
    "workspace": {
        "name": Option(
            _as_str, "My workspace", "a new workspace's name (later: kootui workspace set)"
        ),
        "max_domains": Option(
            _as_int, 10, "a new workspace's domain quota (later: kootui workspace set)"
        ),
    },
    "dns": {
        "nameservers": Option(_as_str_list, (), "resolvers to ask instead of the system's"),
        "port": Option(_as_int, 53, "port of the configured resolvers"),
        "timeout": Option(_as_float, 5.0, "seconds to wait for one DNS answer"),
    },
    "sending": {
        "spf_include": Option(
            _as_str_list, (), "SPF include: terms for the hosts kootui sends from"
        ),
        "spf_ip4": Option(_as_str_list, (), "SPF ip4: terms"),
        "spf_ip6": Option(_as_str_list, (), "SPF ip6: terms"),
        "dmarc_rua": Option(_as_str, "", "address that receives DMARC aggregate reports"),
        "tracking_host": Option(_as_str, "", "host the tracking CNAME points to"),
        "tracking_label": Option(_as_str, "tracking", "label of the tracking CNAME"),
        "mx_host": Option(_as_str, "", "inbound host for replies and bounces"),
        "rate": Option(_as_float, 0.0, "messages per second, workspace-wide; 0 means no limit"),
        "lease_seconds": Option(
            _as_float, 120.0, "how long a claimed message stays reserved for its worker"
        ),
        "batch_size": Option(_as_int, 200, "messages a worker claims at once"),
        "in_flight": Option(_as_int, 400, "messages a worker holds between claim and record"),
        "processes": Option(_as_int, 0, "sending processes of kootui worker; 0 means one per core"),
    },
    "retry": {
        "delays_minutes": Option(
            _as_positive_float_list, (5.0, 15.0, 30.0, 60.0), "waits before the first retries"
        ),
        "repeat_minutes": Option(_as_float, 120.0, "wait between later retries"),
        "jitter": Option(_as_float, 0.1, "random share added to or taken from later waits"),
        "give_up_hours": Option(_as_float, 120.0, "a deferred message fails after this long"),
    },
    "relay": {
        "host": Option(_as_str, "", "smart host; empty means the offline outbox"),
        "port": Option(_as_int, 587, "smart host port"),
        "tls": Option(_as_str, "starttls", "implicit, starttls or none (loopback only)"),
        "username": Option(_as_str, "", "AUTH user name"),
        "password": Option(_as_str, "", "AUTH password (prefer KOOTUI_RELAY_PASSWORD)", True),
        "concurrency": Option(_as_int, 4, "persistent connections to the smart host"),
        "connect_timeout": Option(_as_float, 300.0, "seconds to wait for the 220 greeting"),
        "command_timeout": Option(_as_float, 300.0, "seconds to wait for a command's reply"),
        "dot_timeout": Option(_as_float, 600.0, "seconds to wait for the reply to the final '.'"),
    },
    # Free-form: binding id -> key; the TUI checks the ids against its registry.
    "keys": {},
}


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    config_dir: Path
    state_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def database_file(self) -> Path:
        return self.data_dir / "kootui.db"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def user_themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "kootui.log"

    @property
    def ui_state_file(self) -> Path:
        return self.state_dir / "ui-state.json"

    @property
    def demo_dir(self) -> Path:
        return self.data_dir / "demo"


def default_paths(environ: Mapping[str, str]) -> Paths:
    home = environ.get("KOOTUI_HOME", "").strip()
    if home:
        root = Path(home).expanduser()
        return Paths(root / "data", root / "config", root / "state")
    dirs = PlatformDirs(APP_NAME, appauthor=False)
    return Paths(Path(dirs.user_data_dir), Path(dirs.user_config_dir), Path(dirs.user_state_dir))


DEMO_SENDING: dict[str, Any] = {
    "spf_include": ("spf.northwind-mail.net",),
    "dmarc_rua": "dmarc@northwind-shop.com",
    "tracking_host": "track.northwind-mail.net",
    "mx_host": "mx.northwind-mail.net",
}


@dataclass(frozen=True)
class Settings:
    paths: Paths
    values: dict[str, dict[str, Any]]
    keys: dict[str, str] = field(default_factory=dict)
    demo: bool = False

    def get(self, dotted: str) -> Any:
        section, key = dotted.split(".", 1)
        return self.values[section][key]

    @property
    def database_url(self) -> str:
        url = self.get("database.url")
        if self.demo or not url:
            return f"sqlite:///{self.paths.database_file}"
        return url

    @property
    def uses_sqlite_file(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_values(self, **dotted: Any) -> Settings:
        """A copy with some values replaced; keys use '__' for the dot (dns__port=5353)."""
        values = {section: dict(keys) for section, keys in self.values.items()}
        for name, value in dotted.items():
            section, key = name.split("__", 1)
            values[section][key] = _parse(section, key, value, "override")
        return replace(self, values=values)

    def for_demo(self) -> Settings:
        """The separate demo workspace: its own database, keys and outbox."""
        demo_root = self.paths.demo_dir
        paths = Paths(demo_root, self.paths.config_dir, self.paths.state_dir)
        values = {section: dict(keys) for section, keys in self.values.items()}
        values["workspace"]["name"] = "Demo workspace"
        # A demo deployment's sending hosts, so the demo domains' records can be generated;
        # values the user configured are kept.
        for key, demo_value in DEMO_SENDING.items():
            values["sending"][key] = values["sending"].get(key) or demo_value
        # Demo mail never leaves the machine: it goes to the demo workspace's outbox.
        values["relay"]["host"] = ""
        return replace(self, paths=paths, values=values, demo=True)

    def ensure_folders(self) -> None:
        """Create the folders a running console needs (mode 0700, an existing one tightened to
        it) and check they are writable."""
        for folder in (self.paths.data_dir, self.paths.config_dir, self.paths.state_dir):
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise SettingsError(
                    f"cannot create folder {folder}: {exc.strerror}", code="settings.folder"
                ) from exc
            if not os.access(folder, os.W_OK | os.X_OK):
                raise SettingsError(f"folder {folder} is not writable", code="settings.folder")
            make_private(folder)  # mkdir's mode is for new folders only; warns if it cannot

    def redacted(self) -> dict[str, dict[str, Any]]:
        """Values safe to print: secrets are replaced by a marker."""
        shown: dict[str, dict[str, Any]] = {}
        for section, keys in self.values.items():
            shown[section] = {}
            for key, value in keys.items():
                option = SCHEMA[section].get(key)
                shown[section][key] = "********" if option and option.secret and value else value
        shown["database"]["url"] = redact_database_url(shown["database"]["url"])
        return shown


def redact_database_url(url: str) -> str:
    """The URL with its password replaced, safe to print or log."""
    if not url:
        return url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def _parse(section: str, key: str, raw: Any, source: str) -> Any:
    option = SCHEMA[section][key]
    try:
        return option.parse(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(
            f"{source}: {section}.{key} has a bad value ({exc})", code="settings.bad_value"
        ) from exc


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


def _validate_database_url(url: str) -> None:
    if not url:
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise SettingsError(
            f"database.url is not a database URL: {url!r}", code="settings.bad_url"
        ) from exc
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise SettingsError(
            f"database.url must be sqlite or postgresql, not {parsed.get_backend_name()!r}",
            code="settings.bad_url",
        )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read config.toml and KOOTUI_* variables; raise SettingsError on anything unknown or bad."""
    env = os.environ if environ is None else environ
    paths = default_paths(env)
    values = {
        section: {key: option.default for key, option in options.items()}
        for section, options in SCHEMA.items()
    }
    keys: dict[str, str] = {}
    source = str(paths.config_file)
    for section, table in _read_config_file(paths.config_file).items():
        if section not in SCHEMA:
            raise SettingsError(
                f"{source}: unknown section [{section}] (known: {', '.join(sorted(SCHEMA))})",
                code="settings.unknown_key",
            )
        if not isinstance(table, dict):
            raise SettingsError(f"{source}: {section} must be a table", code="settings.bad_value")
        if section == "keys":
            for binding, key in table.items():
                if not isinstance(key, str) or not key.strip():
                    raise SettingsError(
                        f"{source}: keys.{binding} must be a key name such as 'ctrl+k'",
                        code="settings.bad_value",
                    )
                keys[binding] = key.strip()
            continue
        for key, raw in table.items():
            if key not in SCHEMA[section]:
                known = ", ".join(f"{section}.{name}" for name in SCHEMA[section])
                raise SettingsError(
                    f"{source}: unknown key {section}.{key} (known: {known})",
                    code="settings.unknown_key",
                )
            values[section][key] = _parse(section, key, raw, source)
    for section, options in SCHEMA.items():
        for key in options:
            name = f"KOOTUI_{section.upper()}_{key.upper()}"
            if name in env:
                values[section][key] = _parse(section, key, env[name], name)
    _validate_database_url(values["database"]["url"])
    if values["relay"]["tls"] not in {"implicit", "starttls", "none"}:
        raise SettingsError(
            "relay.tls must be implicit, starttls or none", code="settings.bad_value"
        )
    return Settings(paths=paths, values=values, keys=keys)
