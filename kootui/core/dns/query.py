"""Asking nameservers one question at a time, and never crashing on what they answer.

A DNS answer is input from outside: it may be late, truncated, huge, of the wrong
type or plain garbage. ``ask`` turns every outcome into an ``Answer`` with a kind
and a reason; it raises nothing. A truncated UDP answer is asked again over TCP.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, replace
from enum import StrEnum

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset

MAX_CNAME_HOPS = 8
MAX_VALUES = 50  # more records than this in one answer are not worth judging


class AnswerKind(StrEnum):
    ANSWER = "answer"
    NXDOMAIN = "nxdomain"  # the name does not exist
    NOANSWER = "noanswer"  # the name exists, but has no record of this type
    TIMEOUT = "timeout"
    SERVFAIL = "servfail"
    ERROR = "error"  # refused, malformed, unreachable: could not check

    @property
    def is_missing(self) -> bool:
        return self in (AnswerKind.NXDOMAIN, AnswerKind.NOANSWER)

    @property
    def is_unknown(self) -> bool:
        return self in (AnswerKind.TIMEOUT, AnswerKind.SERVFAIL, AnswerKind.ERROR)


@dataclass(frozen=True)
class Nameserver:
    address: str
    port: int = 53
    host: str = ""  # the NS host name when found through an NS lookup

    @property
    def label(self) -> str:
        where = f"{self.address}:{self.port}" if self.port != 53 else self.address
        return f"{self.host} ({where})" if self.host else where


@dataclass(frozen=True)
class Answer:
    """What one server said about one name and type. TXT strings are already joined."""

    server: Nameserver
    name: str
    rtype: str
    kind: AnswerKind
    values: tuple[str, ...] = ()
    reason: str = ""
    over_tcp: bool = False


def _values(rrset: dns.rrset.RRset) -> tuple[str, ...]:
    found: list[str] = []
    for rdata in list(rrset)[:MAX_VALUES]:
        if rrset.rdtype == dns.rdatatype.TXT:
            found.append(b"".join(rdata.strings).decode("utf-8", errors="replace"))
        elif rrset.rdtype == dns.rdatatype.CNAME:
            found.append(rdata.target.to_text(omit_final_dot=True).lower())
        elif rrset.rdtype == dns.rdatatype.MX:
            exchange = rdata.exchange.to_text(omit_final_dot=True).lower()
            found.append(f"{rdata.preference} {exchange}")
        elif rrset.rdtype == dns.rdatatype.NS:
            found.append(rdata.target.to_text(omit_final_dot=True).lower())
        else:
            found.append(rdata.to_text())
    return tuple(found)


def _exchange(
    server: Nameserver, query: dns.message.Message, timeout: float
) -> tuple[dns.message.Message, bool]:
    """Send over UDP; on a truncated answer ask again over TCP. Returns (response, over_tcp)."""
    try:
        response = dns.query.udp(
            query, server.address, timeout=timeout, port=server.port, raise_on_truncation=True
        )
    except dns.message.Truncated:
        return dns.query.tcp(query, server.address, timeout=timeout, port=server.port), True
    if response.flags & dns.flags.TC:
        return dns.query.tcp(query, server.address, timeout=timeout, port=server.port), True
    return response, False


def ask(
    server: Nameserver, name: str, rtype: str, timeout: float, *, recursion: bool = True
) -> Answer:
    """Ask ``server`` for ``rtype`` records at ``name``, following CNAMEs for other types."""
    current = name
    over_tcp = False
    for _hop in range(MAX_CNAME_HOPS):
        try:
            qname = dns.name.from_text(current)
            query = dns.message.make_query(qname, rtype, use_edns=0, payload=1232)
            if not recursion:
                query.flags &= ~dns.flags.RD
            response, via_tcp = _exchange(server, query, timeout)
            over_tcp = over_tcp or via_tcp
            outcome = _read_response(server, name, rtype, qname, response, over_tcp)
        except dns.exception.Timeout:
            return Answer(
                server,
                name,
                rtype,
                AnswerKind.TIMEOUT,
                reason=f"{server.label} did not answer within {timeout:g} s",
            )
        except (OSError, EOFError) as exc:
            reason = f"{server.label} is unreachable ({exc.__class__.__name__}: {exc})"
            return Answer(server, name, rtype, AnswerKind.ERROR, reason=reason[:300])
        # A DNS answer is hostile input: whatever the parser throws at a malformed,
        # oversized or mismatched packet becomes "could not check", never a crash.
        except Exception as exc:
            reason = f"{server.label} sent an unreadable answer ({exc.__class__.__name__}: {exc})"
            return Answer(server, name, rtype, AnswerKind.ERROR, reason=reason[:300])
        if isinstance(outcome, Answer):
            return outcome
        current = outcome  # a CNAME whose target the server did not include
        if not recursion:
            # An authoritative server only knows its own zone; a CNAME into another
            # zone (DMARC at a provider, say) is followed through the system resolver.
            found = resolve_recursively(current, rtype, timeout)
            via = f"followed the CNAME to {current.rstrip('.')} through the system resolver"
            return replace(
                found,
                server=server,
                name=name,
                reason=f"{found.reason} ({via})" if found.reason else via,
                over_tcp=over_tcp,
            )
    return Answer(
        server, name, rtype, AnswerKind.ERROR, reason="too many CNAME hops", over_tcp=over_tcp
    )


def _read_response(
    server: Nameserver,
    name: str,
    rtype: str,
    qname: dns.name.Name,
    response: dns.message.Message,
    over_tcp: bool,
) -> Answer | str:
    rcode = response.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return Answer(
            server,
            name,
            rtype,
            AnswerKind.NXDOMAIN,
            reason=f"{server.label}: no such name",
            over_tcp=over_tcp,
        )
    if rcode == dns.rcode.SERVFAIL:
        return Answer(
            server,
            name,
            rtype,
            AnswerKind.SERVFAIL,
            reason=f"{server.label} answered SERVFAIL",
            over_tcp=over_tcp,
        )
    if rcode != dns.rcode.NOERROR:
        text = dns.rcode.to_text(rcode)
        return Answer(
            server,
            name,
            rtype,
            AnswerKind.ERROR,
            reason=f"{server.label} answered {text}",
            over_tcp=over_tcp,
        )
    wanted = dns.rdatatype.from_text(rtype)
    owner = qname
    followed = False
    for _hop in range(MAX_CNAME_HOPS):
        rrset = response.get_rrset(response.answer, owner, dns.rdataclass.IN, wanted)
        if rrset is not None:
            return Answer(server, name, rtype, AnswerKind.ANSWER, _values(rrset), over_tcp=over_tcp)
        if wanted == dns.rdatatype.CNAME:
            break
        cname = response.get_rrset(response.answer, owner, dns.rdataclass.IN, dns.rdatatype.CNAME)
        if cname is None:
            break
        owner = cname[0].target
        followed = True
    if followed:
        return owner.to_text()  # ask again for the target the server left out
    others = sorted({dns.rdatatype.to_text(r.rdtype) for r in response.answer})
    reason = f"{server.label}: no {rtype} record"
    if others:
        reason += f" (answered {', '.join(others)} instead)"
    return Answer(server, name, rtype, AnswerKind.NOANSWER, reason=reason, over_tcp=over_tcp)


SYSTEM_RESOLVER = Nameserver("system resolver", 53)


def system_resolver(timeout: float) -> dns.resolver.Resolver | None:
    """The resolver of /etc/resolv.conf, or None when the system has none configured."""
    try:
        resolver = dns.resolver.Resolver()
    except dns.exception.DNSException:
        return None
    resolver.lifetime = timeout
    return resolver


def resolve_recursively(name: str, rtype: str, timeout: float) -> Answer:
    """Ask the system resolver (which follows CNAMEs itself); never raises."""
    resolver = system_resolver(timeout)
    if resolver is None:
        return Answer(SYSTEM_RESOLVER, name, rtype, AnswerKind.ERROR, reason="no system resolver")
    try:
        answer = resolver.resolve(name, rtype, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return Answer(SYSTEM_RESOLVER, name, rtype, AnswerKind.NXDOMAIN, reason="no such name")
    except dns.exception.Timeout:
        reason = f"the system resolver did not answer within {timeout:g} s"
        return Answer(SYSTEM_RESOLVER, name, rtype, AnswerKind.TIMEOUT, reason=reason)
    except Exception as exc:  # same rule as ``ask``: an answer never crashes a check
        reason = f"the system resolver failed ({exc.__class__.__name__}: {exc})"[:300]
        return Answer(SYSTEM_RESOLVER, name, rtype, AnswerKind.ERROR, reason=reason)
    if answer.rrset is None:
        return Answer(
            SYSTEM_RESOLVER, name, rtype, AnswerKind.NOANSWER, reason=f"no {rtype} record"
        )
    return Answer(SYSTEM_RESOLVER, name, rtype, AnswerKind.ANSWER, _values(answer.rrset))


def configured_servers(nameservers: tuple[str, ...], port: int) -> list[Nameserver]:
    return [Nameserver(address.strip(), port) for address in nameservers if address.strip()]


def find_authoritative_servers(
    domain: str, resolver: dns.resolver.Resolver, *, port: int = 53
) -> tuple[list[Nameserver], str]:
    """The nameservers of the zone holding ``domain``, found by walking up its labels.

    Returns (servers, problem); ``problem`` says why the list is empty.
    """
    name = dns.name.from_text(domain)
    problem = f"no NS records found for {domain} or any parent zone"
    while len(name.labels) > 1:  # stop before the root
        try:
            answer = resolver.resolve(name, "NS", raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            name = name.parent()
            continue
        except dns.exception.DNSException as exc:
            return [], f"could not look up the nameservers of {domain}: {exc}"[:300]
        if answer.rrset is None:
            name = name.parent()
            continue
        hosts = sorted(
            {rdata.target.to_text(omit_final_dot=True).lower() for rdata in answer.rrset}
        )
        servers = [server for host in hosts for server in _addresses(host, resolver, port)]
        if servers:
            return servers, ""
        problem = f"the nameservers of {name.to_text(omit_final_dot=True)} have no address"
        break
    return [], problem


def _addresses(host: str, resolver: dns.resolver.Resolver, port: int) -> list[Nameserver]:
    found: list[Nameserver] = []
    for rtype in ("A", "AAAA"):
        try:
            answer = resolver.resolve(host, rtype, raise_on_no_answer=False)
        except dns.exception.DNSException:
            continue
        if answer.rrset is not None:
            found += [Nameserver(rdata.address, port, host) for rdata in answer.rrset]
    if not found:
        try:
            # Fall back to the system's own lookup (hosts file, other sources).
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        except OSError:
            return []
        found = [Nameserver(str(info[4][0]), port, host) for info in infos]
    return found
