"""``Settings``: the folders plus every section, typed (``settings.sending.rate``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic import ValidationError as PydanticValidationError

from kootui.core.config.models import (
    SECTIONS,
    DatabaseSection,
    DnsSection,
    HttpSection,
    MxSection,
    RelaySection,
    RetrySection,
    SendingSection,
    SmtpSection,
    UiSection,
    WebhooksSection,
    WebSection,
    WorkspaceSection,
)
from kootui.core.config.paths import Paths
from kootui.core.config.problems import refuse_unknown_keys, settings_error
from kootui.core.config.redact import redact_database_url
from kootui.core.errors import SettingsError
from kootui.core.private_files import make_private

SECRET_MARK = "********"
# A demo deployment's sending hosts, so the demo domains' records can be generated.
DEMO_SENDING: dict[str, Any] = {
    "spf_include": ("spf.northwind-mail.net",),
    "dmarc_rua": "dmarc@northwind-shop.com",
    "tracking_host": "track.northwind-mail.net",
    "mx_host": "mx.northwind-mail.net",
}


class Settings(BaseModel):
    """Built by ``load_settings`` (or ``with_values``), which check every value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    paths: Paths
    database: DatabaseSection = DatabaseSection()
    ui: UiSection = UiSection()
    workspace: WorkspaceSection = WorkspaceSection()
    dns: DnsSection = DnsSection()
    sending: SendingSection = SendingSection()
    retry: RetrySection = RetrySection()
    relay: RelaySection = RelaySection()
    http: HttpSection = HttpSection()
    smtp: SmtpSection = SmtpSection()
    mx: MxSection = MxSection()
    webhooks: WebhooksSection = WebhooksSection()
    web: WebSection = WebSection()
    keys: dict[str, str] = Field(
        default_factory=dict, description="[keys]: binding id -> key, such as 'ctrl+k'"
    )
    demo: bool = False

    @property
    def database_url(self) -> str:
        url = self.database.url.get_secret_value()
        if self.demo or not url:
            return f"sqlite:///{self.paths.database_file}"
        return url

    @property
    def uses_sqlite_file(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_values(self, **dotted: Any) -> Settings:
        """A copy with some values replaced and checked; '__' stands for the dot
        (``dns__port=5353``). A bad value raises SettingsError like ``load_settings``."""
        values: dict[str, dict[str, Any]] = {
            section: dict(getattr(self, section)) for section in SECTIONS
        }
        origins: dict[str, str] = {}
        for name, value in dotted.items():
            section, _, key = name.partition("__")
            values.setdefault(section, {})[key] = value
            origins[f"{section}.{key}"] = "with_values"
        return build_settings(self.paths, values, origins, keys=self.keys, demo=self.demo)

    def for_demo(self) -> Settings:
        """The separate demo workspace: its own database, keys and outbox."""
        demo_root = self.paths.demo_dir
        paths = Paths(demo_root, self.paths.config_dir, self.paths.state_dir)
        # Sending hosts the user configured are kept; the demo fills the empty ones.
        sending = {
            key: getattr(self.sending, key) or demo_value
            for key, demo_value in DEMO_SENDING.items()
        }
        return self.model_copy(
            update={
                "paths": paths,
                "workspace": self.workspace.model_copy(update={"name": "Demo workspace"}),
                "sending": self.sending.model_copy(update=sending),
                # Demo mail never leaves the machine: it goes to the demo outbox.
                "relay": self.relay.model_copy(update={"host": ""}),
                "demo": True,
            }
        )

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
        """Every section's values, safe to print: secrets are replaced by a marker and the
        database URL by its redacted form."""
        shown: dict[str, dict[str, Any]] = {}
        for section in SECTIONS:
            shown[section] = {}
            for key, value in getattr(self, section):
                if isinstance(value, SecretStr):
                    value = SECRET_MARK if value.get_secret_value() else ""
                shown[section][key] = value
        shown["database"]["url"] = redact_database_url(self.database.url.get_secret_value())
        return shown


def build_settings(
    paths: Paths,
    values: Mapping[str, Mapping[str, Any]],
    origins: Mapping[str, str],
    *,
    keys: Mapping[str, Any] | None = None,
    demo: bool = False,
) -> Settings:
    """Check ``values`` ({section: {key: value}}) and build Settings; ``origins`` says
    where each came from ({"dns.port": "KOOTUI_DNS_PORT"}) for the error message."""
    refuse_unknown_keys(values, origins)
    bindings: dict[str, str] = {}
    for binding, key in (keys or {}).items():
        if not isinstance(key, str) or not key.strip():
            raise SettingsError(
                f"must be a key name such as 'ctrl+k' ({origins.get('keys', 'keys')})",
                code="settings.bad_value",
                field=f"keys.{binding}",
            )
        bindings[binding] = key.strip()
    try:
        return Settings.model_validate({**values, "paths": paths, "keys": bindings, "demo": demo})
    except PydanticValidationError as exc:
        raise settings_error(exc, origins) from None
