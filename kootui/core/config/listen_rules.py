"""When a listener may serve in clear: one rule for the API and the console in a browser.

Both carry secrets (API keys; passwords and the console itself), so both refuse a
non-loopback address without TLS, unless a reverse proxy terminates TLS in front.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Protocol

from kootui.core.errors import SettingsError


class TlsListener(Protocol):
    """A settings section with a listen address and its TLS and proxy options."""

    @property
    def listen(self) -> str: ...

    @property
    def host(self) -> str: ...

    @property
    def tls_cert(self) -> str: ...

    @property
    def tls_key(self) -> str: ...

    @property
    def behind_proxy(self) -> bool: ...


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_tls_listen(section: TlsListener, name: str, carries: str) -> None:
    """Refuse settings of ``[name]`` that would send ``carries`` in clear to the network.

    Also refuses half a TLS configuration and certificate or key files that are not
    there, so the listener fails at start rather than on its first client."""
    if bool(section.tls_cert) != bool(section.tls_key):
        raise SettingsError(
            f"set both {name}.tls_cert and {name}.tls_key, or neither",
            field=f"{name}.tls_key" if section.tls_cert else f"{name}.tls_cert",
            code=f"{name}.tls_incomplete",
        )
    for key, value in (("tls_cert", section.tls_cert), ("tls_key", section.tls_key)):
        if value and not Path(value).is_file():
            raise SettingsError(
                f"{value} is not a readable file", field=f"{name}.{key}", code=f"{name}.tls_file"
            )
    if is_loopback(section.host) or section.tls_cert or section.behind_proxy:
        return
    raise SettingsError(
        f"{section.listen} is not a loopback address and would carry {carries} in clear; "
        f"set {name}.tls_cert and {name}.tls_key, or {name}.behind_proxy = true when a "
        "reverse proxy terminates TLS in front of kootui",
        field=f"{name}.listen",
        code=f"{name}.clear_text_listen",
    )
