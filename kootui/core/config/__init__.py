"""Where kootui keeps its files and what the user configured.

Order of precedence, highest first: command-line flags, ``KOOTUI_<SECTION>_<KEY>``
environment variables, ``config.toml`` in the config folder, built-in defaults.
``KOOTUI_HOME`` puts the data, config and state folders under one folder. Each section
is a typed model (``settings.sending.rate``) whose ranges are checked when settings load.

Nothing here touches the disk at import time; ``load_settings`` reads, and
``Settings.ensure_folders`` creates folders when a command needs them.
"""

from kootui.core.config.listen_rules import TlsListener, check_tls_listen, is_loopback
from kootui.core.config.loading import env_name, load_settings
from kootui.core.config.models import (
    MAX_PROCESSES,
    PROCESSES_PER_CORE,
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
    listen_host_port,
    max_processes,
)
from kootui.core.config.paths import APP_NAME, Paths, default_paths
from kootui.core.config.redact import redact_database_url
from kootui.core.config.settings import Settings

__all__ = [
    "APP_NAME",
    "MAX_PROCESSES",
    "PROCESSES_PER_CORE",
    "SECTIONS",
    "DatabaseSection",
    "DnsSection",
    "HttpSection",
    "MxSection",
    "Paths",
    "RelaySection",
    "RetrySection",
    "SendingSection",
    "Settings",
    "SmtpSection",
    "TlsListener",
    "UiSection",
    "WebSection",
    "WebhooksSection",
    "WorkspaceSection",
    "check_tls_listen",
    "default_paths",
    "env_name",
    "is_loopback",
    "listen_host_port",
    "load_settings",
    "max_processes",
    "redact_database_url",
]
