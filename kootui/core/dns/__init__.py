"""Asking DNS and judging its answers: queries over UDP/TCP, the records a sender domain
must publish, and one verdict per record and nameserver. Nothing here touches the store.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.dns.check import DnsSource, RecordCheck, check_records
from kootui.core.dns.dkim_key_size import MIN_KEY_BITS, public_key_bits
from kootui.core.dns.judge import (
    Difference,
    judge_cname,
    judge_dkim,
    judge_dmarc,
    judge_mx,
    judge_spf,
    parse_spf,
    parse_tags,
)
from kootui.core.dns.query import Nameserver, find_authoritative_servers
from kootui.core.dns.records import (
    DkimPublicKey,
    ExpectedRecord,
    RecordPurpose,
    dkim_value,
    expected_records,
)

__all__ = [
    "MIN_KEY_BITS",
    "Difference",
    "DkimPublicKey",
    "DnsSource",
    "ExpectedRecord",
    "Nameserver",
    "RecordCheck",
    "RecordPurpose",
    "check_records",
    "dkim_value",
    "expected_records",
    "find_authoritative_servers",
    "judge_cname",
    "judge_dkim",
    "judge_dmarc",
    "judge_mx",
    "judge_spf",
    "parse_spf",
    "parse_tags",
    "public_key_bits",
]
