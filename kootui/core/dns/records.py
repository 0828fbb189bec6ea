"""What a sender domain must (or may) publish, built from the deployment's settings.

DKIM and SPF are required for a domain to pass; DMARC, the tracking CNAME, MX and the
bounce host's MX and SPF are shown with their status but do not block. When a setting a
record needs is empty, the record carries the instruction to fill it instead of an
invented value.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kootui.core.config import Settings


class RecordPurpose(StrEnum):
    DKIM = "dkim"
    DKIM_NEXT = "dkim_next"  # the selector of a rotation in progress
    SPF = "spf"
    DMARC = "dmarc"
    TRACKING = "tracking"
    MX = "mx"
    BOUNCE_MX = "bounce_mx"  # the VERP bounce host's MX (revision 0009)
    BOUNCE_SPF = "bounce_spf"


PURPOSE_LABELS = {
    RecordPurpose.DKIM: "DKIM",
    RecordPurpose.DKIM_NEXT: "DKIM (next key)",
    RecordPurpose.SPF: "SPF",
    RecordPurpose.DMARC: "DMARC",
    RecordPurpose.TRACKING: "Tracking",
    RecordPurpose.MX: "MX",
    RecordPurpose.BOUNCE_MX: "Bounce MX",
    RecordPurpose.BOUNCE_SPF: "Bounce SPF",
}
REQUIRED_PURPOSES = frozenset({RecordPurpose.DKIM, RecordPurpose.SPF})
MX_PREFERENCE = 10


@dataclass(frozen=True)
class DkimPublicKey:
    selector: str
    public_key_b64: str


@dataclass(frozen=True)
class ExpectedRecord:
    """One record to publish. ``name`` is the ASCII owner name without the trailing dot."""

    purpose: RecordPurpose
    rtype: str
    name: str
    value: str  # empty when ``missing_setting`` says what to configure
    required: bool
    missing_setting: str = ""

    @property
    def label(self) -> str:
        return PURPOSE_LABELS[self.purpose]

    @property
    def can_check(self) -> bool:
        return not self.missing_setting


def dkim_value(public_key_b64: str) -> str:
    return f"v=DKIM1; k=rsa; p={public_key_b64}"


_HOST = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$"
)


def _bad_host(key: str, host: str) -> str:
    return f"{key} holds {host!r}, which is not a host name; fix it in config.toml"


def spf_value(settings: Settings) -> tuple[str, str]:
    """(``v=spf1 include:… ip4:… ip6:… ~all``, problem); the value is empty when there is
    nothing valid to authorise, and the problem says which setting to fill or fix."""
    terms: list[str] = []
    for host in settings.sending.spf_include:
        host = host.strip().rstrip(".")
        if not _HOST.match(host):
            return "", _bad_host("sending.spf_include", host)
        terms.append(f"include:{host.lower()}")
    for key, addresses, version in (
        ("sending.spf_ip4", settings.sending.spf_ip4, 4),
        ("sending.spf_ip6", settings.sending.spf_ip6, 6),
    ):
        for address in addresses:
            try:
                network = ipaddress.ip_network(address.strip(), strict=False)
            except ValueError:
                network = None
            if network is None or network.version != version:
                return "", (
                    f"{key} holds {address!r}, which is not an IPv{version} address or "
                    "network; fix it in config.toml"
                )
            terms.append(f"ip{version}:{address.strip()}")
    if not terms:
        return "", "set sending.spf_include or sending.spf_ip4 in config.toml"
    return " ".join(["v=spf1", *terms, "~all"]), ""


def _host(configured: str, key: str) -> tuple[str, str]:
    """(host, problem) of the host-name setting ``key``; the problem says what to set or fix."""
    host = configured.rstrip(".").lower()
    if host and not _HOST.match(host):
        return "", _bad_host(key, host)
    return host, "" if host else f"set {key} in config.toml"


def expected_records(
    settings: Settings, domain: str, dkim_keys: Sequence[DkimPublicKey]
) -> list[ExpectedRecord]:
    """The records of ``domain`` (ASCII form) in display order.

    ``dkim_keys`` are the active keys oldest first: the first is the current
    selector, a second one is a rotation waiting for its record.
    """
    records: list[ExpectedRecord] = []
    if dkim_keys:
        current = dkim_keys[0]
        records.append(
            ExpectedRecord(
                RecordPurpose.DKIM,
                "TXT",
                f"{current.selector}._domainkey.{domain}",
                dkim_value(current.public_key_b64),
                True,
            )
        )
        for pending in dkim_keys[1:2]:
            records.append(
                ExpectedRecord(
                    RecordPurpose.DKIM_NEXT,
                    "TXT",
                    f"{pending.selector}._domainkey.{domain}",
                    dkim_value(pending.public_key_b64),
                    False,
                )
            )
    else:
        records.append(
            ExpectedRecord(
                RecordPurpose.DKIM,
                "TXT",
                f"kootui1._domainkey.{domain}",
                "",
                True,
                "no DKIM key exists for this domain; rotate the key to create one",
            )
        )
    spf, spf_problem = spf_value(settings)
    records.append(ExpectedRecord(RecordPurpose.SPF, "TXT", domain, spf, True, spf_problem))
    rua = settings.sending.dmarc_rua
    rua_problem = "" if rua else "set sending.dmarc_rua in config.toml"
    if rua and not re.fullmatch(r"[^@\s;,!]+@[^@\s;,!]+", rua):
        rua_problem = (
            f"sending.dmarc_rua holds {rua!r}, which is not an address; fix it in config.toml"
        )
    records.append(
        ExpectedRecord(
            RecordPurpose.DMARC,
            "TXT",
            f"_dmarc.{domain}",
            "" if rua_problem else f"v=DMARC1; p=none; rua=mailto:{rua}",
            False,
            rua_problem,
        )
    )
    label = settings.sending.tracking_label.strip(".").lower() or "tracking"
    tracking_host, tracking_problem = _host(settings.sending.tracking_host, "sending.tracking_host")
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", label):
        tracking_host = ""
        tracking_problem = (
            f"sending.tracking_label holds {label!r}, which is not one DNS label; "
            "fix it in config.toml"
        )
    records.append(
        ExpectedRecord(
            RecordPurpose.TRACKING,
            "CNAME",
            f"{label}.{domain}",
            tracking_host,
            False,
            tracking_problem,
        )
    )
    mx_host, mx_problem = _host(settings.sending.mx_host, "sending.mx_host")
    records.append(
        ExpectedRecord(
            RecordPurpose.MX,
            "MX",
            domain,
            f"{MX_PREFERENCE} {mx_host}" if mx_host else "",
            False,
            mx_problem,
        )
    )
    # The VERP return path's host (mail.verp): its MX brings bounces and complaints to
    # kootui's MX listener, and its SPF lets the sending hosts use it as MAIL FROM, which
    # aligns with From under DMARC's relaxed rule. Not required: without them bounces are
    # lost, but mail still goes out signed.
    bounce = f"{settings.sending.bounce_label}.{domain}"
    records.append(
        ExpectedRecord(
            RecordPurpose.BOUNCE_MX,
            "MX",
            bounce,
            f"{MX_PREFERENCE} {mx_host}" if mx_host else "",
            False,
            mx_problem,
        )
    )
    records.append(ExpectedRecord(RecordPurpose.BOUNCE_SPF, "TXT", bounce, spf, False, spf_problem))
    return records
