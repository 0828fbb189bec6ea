"""The server side of TLS for ``kootui serve``'s SMTP listeners (submission and the MX)."""

from __future__ import annotations

import ssl

from kootui.core.errors import SettingsError


def server_tls_context(cert: str, key: str, section: str) -> ssl.SSLContext:
    """A TLS 1.2+ server context from PEM files; a file that cannot be used is a
    ``SettingsError`` naming ``<section>.tls_cert`` at start, not a failed handshake later."""
    if bool(cert) != bool(key):
        raise SettingsError(
            f"set both {section}.tls_cert and {section}.tls_key, or neither",
            field=f"{section}.tls_key" if cert else f"{section}.tls_cert",
            code=f"{section}.tls_incomplete",
        )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise SettingsError(
            f"cannot use {cert} and {key}: {exc}",
            field=f"{section}.tls_cert",
            code=f"{section}.tls_files",
        ) from None
    return context
