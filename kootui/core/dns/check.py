"""Checking a domain's expected records against real DNS, one verdict per nameserver.

Which servers: the ``dns.nameservers`` resolvers at ``dns.port`` when configured
(tests point them at a loopback server), otherwise the domain's own authoritative
nameservers, found through the system resolver. Every server is asked about every
record; the record's status combines their verdicts:

- passed when every server that answered is satisfied (servers that could not be
  reached are named in the reason);
- not_found / failed when any server that answered lacks the record or has it wrong
  (authoritative servers that disagree mean the change has not spread yet);
- unknown ("could not check, will retry") when no server answered at all.

Nothing here touches the store; ``domains.verification`` records the results.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from kootui.core.config import Settings
from kootui.core.dns.judge import (
    Difference,
    Verdict,
    judge_cname,
    judge_dkim,
    judge_dmarc,
    judge_mx,
    judge_spf,
)
from kootui.core.dns.query import (
    Answer,
    AnswerKind,
    Nameserver,
    ask,
    configured_servers,
    find_authoritative_servers,
    resolve_recursively,
    system_resolver,
)
from kootui.core.dns.records import ExpectedRecord, RecordPurpose
from kootui.core.store import RecordStatus

MAX_PARALLEL_QUERIES = 8
CONFIGURED = "configured resolvers"


@dataclass(frozen=True)
class DnsSource:
    servers: tuple[Nameserver, ...]
    description: str  # "configured resolvers" or "authoritative nameservers of example.com"
    problem: str = ""  # why ``servers`` is empty


@dataclass(frozen=True)
class ServerResult:
    answer: Answer
    verdict: Verdict


@dataclass(frozen=True)
class RecordCheck:
    expected: ExpectedRecord
    status: RecordStatus
    reason: str
    results: tuple[ServerResult, ...] = ()

    @property
    def found(self) -> tuple[str, ...]:
        """Every distinct value any server returned, in the order first seen."""
        seen: dict[str, None] = {}
        for result in self.results:
            for value in result.answer.values:
                seen.setdefault(value, None)
        return tuple(seen)


def dns_source(settings: Settings, domain: str) -> DnsSource:
    configured = configured_servers(settings.dns.nameservers, settings.dns.port)
    if configured:
        return DnsSource(tuple(configured), CONFIGURED)
    resolver = system_resolver(settings.dns.timeout * 2)
    if resolver is None:
        problem = "the system has no DNS resolver configured; set dns.nameservers in config.toml"
        return DnsSource((), f"authoritative nameservers of {domain}", problem)
    servers, problem = find_authoritative_servers(domain, resolver)
    return DnsSource(tuple(servers), f"authoritative nameservers of {domain}", problem)


class _IncludeFetcher:
    """TXT lookups for SPF includes, cached for one check. Thread-safe enough: a race
    only repeats a lookup."""

    def __init__(self, settings: Settings, source: DnsSource) -> None:
        self._timeout = settings.dns.timeout
        self._configured = source.description == CONFIGURED
        self._servers = source.servers
        self._cache: dict[str, tuple[str, ...] | None] = {}
        self._lock = threading.Lock()

    def __call__(self, name: str) -> tuple[str, ...] | None:
        with self._lock:
            if name in self._cache:
                return self._cache[name]
        values = self._lookup(name)
        with self._lock:
            self._cache[name] = values
        return values

    def _lookup(self, name: str) -> tuple[str, ...] | None:
        if self._configured:
            for server in self._servers:
                answer = ask(server, name, "TXT", self._timeout)
                if answer.kind == AnswerKind.ANSWER:
                    return answer.values
                if answer.kind.is_missing:
                    return ()
            return None
        # An include names another organisation's zone: ask the system resolver.
        answer = resolve_recursively(name, "TXT", self._timeout)
        if answer.kind == AnswerKind.ANSWER:
            return answer.values
        return () if answer.kind.is_missing else None


def judge_answer(expected: ExpectedRecord, answer: Answer, fetch: _IncludeFetcher) -> Verdict:
    """The verdict on one server's answer for one expected record."""
    if answer.kind.is_unknown:
        return Verdict(RecordStatus.UNKNOWN, f"could not check: {answer.reason}; will retry")
    if answer.kind.is_missing:
        return Verdict(
            RecordStatus.NOT_FOUND,
            f"no {expected.rtype} record at {expected.name}",
            (Difference("missing_record", answer.reason, expected.value, ""),),
        )
    found = answer.values
    if expected.purpose in (RecordPurpose.DKIM, RecordPurpose.DKIM_NEXT):
        return judge_dkim(found, expected.value)
    if expected.purpose in (RecordPurpose.SPF, RecordPurpose.BOUNCE_SPF):
        return judge_spf(found, expected.value, fetch)
    if expected.purpose == RecordPurpose.DMARC:
        return judge_dmarc(found, expected.value)
    if expected.purpose == RecordPurpose.TRACKING:
        return judge_cname(found, expected.value)
    return judge_mx(found, expected.value)


def combine(expected: ExpectedRecord, results: Sequence[ServerResult]) -> RecordCheck:
    if not results:
        return RecordCheck(expected, RecordStatus.UNKNOWN, "no nameserver to ask; will retry")
    answered = [r for r in results if r.verdict.status != RecordStatus.UNKNOWN]
    if not answered:
        return RecordCheck(
            expected, RecordStatus.UNKNOWN, results[0].verdict.reason, tuple(results)
        )
    wrong = [r for r in answered if r.verdict.status != RecordStatus.PASSED]
    if wrong:
        first = wrong[0]
        reason = first.verdict.reason
        if len(results) > 1:
            reason = f"{first.answer.server.label}: {reason}"
            if len(wrong) < len(answered):
                reason += " (other nameservers have it: the change may still be spreading)"
        return RecordCheck(expected, first.verdict.status, reason, tuple(results))
    reason = answered[0].verdict.reason
    silent = len(results) - len(answered)
    if silent:
        reason += f" ({silent} of {len(results)} nameservers could not be reached)"
    return RecordCheck(expected, RecordStatus.PASSED, reason, tuple(results))


def check_records(
    settings: Settings,
    domain: str,
    expected: Sequence[ExpectedRecord],
    *,
    source: DnsSource | None = None,
) -> list[RecordCheck]:
    """Ask every server about every checkable record (in parallel) and judge the answers.

    ``source`` defaults to ``dns_source(settings, domain)``.
    """
    checkable = [record for record in expected if record.can_check]
    if source is None:
        source = dns_source(settings, domain) if checkable else DnsSource((), "")
    fetch = _IncludeFetcher(settings, source)
    timeout = settings.dns.timeout
    # Authoritative servers are asked without recursion; resolvers with it.
    recursion = source.description == CONFIGURED
    jobs = [(record, server) for record in checkable for server in source.servers]

    def run(job: tuple[ExpectedRecord, Nameserver]) -> ServerResult:
        record, server = job
        answer = ask(server, record.name, record.rtype, timeout, recursion=recursion)
        try:
            verdict = judge_answer(record, answer, fetch)
        # Published values are outside input: a value no rule foresaw must leave this
        # record "could not check", not stop the check of the whole domain.
        except Exception as exc:
            problem = f"could not judge the answer ({exc.__class__.__name__}); will retry"
            verdict = Verdict(RecordStatus.UNKNOWN, problem)
        return ServerResult(answer, verdict)

    with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL_QUERIES, len(jobs)))) as pool:
        outcomes = list(pool.map(run, jobs))
    by_record: dict[int, list[ServerResult]] = {}
    for (record, _server), outcome in zip(jobs, outcomes, strict=True):
        by_record.setdefault(id(record), []).append(outcome)
    checks: list[RecordCheck] = []
    for record in expected:
        if not record.can_check:
            status = RecordStatus.FAILED
            checks.append(
                RecordCheck(record, status, f"cannot be generated: {record.missing_setting}")
            )
        elif not source.servers:
            problem = source.problem or "no nameserver to ask"
            checks.append(
                RecordCheck(record, RecordStatus.UNKNOWN, f"could not check: {problem}; will retry")
            )
        else:
            checks.append(combine(record, by_record.get(id(record), [])))
    return checks
