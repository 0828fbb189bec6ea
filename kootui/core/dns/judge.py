"""Judging what a nameserver published against what kootui expects.

Pure functions over the joined TXT strings / targets of one answer. Each returns
a ``Verdict``: a record status, a one-line reason, and the differences the DNS
doctor highlights (missing tag, different key, extra record, wrong target, ...).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field

from kootui.core.dns.dkim_key_size import MIN_KEY_BITS, public_key_bits
from kootui.core.store import RecordStatus

SPF_LOOKUP_LIMIT = 10  # RFC 7208 section 4.6.4
SPF_LOOKUP_TERMS = frozenset({"include", "a", "mx", "ptr", "exists"})
DMARC_POLICIES = ("none", "quarantine", "reject")  # weakest first

# Given a domain, the TXT values published there, or None when it could not be read.
TxtFetcher = Callable[[str], tuple[str, ...] | None]


@dataclass(frozen=True)
class Difference:
    kind: str  # missing_record, extra_record, missing_tag, bad_tag, different_key, ...
    message: str
    expected: str = ""
    found: str = ""


@dataclass(frozen=True)
class Verdict:
    status: RecordStatus
    reason: str
    differences: tuple[Difference, ...] = ()


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_tags(value: str) -> dict[str, str] | None:
    """``k=v; k=v`` tag lists (DKIM, DMARC); None when a part is not a tag or repeats."""
    tags: dict[str, str] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            return None
        key, _, raw = part.partition("=")
        key = key.strip()
        if not key or key in tags:
            return None
        tags[key] = raw.strip()
    return tags


def _key_der(b64: str) -> bytes | None:
    try:
        return base64.b64decode("".join(b64.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def judge_dkim(found: tuple[str, ...], expected_value: str) -> Verdict:
    expected_tags = parse_tags(expected_value) or {}
    ours = _key_der(expected_tags.get("p", ""))
    dkim = [v for v in found if (t := parse_tags(v)) is not None and ("v" in t or "p" in t)]
    if not dkim:
        shown = "; ".join(_short(v) for v in found) or "nothing"
        return Verdict(
            RecordStatus.FAILED,
            f"no DKIM record (found {shown})",
            (Difference("missing_record", "no DKIM tag list", expected_value, shown),),
        )
    if len(dkim) > 1:
        return Verdict(
            RecordStatus.FAILED,
            f"{len(dkim)} DKIM records at one selector; publish exactly one",
            tuple(Difference("extra_record", "extra DKIM record", "", _short(v)) for v in dkim[1:]),
        )
    tags = parse_tags(dkim[0]) or {}
    if "v" in tags and tags["v"] != "DKIM1":
        return _fail("bad_tag", f"v={tags['v']} is not DKIM1", "v=DKIM1", f"v={tags['v']}")
    if "v" in tags and next(iter(tags)) != "v":
        return _fail("bad_syntax", "v=DKIM1 must be the first tag", "v=DKIM1; …", _short(dkim[0]))
    services = {part.strip() for part in tags.get("s", "*").split(":")}
    if not services & {"*", "email"}:
        message = f"s={tags['s']} says the key is not for email"
        return _fail("bad_tag", message, "s=email or no s=", f"s={tags['s']}")
    if tags.get("k", "rsa").lower() != "rsa":
        return _fail("bad_tag", f"key type k={tags['k']}, expected rsa", "k=rsa", f"k={tags['k']}")
    if "p" not in tags:
        return _fail("missing_tag", "the p= tag (public key) is missing", "p=…", "")
    if not tags["p"]:
        return _fail("bad_tag", "empty p=: the key is revoked", "p=<our key>", "p=")
    theirs = _key_der(tags["p"])
    bits = public_key_bits(tags["p"]) if theirs is not None else None
    if bits is None:
        return _fail("bad_tag", "p= is not a readable RSA public key", "", _short(tags["p"], 40))
    if bits < MIN_KEY_BITS:
        return _fail(
            "weak_key",
            f"the key has {bits} bits; at least {MIN_KEY_BITS} are needed",
            "",
            f"{bits} bits",
        )
    if theirs != ours:
        return _fail(
            "different_key",
            "the published key is not kootui's key for this selector",
            f"p=…{expected_tags.get('p', '')[-16:]}",
            f"p=…{tags['p'][-16:]}",
        )
    return Verdict(RecordStatus.PASSED, f"key matches ({bits} bits)")


def _fail(kind: str, message: str, expected: str, found: str) -> Verdict:
    return Verdict(RecordStatus.FAILED, message, (Difference(kind, message, expected, found),))


def is_spf(value: str) -> bool:
    lowered = value.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


@dataclass(frozen=True)
class SpfTerm:
    qualifier: str  # + - ~ ?
    name: str  # mechanism or modifier name, lower case
    argument: str
    modifier: bool


def parse_spf(value: str) -> list[SpfTerm]:
    terms: list[SpfTerm] = []
    for raw in value.split()[1:]:
        qualifier = raw[0] if raw[0] in "+-~?" else "+"
        body = raw[1:] if raw[0] in "+-~?" else raw
        name_part = body.split(":", 1)[0].split("/", 1)[0]
        if "=" in name_part:
            key, _, argument = body.partition("=")
            terms.append(SpfTerm("+", key.lower(), argument, True))
            continue
        argument = (
            body[len(name_part) + 1 :] if body[len(name_part) : len(name_part) + 1] == ":" else ""
        )
        terms.append(SpfTerm(qualifier, name_part.lower(), argument, False))
    return terms


@dataclass
class _SpfWalk:
    fetch: TxtFetcher
    lookups: int = 0
    fetched: int = 0
    unresolved: list[str] = field(default_factory=list)
    includes: set[str] = field(default_factory=set)
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=list)

    def walk(self, value: str, depth: int, seen: set[str]) -> None:
        for term in parse_spf(value):
            if term.name in SPF_LOOKUP_TERMS or (term.modifier and term.name == "redirect"):
                self.lookups += 1
            if term.qualifier != "+":
                continue
            if term.name in ("ip4", "ip6") and not term.modifier:
                try:
                    self.networks.append(ipaddress.ip_network(term.argument, strict=False))
                except ValueError:
                    continue
            if term.name == "include" or (term.modifier and term.name == "redirect"):
                target = term.argument.strip().rstrip(".").lower()
                self.includes.add(target)
                self._follow(target, depth, seen)

    def _follow(self, target: str, depth: int, seen: set[str]) -> None:
        # Macros need the sender's address; loops and deep trees are cut off.
        if "%" in target or target in seen or depth >= 5 or self.fetched >= 20:
            return
        self.fetched += 1
        values = self.fetch(target)
        records = [v for v in values or () if is_spf(v)]
        if len(records) != 1:
            self.unresolved.append(target)
            return
        self.walk(records[0], depth + 1, seen | {target})


def judge_spf(found: tuple[str, ...], expected_value: str, fetch: TxtFetcher) -> Verdict:
    records = [v for v in found if is_spf(v)]
    if not records:
        return Verdict(
            RecordStatus.NOT_FOUND,
            "no v=spf1 record" + (f" among {len(found)} TXT records" if found else ""),
            (Difference("missing_record", "no SPF record", expected_value, ""),),
        )
    if len(records) > 1:
        return Verdict(
            RecordStatus.FAILED,
            f"{len(records)} SPF records; a domain must publish exactly one (RFC 7208)",
            tuple(Difference("extra_record", "extra SPF record", "", _short(v)) for v in records),
        )
    walk = _SpfWalk(fetch)
    walk.walk(records[0], 0, set())
    if walk.lookups > SPF_LOOKUP_LIMIT:
        message = f"{walk.lookups} DNS-querying terms; SPF allows at most {SPF_LOOKUP_LIMIT}"
        return _fail("too_many_lookups", message, f"<= {SPF_LOOKUP_LIMIT}", str(walk.lookups))
    missing = _unauthorised(parse_spf(expected_value), walk)
    if missing:
        message = "does not authorise " + ", ".join(missing)
        return Verdict(
            RecordStatus.FAILED,
            message,
            tuple(Difference("not_authorised", f"{m} is missing", m, "") for m in missing),
        )
    note = f"{walk.lookups} DNS lookups"
    if walk.unresolved:
        note += f"; could not count inside {', '.join(sorted(walk.unresolved))}"
    return Verdict(RecordStatus.PASSED, f"authorises the sending hosts ({note})")


def _unauthorised(expected: list[SpfTerm], walk: _SpfWalk) -> list[str]:
    missing: list[str] = []
    for term in expected:
        if term.name == "include":
            if term.argument.rstrip(".").lower() not in walk.includes:
                missing.append(f"include:{term.argument}")
        elif term.name in ("ip4", "ip6"):
            try:
                wanted = ipaddress.ip_network(term.argument, strict=False)
            except ValueError:
                continue
            covered = any(_within(wanted, net) for net in walk.networks)
            if not covered:
                missing.append(f"{term.name}:{term.argument}")
    return missing


def _within(
    inner: ipaddress.IPv4Network | ipaddress.IPv6Network,
    outer: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> bool:
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False


def judge_dmarc(found: tuple[str, ...], expected_value: str) -> Verdict:
    records = [v for v in found if v.strip().startswith("v=DMARC1")]
    if not records:
        return Verdict(
            RecordStatus.NOT_FOUND,
            "no record starting with v=DMARC1",
            (Difference("missing_record", "no DMARC record", expected_value, ""),),
        )
    if len(records) > 1:
        return Verdict(
            RecordStatus.FAILED,
            f"{len(records)} DMARC records; receivers ignore DMARC when there is more than one",
            tuple(Difference("extra_record", "extra DMARC record", "", _short(v)) for v in records),
        )
    tags = parse_tags(records[0])
    if tags is None or next(iter(tags), "") != "v" or tags["v"] != "DMARC1":
        return _fail("bad_syntax", "not a valid DMARC tag list", expected_value, _short(records[0]))
    policy = tags.get("p", "").lower()
    if not policy:
        return _fail("missing_tag", "the p= tag (policy) is missing", "p=none", "")
    if policy not in DMARC_POLICIES:
        return _fail(
            "bad_tag", f"p={policy} is not none, quarantine or reject", "p=none", f"p={policy}"
        )
    differences: tuple[Difference, ...] = ()
    wanted_rua = (parse_tags(expected_value) or {}).get("rua", "")
    if wanted_rua and wanted_rua.lower() not in tags.get("rua", "").lower():
        differences = (
            Difference(
                "different_rua", "aggregate reports go elsewhere", wanted_rua, tags.get("rua", "")
            ),
        )
    return Verdict(RecordStatus.PASSED, f"policy p={policy}", differences)


def judge_cname(found: tuple[str, ...], expected_target: str) -> Verdict:
    wanted = expected_target.rstrip(".").lower()
    targets = [t.rstrip(".").lower() for t in found]
    if wanted in targets:
        return Verdict(RecordStatus.PASSED, f"points to {wanted}")
    shown = ", ".join(targets) or "nothing"
    return _fail("wrong_target", f"points to {shown}, expected {wanted}", wanted, shown)


def judge_mx(found: tuple[str, ...], expected_value: str) -> Verdict:
    wanted = expected_value.split()[-1].rstrip(".").lower()
    exchanges = [v.split()[-1].rstrip(".").lower() for v in found if v.split()]
    if wanted in exchanges:
        return Verdict(RecordStatus.PASSED, f"{wanted} receives mail")
    shown = ", ".join(exchanges) or "nothing"
    return _fail("wrong_target", f"MX is {shown}, expected {wanted}", wanted, shown)
