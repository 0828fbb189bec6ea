"""The DNS doctor: per record, what kootui expects next to what every nameserver
returned, the differences spelled out, and a BIND zone snippet ready to paste.

The snippet uses fully qualified names (trailing dots, no ``$ORIGIN``), so it can
be pasted into any zone file or provider's "import BIND" box; TXT values longer
than 255 bytes are split into several quoted strings, as DNS requires.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.dns import Difference, ExpectedRecord, RecordCheck
from kootui.core.domains.names import display_domain_name
from kootui.core.domains.service import (
    DOMAIN_STATUS_LABELS,
    RECORD_STATUS_LABELS,
    current_expected_records,
    get_domain,
)
from kootui.core.domains.verification import verify_domain
from kootui.core.errors import NotFound, ValidationError
from kootui.core.store import DomainStatus, RecordStatus, SenderDomain

TXT_CHUNK = 255
SNIPPET_TTL = 3600


# What a nameserver's kind of answer means, in words (the codes stay inside).
ANSWER_WORDS = {
    "answer": "answered",
    "nxdomain": "no such name",
    "noanswer": "no record of this type",
    "timeout": "no reply in time",
    "servfail": "the server failed to answer",
    "error": "could not be asked",
}


@dataclass(frozen=True)
class ServerFinding:
    """What one nameserver returned for one record, and how it differs from the expected."""

    server: str
    answer: str  # answer, nxdomain, noanswer, timeout, servfail, error
    found: tuple[str, ...]
    status: RecordStatus
    reason: str
    differences: tuple[Difference, ...]
    over_tcp: bool

    @property
    def shown(self) -> str:
        """The values returned, or what the lack of them means."""
        if self.found:
            return " | ".join(self.found)
        return f"({ANSWER_WORDS.get(self.answer, self.answer)})"


@dataclass(frozen=True)
class RecordDiagnosis:
    label: str
    rtype: str
    name: str
    expected: str
    required: bool
    status: RecordStatus
    reason: str
    missing_setting: str
    servers: tuple[ServerFinding, ...]

    @property
    def servers_agree(self) -> bool:
        """True when every server that answered returned the same values."""
        answers = {tuple(sorted(s.found)) for s in self.servers if s.answer == "answer"}
        return len(answers) <= 1


@dataclass(frozen=True)
class DoctorReport:
    domain_id: int
    display_name: str
    status: DomainStatus
    reason: str
    checked_at: datetime
    records: tuple[RecordDiagnosis, ...]
    zone_snippet: str

    def as_text(self) -> str:
        """The report as plain text (for the command line and for saving)."""
        lines = [
            f"{self.display_name}: {DOMAIN_STATUS_LABELS[self.status]}"
            + (f" — {self.reason}" if self.reason else "")
        ]
        for record in self.records:
            need = "required" if record.required else "optional"
            lines.append("")
            lines.append(
                f"{record.label} ({need}) {record.rtype} {record.name}: "
                f"{RECORD_STATUS_LABELS[record.status]}"
            )
            lines.append(f"  expected: {record.expected or record.missing_setting}")
            for finding in record.servers:
                tcp = " [TCP]" if finding.over_tcp else ""
                lines.append(f"  {finding.server}{tcp}: {finding.shown}")
                for difference in finding.differences:
                    lines.append(f"    ✗ {difference.message}")
            if record.reason:
                lines.append(f"  → {record.reason}")
        lines += ["", self.zone_snippet]
        return "\n".join(lines)


def _diagnosis(check: RecordCheck) -> RecordDiagnosis:
    expected = check.expected
    return RecordDiagnosis(
        label=expected.label,
        rtype=expected.rtype,
        name=expected.name,
        expected=expected.value,
        required=expected.required,
        status=check.status,
        reason=check.reason,
        missing_setting=expected.missing_setting,
        servers=tuple(
            ServerFinding(
                server=result.answer.server.label,
                answer=result.answer.kind.value,
                found=result.answer.values,
                status=result.verdict.status,
                reason=result.verdict.reason,
                differences=result.verdict.differences,
                over_tcp=result.answer.over_tcp,
            )
            for result in check.results
        ),
    )


@requires(Act.DOMAIN_READ)
def doctor_report(context: Context, domain_id: int) -> DoctorReport:
    """Check the domain now (recording the result, as "verify" does) and explain every record."""
    outcome = verify_domain(context, domain_id)
    return DoctorReport(
        domain_id=domain_id,
        display_name=outcome.display_name,
        status=outcome.status,
        reason=outcome.reason,
        checked_at=outcome.checked_at,
        records=tuple(_diagnosis(check) for check in outcome.checks),
        zone_snippet=zone_snippet(context, domain_id),
    )


def _escape(chunk: bytes) -> str:
    out: list[str] = []
    for byte in chunk:
        if byte in (0x22, 0x5C):  # " and \
            out.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03d}")
    return "".join(out)


def txt_strings(value: str) -> list[str]:
    """The value as quoted character-strings of at most 255 bytes each."""
    raw = value.encode("utf-8")
    chunks = [raw[i : i + TXT_CHUNK] for i in range(0, len(raw), TXT_CHUNK)] or [b""]
    return [f'"{_escape(chunk)}"' for chunk in chunks]


def _fqdn(name: str) -> str:
    return name.rstrip(".") + "."


def bind_lines(record: ExpectedRecord, ttl: int = SNIPPET_TTL) -> list[str]:
    need = "required" if record.required else "optional"
    comment = f"; {record.label} ({need})"
    if not record.can_check:
        return [f"{comment}: not generated — {record.missing_setting}"]
    owner = f"{_fqdn(record.name)}\t{ttl}\tIN\t{record.rtype}\t"
    if record.rtype == "TXT":
        strings = txt_strings(record.value)
        if len(strings) == 1:
            return [comment, owner + strings[0]]
        return [comment, owner + "(", *(f"\t{s}" for s in strings), "\t)"]
    if record.rtype == "MX":
        preference, _, host = record.value.partition(" ")
        return [comment, owner + f"{preference} {_fqdn(host)}"]
    return [comment, owner + _fqdn(record.value)]


def bind_snippet(domain: str, records: Sequence[ExpectedRecord], ttl: int = SNIPPET_TTL) -> str:
    shown = display_domain_name(domain)
    title = f"{shown} ({domain})" if shown != domain else domain
    lines = [f"; kootui sender domain records for {title}", "; names are fully qualified"]
    for record in records:
        lines += bind_lines(record, ttl)
    return "\n".join(lines) + "\n"


@requires(Act.DOMAIN_READ)
def zone_snippet(context: Context, domain_id: int) -> str:
    """The BIND snippet of every record the domain should publish (no DNS is asked)."""
    with context.store.session() as session:
        domain = session.get(SenderDomain, domain_id)
        if domain is None:
            raise NotFound(f"sender domain {domain_id} does not exist", code="domain.not_found")
        records = current_expected_records(session, context, domain)
        name = domain.name
    return bind_snippet(name, records)


@requires(Act.DOMAIN_READ)
def save_zone_snippet(context: Context, domain_id: int, path: str | os.PathLike[str]) -> Path:
    """Write the snippet to ``path`` (replacing a file there) and return the full path."""
    text = zone_snippet(context, domain_id)
    target = Path(path).expanduser()
    if target.is_dir():
        target = target / f"{get_domain(context, domain_id).name}.zone"
    temp = target.with_name(f".{target.name}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ValidationError(
            f"cannot write {target}: {exc.strerror or exc}",
            field="path",
            code="domain.snippet_unwritable",
        ) from None
    return target.resolve()
