"""What the user can configure: one pydantic model per ``config.toml`` section.

Every field has a type, a range and a description. A number outside its range, ``nan``
or ``inf`` is refused when settings load, so a typo stops kootui at start with one line
naming the key instead of turning into endless fake timeouts an hour later.
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Any, Literal, get_origin

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from kootui.core.config.redact import redact_database_url

# More engine processes than this per core only queue for the same CPU and store lock.
PROCESSES_PER_CORE = 4
MAX_PROCESSES = 64
# The bounds of the waits: a day for anything about one message, a week between retries.
DAY_SECONDS = 86_400.0
HOUR_SECONDS = 3_600.0
WEEK_MINUTES = 10_080.0
# A public host name: two or more dot-separated labels of letters, digits and inner hyphens.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})+")


def max_processes(cpu_count: int | None = None) -> int:
    """The most engine processes kootui starts on a machine with ``cpu_count`` cores."""
    cores = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    return min(MAX_PROCESSES, PROCESSES_PER_CORE * cores)


class Section(BaseModel):
    """A ``[section]`` of config.toml; its fields are the keys it may hold."""

    # Not str_strip_whitespace: it would strip SecretStr too, and a password may end in
    # a blank. Text and list items are stripped below instead.
    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _from_text_and_toml(cls, value: Any, info: ValidationInfo) -> Any:
        annotation = cls.model_fields[info.field_name or ""].annotation
        # pydantic would take true as 1; in config.toml it is a mistake, not a number.
        if isinstance(value, bool) and annotation in (int, float):
            raise ValueError("must be a number, not true or false")
        if isinstance(value, str) and annotation is str:
            return value.strip()
        if get_origin(annotation) is tuple:
            # An environment variable holds a list as comma-separated text.
            items = value.split(",") if isinstance(value, str) else value
            if isinstance(items, list | tuple):
                if any(isinstance(item, bool) for item in items):
                    raise ValueError("must not hold true or false")
                stripped = (item.strip() if isinstance(item, str) else item for item in items)
                return tuple(item for item in stripped if item != "")
        return value


RetryDelay = Annotated[float, Field(gt=0, le=WEEK_MINUTES, allow_inf_nan=False)]


class DatabaseSection(Section):
    url: SecretStr = Field(
        default=SecretStr(""),
        description="SQLAlchemy URL, sqlite or postgresql; empty means the SQLite file in "
        "the data folder. Kept secret: it may hold a password.",
    )

    @field_validator("url")
    @classmethod
    def _sqlite_or_postgresql(cls, url: SecretStr) -> SecretStr:
        text = url.get_secret_value()
        if not text:
            return url
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            backend = make_url(text).get_backend_name()
        except ArgumentError:
            raise ValueError(f"is not a database URL: {redact_database_url(text)!r}") from None
        if backend not in {"sqlite", "postgresql"}:
            raise ValueError(f"must be sqlite or postgresql, not {backend!r}")
        return url


class UiSection(Section):
    theme: str = Field(
        default="kootui-dark", description="theme used when none was chosen in the app"
    )


class WorkspaceSection(Section):
    name: str = Field(
        default="My workspace",
        min_length=1,
        max_length=100,
        description="a new workspace's name (later: kootui workspace set)",
    )
    max_domains: int = Field(
        default=10,
        ge=1,
        le=1000,
        description="a new workspace's domain quota (later: kootui workspace set)",
    )


class DnsSection(Section):
    nameservers: tuple[str, ...] = Field(
        default=(), max_length=16, description="resolvers to ask instead of the system's"
    )
    port: int = Field(default=53, ge=1, le=65535, description="port of the configured resolvers")
    timeout: float = Field(
        default=5.0,
        gt=0,
        le=60,
        allow_inf_nan=False,
        description="seconds to wait for one DNS answer",
    )


class SendingSection(Section):
    spf_include: tuple[str, ...] = Field(
        default=(), description="SPF include: terms for the hosts kootui sends from"
    )
    spf_ip4: tuple[str, ...] = Field(default=(), description="SPF ip4: terms")
    spf_ip6: tuple[str, ...] = Field(default=(), description="SPF ip6: terms")
    dmarc_rua: str = Field(default="", description="address that receives DMARC aggregate reports")
    tracking_host: str = Field(
        default="",
        description="bare host name (no scheme, path or port) that unsubscribe links and the "
        "tracking CNAME point to, such as track.example.com",
    )
    tracking_label: str = Field(default="tracking", description="label of the tracking CNAME")
    mx_host: str = Field(default="", description="inbound host for replies and bounces")
    bounce_label: str = Field(
        default="bounce",
        description="label of the bounce host under each sender domain (bounce.example.com): "
        "the VERP return path's domain, whose MX is mx_host",
    )
    rate: float = Field(
        default=0.0,
        ge=0,
        le=100_000,
        allow_inf_nan=False,
        description="messages per second, workspace-wide; 0 means no limit",
    )
    lease_seconds: float = Field(
        default=120.0,
        gt=0,
        le=DAY_SECONDS,
        allow_inf_nan=False,
        description="seconds a claimed message stays reserved for its worker",
    )
    batch_size: int = Field(
        default=200, ge=1, le=10_000, description="messages a worker claims at once"
    )
    in_flight: int = Field(
        default=400,
        ge=1,
        le=100_000,
        description="messages a worker holds between claim and record",
    )
    # The static bound is checked at load; kootui worker also holds it to this machine's
    # max_processes(), so a config file shared with a bigger machine still opens the console.
    processes: int = Field(
        default=0,
        ge=0,
        le=MAX_PROCESSES,
        description="sending processes of kootui worker; 0 means one per core; kootui worker "
        f"runs at most {PROCESSES_PER_CORE} per core",
    )

    @field_validator("bounce_label")
    @classmethod
    def _one_label(cls, label: str) -> str:
        label = label.lower()
        if not re.fullmatch(_LABEL, label):
            raise ValueError(f"must be one DNS label such as bounce, not {label!r}")
        return label

    @field_validator("tracking_host")
    @classmethod
    def _bare_host_name(cls, host: str) -> str:
        host = host.lower().removesuffix(".")
        if host and not _HOST_NAME.fullmatch(host):
            raise ValueError(
                f"must be a bare host name such as track.example.com (no scheme, path, port "
                f"or spaces), not {host!r}"
            )
        return host


class RetrySection(Section):
    delays_minutes: tuple[RetryDelay, ...] = Field(
        default=(5.0, 15.0, 30.0, 60.0),
        min_length=1,
        max_length=20,
        description="minutes to wait before each of the first retries",
    )
    repeat_minutes: float = Field(
        default=120.0,
        gt=0,
        le=WEEK_MINUTES,
        allow_inf_nan=False,
        description="minutes between later retries",
    )
    jitter: float = Field(
        default=0.1,
        ge=0,
        le=0.5,
        allow_inf_nan=False,
        description="random share added to or taken from later waits",
    )
    give_up_hours: float = Field(
        default=120.0,
        gt=0,
        le=24 * 365,
        allow_inf_nan=False,
        description="a deferred message fails after this many hours",
    )


class RelaySection(Section):
    host: str = Field(default="", description="smart host; empty means the offline outbox")
    port: int = Field(default=587, ge=1, le=65535, description="smart host port")
    tls: Literal["implicit", "starttls", "none"] = Field(
        default="starttls", description="implicit, starttls or none (loopback only)"
    )
    username: str = Field(default="", description="AUTH user name")
    password: SecretStr = Field(
        default=SecretStr(""), description="AUTH password (prefer KOOTUI_RELAY_PASSWORD)"
    )
    concurrency: int = Field(
        default=4, ge=1, le=256, description="persistent connections to the smart host"
    )
    connect_timeout: float = Field(
        default=300.0,
        gt=0,
        le=HOUR_SECONDS,
        allow_inf_nan=False,
        description="seconds to wait for the 220 greeting",
    )
    command_timeout: float = Field(
        default=300.0,
        gt=0,
        le=HOUR_SECONDS,
        allow_inf_nan=False,
        description="seconds to wait for a command's reply",
    )
    dot_timeout: float = Field(
        default=600.0,
        gt=0,
        le=HOUR_SECONDS,
        allow_inf_nan=False,
        description="seconds to wait for the reply to the final '.'",
    )


_LISTEN = re.compile(r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9.-]+)):(?P<port>\d{1,5})")


class HttpSection(Section):
    listen: str = Field(
        default="127.0.0.1:8025",
        description="host:port (or [v6]:port) `kootui serve` listens on; a non-loopback "
        "address needs TLS or behind_proxy",
    )
    tls_cert: str = Field(default="", description="PEM certificate file for HTTPS")
    tls_key: str = Field(default="", description="PEM private key file for HTTPS")
    behind_proxy: bool = Field(
        default=False, description="a reverse proxy terminates TLS in front of kootui serve"
    )
    trusted_proxies: tuple[str, ...] = Field(
        default=("127.0.0.1",),
        description="addresses whose X-Forwarded-For/-Proto are believed (behind_proxy)",
    )
    key_rate: float = Field(
        default=1000.0,
        ge=0,
        le=100_000,
        allow_inf_nan=False,
        description="requests per second an API key may make (0: no limit); a key may set its own",
    )
    key_burst: float = Field(
        default=2000.0,
        ge=1,
        le=1_000_000,
        allow_inf_nan=False,
        description="requests an idle API key may make at once",
    )
    max_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="largest request body (4 MB of attachments is ~5.6 MB in base64)",
    )
    group_commit_ms: float = Field(
        default=2.0,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="how long accepted messages wait for others to share their commit",
    )
    key_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=60,
        allow_inf_nan=False,
        description="how long a checked API key is trusted before it is read again "
        "(a revocation takes effect within this)",
    )
    tracked_events_per_hour: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="opens, and clicks, the tracking host stores per message in an hour; "
        "more are answered but not stored (the first always is)",
    )

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, listen: str) -> str:
        matched = _LISTEN.fullmatch(listen)
        if matched is None or not 0 < int(matched.group("port")) <= 65535:
            raise ValueError("must be host:port, such as 127.0.0.1:8025 or [::1]:8025")
        return listen

    @property
    def host(self) -> str:
        matched = _LISTEN.fullmatch(self.listen)
        assert matched is not None  # checked when the settings loaded
        return matched.group("v6") or matched.group("host")

    @property
    def port(self) -> int:
        return int(self.listen.rsplit(":", 1)[1])


def _listen_or_off(listen: str) -> str:
    matched = _LISTEN.fullmatch(listen)
    if listen and (matched is None or not 0 < int(matched.group("port")) <= 65535):
        raise ValueError('must be host:port, such as 127.0.0.1:2525, or "" for off')
    return listen


def listen_host_port(listen: str) -> tuple[str, int]:
    """(host, port) of a checked ``host:port`` (a v6 host without its brackets)."""
    matched = _LISTEN.fullmatch(listen)
    assert matched is not None  # checked when the settings loaded
    return matched.group("v6") or matched.group("host"), int(matched.group("port"))


class SmtpSection(Section):
    listen: str = Field(
        default="127.0.0.1:2525",
        description='loopback listener for local applications (no TLS; "" for off)',
    )
    submission_listen: str = Field(
        default="0.0.0.0:587",
        description='submission with STARTTLS required; on only with tls_cert and tls_key ("" off)',
    )
    tls_listen: str = Field(
        default="0.0.0.0:465",
        description='submission over implicit TLS; on only with tls_cert and tls_key ("" off)',
    )
    tls_cert: str = Field(default="", description="PEM certificate file for SMTP TLS")
    tls_key: str = Field(default="", description="PEM private key file for SMTP TLS")
    loopback_auth: Literal["optional", "required"] = Field(
        default="required",
        description='whether clients of the loopback listener must log in; "optional" '
        "lets every local user send as any verified domain",
    )
    hostname: str = Field(
        default="", max_length=253, description="name in the greeting (default: this host's)"
    )
    max_message_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="largest message accepted (advertised with SIZE)",
    )
    max_recipients: int = Field(
        default=50, ge=1, le=50, description="recipients per message (RCPT TO commands)"
    )
    max_sessions_per_client: int = Field(
        default=50, ge=1, le=10_000, description="open sessions per client address"
    )
    suppressed: Literal["skip", "refuse"] = Field(
        default="skip",
        description="a suppressed recipient: skip it after DATA, or refuse its RCPT TO",
    )
    timeout_seconds: float = Field(
        default=300.0,
        ge=1,
        le=3600,
        allow_inf_nan=False,
        description="idle time a session may wait for a command or data (RFC 5321: 5 min)",
    )

    @field_validator("listen", "submission_listen", "tls_listen")
    @classmethod
    def _listen_checked(cls, listen: str) -> str:
        return _listen_or_off(listen)

    @property
    def tls_configured(self) -> bool:
        return bool(self.tls_cert and self.tls_key)


class MxSection(Section):
    """The inbound MX listener of `kootui serve` that takes bounces and complaints."""

    listen: str = Field(
        default="",
        description="host:port (or [v6]:port) the bounce MX listens on (port 25 behind "
        "sending.mx_host); empty: no MX listener",
    )
    max_message_bytes: int = Field(
        default=1024 * 1024,
        ge=10 * 1024,
        le=32 * 1024 * 1024,
        description="largest bounce or complaint accepted (a DSN quotes the original message)",
    )
    max_recipients: int = Field(
        default=20, ge=1, le=1000, description="bounce addresses one message may name"
    )
    timeout_seconds: float = Field(
        default=300.0,
        ge=1,
        le=3600,
        allow_inf_nan=False,
        description="seconds an idle SMTP session may wait (RFC 5321 asks for 5 minutes)",
    )
    tls_cert: str = Field(
        default="",
        description="PEM certificate file: the MX offers STARTTLS (sending MTAs use it when "
        "offered, so reports quoting a message travel encrypted)",
    )
    tls_key: str = Field(default="", description="PEM private key file for the MX's STARTTLS")

    @property
    def tls_configured(self) -> bool:
        return bool(self.tls_cert and self.tls_key)

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, listen: str) -> str:
        matched = _LISTEN.fullmatch(listen)
        # Port 0 lets the system choose (tests); the log line names the chosen one.
        if listen and (matched is None or not 0 <= int(matched.group("port")) <= 65535):
            raise ValueError("must be host:port, such as 0.0.0.0:25 or 127.0.0.1:2525, or empty")
        return listen

    @property
    def enabled(self) -> bool:
        return bool(self.listen)

    @property
    def host(self) -> str:
        matched = _LISTEN.fullmatch(self.listen)
        assert matched is not None  # checked when the settings loaded; enabled only
        return matched.group("v6") or matched.group("host")

    @property
    def port(self) -> int:
        return int(self.listen.rsplit(":", 1)[1])


class WebhooksSection(Section):
    """Delivering events to webhook endpoints (``kootui webhook``, core/webhooks)."""

    allow_private: bool = Field(
        default=False,
        description="deliver to loopback, private, link-local and other inner addresses "
        "(and over plain http); off, such URLs are refused so a webhook cannot reach into "
        "the server's own network",
    )
    allow_http: bool = Field(
        default=False, description="allow plain http:// endpoint URLs (https otherwise)"
    )
    timeout_seconds: float = Field(
        default=10.0,
        ge=0.1,
        le=60,
        allow_inf_nan=False,
        description="seconds one delivery may take, connecting and reading included",
    )
    give_up_hours: float = Field(
        default=72.0,
        ge=0.01,
        le=7 * 24,
        allow_inf_nan=False,
        description="hours an event is retried (5 s, 5 min, 30 min, 2 h, 5 h, then every "
        "10 h) before it is given up",
    )
    disable_after_hours: float = Field(
        default=120.0,
        ge=0.01,
        le=30 * 24,
        allow_inf_nan=False,
        description="an endpoint whose deliveries have all failed for this long is disabled",
    )
    poll_seconds: float = Field(
        default=1.0,
        ge=0.01,
        le=60,
        allow_inf_nan=False,
        description="seconds between two looks for due events when none is waiting",
    )
    concurrency: int = Field(
        default=8, ge=1, le=100, description="deliveries one engine makes at the same time"
    )


class WebSection(Section):
    """`kootui web`: the console served in a browser (textual-serve), sign-in required."""

    listen: str = Field(
        default="127.0.0.1:8026",
        description="host:port (or [v6]:port) `kootui web` listens on; a non-loopback "
        "address needs TLS or behind_proxy",
    )
    tls_cert: str = Field(default="", description="PEM certificate file for HTTPS")
    tls_key: str = Field(default="", description="PEM private key file for HTTPS")
    behind_proxy: bool = Field(
        default=False, description="a reverse proxy terminates TLS in front of kootui web"
    )
    public_url: str = Field(
        default="",
        max_length=2000,
        description="the address browsers use, such as https://console.example.com "
        "(default: from listen); behind a proxy it names the proxy",
    )

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, listen: str) -> str:
        matched = _LISTEN.fullmatch(listen)
        if matched is None or not 0 < int(matched.group("port")) <= 65535:
            raise ValueError("must be host:port, such as 127.0.0.1:8026 or [::1]:8026")
        return listen

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, public_url: str) -> str:
        if public_url and not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", public_url):
            raise ValueError("must be an http:// or https:// address, such as https://host")
        return public_url.rstrip("/")

    @property
    def host(self) -> str:
        return listen_host_port(self.listen)[0]

    @property
    def port(self) -> int:
        return listen_host_port(self.listen)[1]


# config.toml's sections, in the order `kootui config` shows them. [keys] is not here:
# it is free-form (binding id -> key) and the TUI checks the ids against its registry.
SECTIONS: dict[str, type[Section]] = {
    "database": DatabaseSection,
    "ui": UiSection,
    "workspace": WorkspaceSection,
    "dns": DnsSection,
    "sending": SendingSection,
    "retry": RetrySection,
    "relay": RelaySection,
    "http": HttpSection,
    "smtp": SmtpSection,
    "mx": MxSection,
    "webhooks": WebhooksSection,
    "web": WebSection,
}
