"""A policy document: the seeds' JSON, checked with a line and column for every problem.

    {"Version": "1.1",
     "Statement": [{"Effect": "Deny",
                    "Action": ["kooMessage:domain:*"],
                    "Resource": ["domain/example.com"],
                    "Condition": {"SourceIp": ["10.0.0.0/8"], "Face": ["api", "smtp"]}}]}

``Action`` patterns are ``<service>:<resource>:<verb>`` with ``*`` wildcards; each must name
at least one action of ``actions.ACTIONS`` (so a typo is caught when the policy is saved,
not the day it fails to deny). ``Resource`` patterns (optional; absent means every
resource) are ``<type>/<name>`` such as ``domain/example.com``, ``sender/*@example.com``,
``template/Welcome``. ``Condition`` knows ``SourceIp`` (addresses or CIDR ranges) and
``Face`` (console, cli, api, smtp, web); a statement applies only when every condition
holds. A policy needs at least one statement."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from kootui.core.access.actions import ACTIONS
from kootui.core.access.json_positions import JsonProblem, Located, read_located
from kootui.core.errors import ValidationError

VERSIONS = ("1.0", "1.1")
MAX_DOCUMENT_CHARS = 20_000
MAX_STATEMENTS = 100
MAX_PATTERNS = 100


class Face(StrEnum):
    """Where a request came from; a policy's ``Face`` condition names these."""

    CONSOLE = "console"
    CLI = "cli"
    API = "api"
    SMTP = "smtp"
    WEB = "web"


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Statement:
    """One statement; ``index`` counts from 0, the explain and errors name it from 1."""

    index: int
    effect: Effect
    actions: tuple[str, ...]
    resources: tuple[str, ...] | None
    source_ips: tuple[IpNetwork, ...] | None
    faces: tuple[Face, ...] | None


@dataclass(frozen=True)
class PolicyDocument:
    version: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class PolicyProblem:
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class PolicyInvalid(ValidationError):
    """A policy document broke a rule; ``problems`` has them all, first one in the message."""

    code = "policy.invalid"

    def __init__(self, problems: list[PolicyProblem], *, field: str = "document") -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}", field=field)
        self.problems = problems


@lru_cache(maxsize=4096)
def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A ``*`` pattern as a whole-string, case-insensitive regular expression."""
    parts = (re.escape(part) for part in pattern.split("*"))
    return re.compile(".*".join(parts), re.IGNORECASE | re.DOTALL)


_ACTION_PATTERN = re.compile(r"[A-Za-z*]+:[A-Za-z*]+:[A-Za-z*]+")
_RESOURCE_PATTERN = re.compile(r"\*|[A-Za-z]+/[^\s]{1,250}")
_STATEMENT_KEYS = ("Effect", "Action", "Resource", "Condition")
_CONDITION_KEYS = ("SourceIp", "Face")


class _Checker:
    def __init__(self) -> None:
        self.problems: list[PolicyProblem] = []

    def add(self, at: Located | tuple[int, int], message: str) -> None:
        line, column = (at.line, at.column) if isinstance(at, Located) else at
        self.problems.append(PolicyProblem(line, column, message))

    def members(self, node: Located, what: str) -> dict[str, Located] | None:
        if not isinstance(node.value, dict):
            self.add(node, f"{what} must be an object {{...}}")
            return None
        members: dict[str, Located] = node.value
        return members

    def unknown_keys(self, node: Located, known: tuple[str, ...], what: str) -> None:
        assert isinstance(node.value, dict) and node.key_at is not None
        for key in node.value:
            if key not in known:
                self.add(node.key_at[key], f"{what} has no key {key!r} (known: {', '.join(known)})")

    def strings(self, node: Located, what: str) -> list[tuple[Located, str]]:
        """A string or a non-empty list of strings, each with where it is."""
        if isinstance(node.value, str):
            return [(node, node.value)]
        if isinstance(node.value, list) and node.value:
            items: list[Located] = node.value
            if len(items) > MAX_PATTERNS:
                self.add(node, f"{what} holds more than {MAX_PATTERNS} entries")
                return []
            found = []
            for item in items:
                if isinstance(item.value, str):
                    found.append((item, item.value))
                else:
                    self.add(item, f"each entry of {what} must be a string")
            return found
        self.add(node, f"{what} must be a string or a non-empty list of strings")
        return []

    def statement(self, index: int, node: Located) -> Statement | None:
        members = self.members(node, f"statement {index + 1}")
        if members is None:
            return None
        self.unknown_keys(node, _STATEMENT_KEYS, f"statement {index + 1}")
        before = len(self.problems)
        effect = self.effect(index, node, members)
        actions = self.actions(index, node, members)
        resources = self.resources(members)
        source_ips, faces = self.conditions(members)
        if len(self.problems) > before or effect is None:
            return None
        return Statement(index, effect, tuple(actions), resources, source_ips, faces)

    def effect(self, index: int, node: Located, members: dict[str, Located]) -> Effect | None:
        if "Effect" not in members:
            self.add(node, f'statement {index + 1} needs "Effect": "Allow" or "Deny"')
            return None
        effect = members["Effect"]
        for choice in Effect:
            if effect.value == choice.value:
                return choice
        self.add(effect, 'Effect must be "Allow" or "Deny" (this spelling)')
        return None

    def actions(self, index: int, node: Located, members: dict[str, Located]) -> list[str]:
        if "Action" not in members:
            self.add(
                node, f'statement {index + 1} needs "Action": ["kooMessage:<resource>:<verb>"]'
            )
            return []
        found = []
        for at, pattern in self.strings(members["Action"], "Action"):
            if not _ACTION_PATTERN.fullmatch(pattern):
                self.add(at, f"{pattern!r} is not <service>:<resource>:<verb> (letters and *)")
                continue
            regex = pattern_regex(pattern)
            if not any(regex.fullmatch(name) for name in ACTIONS):
                self.add(at, f"{pattern!r} matches no action (kootui iam actions lists them)")
                continue
            found.append(pattern)
        return found

    def resources(self, members: dict[str, Located]) -> tuple[str, ...] | None:
        if "Resource" not in members:
            return None
        found = []
        for at, pattern in self.strings(members["Resource"], "Resource"):
            if not _RESOURCE_PATTERN.fullmatch(pattern):
                self.add(at, f"{pattern!r} is not * or <type>/<name> (domain/example.com)")
                continue
            found.append(pattern)
        return tuple(found)

    def conditions(
        self, members: dict[str, Located]
    ) -> tuple[tuple[IpNetwork, ...] | None, tuple[Face, ...] | None]:
        if "Condition" not in members:
            return None, None
        node = members["Condition"]
        condition = self.members(node, "Condition")
        if condition is None:
            return None, None
        self.unknown_keys(node, _CONDITION_KEYS, "Condition")
        source_ips: list[IpNetwork] | None = None
        faces: list[Face] | None = None
        if "SourceIp" in condition:
            source_ips = []
            for at, text in self.strings(condition["SourceIp"], "SourceIp"):
                try:
                    source_ips.append(ipaddress.ip_network(text, strict=False))
                except ValueError:
                    self.add(at, f"{text!r} is not an IP address or range (10.0.0.0/8)")
        if "Face" in condition:
            faces = []
            for at, text in self.strings(condition["Face"], "Face"):
                try:
                    faces.append(Face(text.lower()))
                except ValueError:
                    known = ", ".join(face.value for face in Face)
                    self.add(at, f"{text!r} is not a face (one of {known})")
        return (
            None if source_ips is None else tuple(source_ips),
            None if faces is None else tuple(faces),
        )


def check_policy(text: str) -> list[PolicyProblem]:
    """Every problem of a policy's text (empty when it is valid), for live checking."""
    try:
        parse_policy(text)
    except PolicyInvalid as invalid:
        return invalid.problems
    return []


def parse_policy(text: str) -> PolicyDocument:
    """The policy a text holds, or ``PolicyInvalid`` with each problem's line and column."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise PolicyInvalid([PolicyProblem(1, 1, f"longer than {MAX_DOCUMENT_CHARS} characters")])
    if not text.strip():
        raise PolicyInvalid([PolicyProblem(1, 1, 'the policy is empty: write {"Version": ...}')])
    try:
        top = read_located(text)
    except JsonProblem as problem:
        raise PolicyInvalid(
            [PolicyProblem(problem.line, problem.column, problem.message)]
        ) from None
    checker = _Checker()
    members = checker.members(top, "a policy")
    if members is None:
        raise PolicyInvalid(checker.problems)
    checker.unknown_keys(top, ("Version", "Statement"), "a policy")
    version = members.get("Version")
    if version is None:
        checker.add(top, f'a policy needs "Version": "{VERSIONS[-1]}"')
    elif version.value not in VERSIONS:
        checker.add(version, f"Version must be one of {', '.join(VERSIONS)}")
    statements: list[Statement] = []
    listed = members.get("Statement")
    if listed is None:
        checker.add(top, 'a policy needs "Statement": [...]')
    elif not isinstance(listed.value, list) or not listed.value:
        checker.add(listed, "Statement must be a non-empty list of statements")
    elif len(listed.value) > MAX_STATEMENTS:
        checker.add(listed, f"a policy holds at most {MAX_STATEMENTS} statements")
    else:
        for index, node in enumerate(listed.value):
            statement = checker.statement(index, node)
            if statement is not None:
                statements.append(statement)
    if checker.problems:
        raise PolicyInvalid(sorted(checker.problems, key=lambda p: (p.line, p.column)))
    assert version is not None and isinstance(version.value, str)
    return PolicyDocument(version.value, tuple(statements))
