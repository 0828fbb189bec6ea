"""What a sender domain must (or may) publish, built from the deployment's settings.

DKIM and SPF are required for a domain to pass; DMARC, the tracking CNAME and MX
are shown with their status but do not block. When a setting a record needs is
empty, the record carries the instruction to fill it instead of an invented value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kootui.settings import Settings


class RecordPurpose(StrEnum):
    DKIM = "dkim"
    DKIM_NEXT = "dkim_next"  # the selector of a rotation in progress
    SPF = "spf"
    DMARC = "dmarc"
    TRACKING = "tracking"
    MX = "mx"


PURPOSE_LABELS = {
    RecordPurpose.DKIM: "DKIM",
    RecordPurpose.DKIM_NEXT: "DKIM (next key)",
    RecordPurpose.SPF: "SPF",
    RecordPurpose.DMARC: "DMARC",
    RecordPurpose.TRACKING: "Tracking",
    RecordPurpose.MX: "MX",
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


def spf_value(settings: Settings) -> str:
    """``v=spf1 include:… ip4:… ip6:… ~all``; empty when nothing to authorise is configured."""
    terms = [f"include:{host.strip().rstrip('.')}" for host in settings.get("sending.spf_include")]
    terms += [f"ip4:{address.strip()}" for address in settings.get("sending.spf_ip4")]
    terms += [f"ip6:{address.strip()}" for address in settings.get("sending.spf_ip6")]
    if not terms:
        return ""
    return " ".join(["v=spf1", *terms, "~all"])


def _host(settings: Settings, key: str) -> str:
    return str(settings.get(key)).strip().rstrip(".").lower()


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
    spf = spf_value(settings)
    records.append(
        ExpectedRecord(
            RecordPurpose.SPF,
            "TXT",
            domain,
            spf,
            True,
            "" if spf else "set sending.spf_include or sending.spf_ip4 in config.toml",
        )
    )
    rua = str(settings.get("sending.dmarc_rua")).strip()
    records.append(
        ExpectedRecord(
            RecordPurpose.DMARC,
            "TXT",
            f"_dmarc.{domain}",
            f"v=DMARC1; p=none; rua=mailto:{rua}" if rua else "",
            False,
            "" if rua else "set sending.dmarc_rua in config.toml",
        )
    )
    label = _host(settings, "sending.tracking_label") or "tracking"
    tracking_host = _host(settings, "sending.tracking_host")
    records.append(
        ExpectedRecord(
            RecordPurpose.TRACKING,
            "CNAME",
            f"{label}.{domain}",
            tracking_host,
            False,
            "" if tracking_host else "set sending.tracking_host in config.toml",
        )
    )
    mx_host = _host(settings, "sending.mx_host")
    records.append(
        ExpectedRecord(
            RecordPurpose.MX,
            "MX",
            domain,
            f"{MX_PREFERENCE} {mx_host}" if mx_host else "",
            False,
            "" if mx_host else "set sending.mx_host in config.toml",
        )
    )
    return records
