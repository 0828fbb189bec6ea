"""Policy evaluation against a table of cases: wildcards, case, Deny precedence, resources,
conditions; and the checking of empty and malformed policies with line and column."""

from __future__ import annotations

import json

import pytest

from kootui.core.access import (
    DEFAULT_DENY,
    Face,
    NamedPolicy,
    PolicyInvalid,
    Principal,
    PrincipalKind,
    check_policy,
    evaluate,
    parse_policy,
)


def _policy(name: str, *statements: dict[str, object]) -> NamedPolicy:
    text = json.dumps({"Version": "1.1", "Statement": list(statements)})
    return NamedPolicy(name, parse_policy(text))


ALLOW_ALL = _policy("All", {"Effect": "Allow", "Action": ["KooMessage:*:*"]})
NO_DOMAIN_CHANGES = _policy(
    "NoDomainChanges",
    {"Effect": "Allow", "Action": "kooMessage:domain:read"},
    {"Effect": "Deny", "Action": ["kooMessage:domain:create", "kooMessage:domain:update"]},
    {"Effect": "Deny", "Action": ["kooMessage:domain:delete"]},
)
ONE_DOMAIN = _policy(
    "OneDomain",
    {
        "Effect": "Allow",
        "Action": ["kooMessage:message:send"],
        "Resource": ["sender/*@example.com"],
    },
)
API_FROM_LAN = _policy(
    "ApiFromLan",
    {
        "Effect": "Allow",
        "Action": ["kooMessage:devSendTask:*"],
        "Condition": {"SourceIp": ["10.0.0.0/8", "::1"], "Face": ["api"]},
    },
)
READ_ONLY = _policy("Reads", {"Effect": "Allow", "Action": "kooMessage:*:read"})


def _user(*policies: NamedPolicy, face: Face = Face.CLI, address: str = "") -> Principal:
    return Principal(
        PrincipalKind.USER, "alice", user_id=7, policies=policies, face=face, address=address
    )


# (policies, action, resource, face, address) -> (allowed, policy, statement)
CASES = [
    ((ALLOW_ALL,), "kooMessage:devSendTask:create", "", Face.CLI, "", (True, "All", 0)),
    ((ALLOW_ALL,), "KOOMESSAGE:DOMAIN:DELETE", "", Face.CLI, "", (True, "All", 0)),
    ((), "kooMessage:domain:read", "", Face.CLI, "", (False, None, None)),
    (
        (ALLOW_ALL, NO_DOMAIN_CHANGES),
        "kooMessage:domain:update",
        "",
        Face.CLI,
        "",
        (False, "NoDomainChanges", 1),
    ),
    (
        (NO_DOMAIN_CHANGES, ALLOW_ALL),
        "kooMessage:domain:delete",
        "",
        Face.CLI,
        "",
        (False, "NoDomainChanges", 2),
    ),
    ((ALLOW_ALL, NO_DOMAIN_CHANGES), "kooMessage:domain:read", "", Face.CLI, "", (True, "All", 0)),
    (
        (ONE_DOMAIN,),
        "kooMessage:message:send",
        "sender/news@example.com",
        Face.API,
        "",
        (True, "OneDomain", 0),
    ),
    (
        (ONE_DOMAIN,),
        "kooMessage:message:send",
        "sender/news@EXAMPLE.COM",
        Face.API,
        "",
        (True, "OneDomain", 0),
    ),
    (
        (ONE_DOMAIN,),
        "kooMessage:message:send",
        "sender/news@example.org",
        Face.API,
        "",
        (False, None, None),
    ),
    ((ONE_DOMAIN,), "kooMessage:message:send", "", Face.API, "", (False, None, None)),
    (
        (API_FROM_LAN,),
        "kooMessage:devSendTask:create",
        "",
        Face.API,
        "10.1.2.3",
        (True, "ApiFromLan", 0),
    ),
    (
        (API_FROM_LAN,),
        "kooMessage:devSendTask:create",
        "",
        Face.API,
        "::1",
        (True, "ApiFromLan", 0),
    ),
    (
        (API_FROM_LAN,),
        "kooMessage:devSendTask:create",
        "",
        Face.API,
        "192.168.1.1",
        (False, None, None),
    ),
    (
        (API_FROM_LAN,),
        "kooMessage:devSendTask:create",
        "",
        Face.SMTP,
        "10.1.2.3",
        (False, None, None),
    ),
    ((API_FROM_LAN,), "kooMessage:devSendTask:create", "", Face.API, "", (False, None, None)),
    ((READ_ONLY,), "kooMessage:report:read", "", Face.CONSOLE, "", (True, "Reads", 0)),
    ((READ_ONLY,), "kooMessage:message:reveal", "", Face.CONSOLE, "", (False, None, None)),
]


@pytest.mark.parametrize(("policies", "action", "resource", "face", "address", "expected"), CASES)
def test_a_decision_names_the_statement_that_made_it(
    policies: tuple[NamedPolicy, ...],
    action: str,
    resource: str,
    face: Face,
    address: str,
    expected: tuple[bool, str | None, int | None],
) -> None:
    decision = evaluate(_user(*policies, face=face, address=address), action, resource)
    assert (decision.allowed, decision.policy, decision.statement) == expected
    if decision.policy is None:
        assert decision.explanation.endswith(DEFAULT_DENY)
    else:
        assert f"{decision.policy} statement {decision.statement + 1}" in decision.explanation


def test_the_owner_holds_everything_and_a_narrowing_policy_limits_a_credential() -> None:
    owner_key = Principal(PrincipalKind.API_KEY, "owner", credential="kt_1234abcd")
    assert evaluate(owner_key, "kooMessage:domain:delete").allowed
    narrowed = Principal(
        PrincipalKind.API_KEY,
        "alice",
        user_id=7,
        credential="kt_1234abcd",
        policies=(ALLOW_ALL,),
        narrowing=READ_ONLY,
    )
    assert evaluate(narrowed, "kooMessage:report:read").allowed
    refused = evaluate(narrowed, "kooMessage:devSendTask:create")
    assert not refused.allowed
    assert "Reads does not allow it" in refused.explanation
    denied_user = Principal(
        PrincipalKind.API_KEY,
        "alice",
        user_id=7,
        policies=(ALLOW_ALL, NO_DOMAIN_CHANGES),
        narrowing=ALLOW_ALL,
    )
    assert evaluate(denied_user, "kooMessage:domain:update").policy == "NoDomainChanges"


MALFORMED = [
    ("", (1, 1), "empty"),
    ("   \n", (1, 1), "empty"),
    ('{"Version": "1.1", "Statement": []}', (1, 33), "non-empty"),
    ('{"Version": "1.1"}', (1, 1), "Statement"),
    (
        '{"Version": "1.1",\n "Statement": [\n'
        '  {"Effect": "Allow", "Action": ["kooMessage:*:*"],}\n ]}',
        (3, 52),
        "expected a key",
    ),
    (
        '{"Version": "2", "Statement": [{"Effect": "Allow", "Action": "kooMessage:*:*"}]}',
        (1, 13),
        "Version",
    ),
    (
        '{"Version": "1.1", "Statement": [{"Effect": "allow", "Action": "kooMessage:*:*"}]}',
        (1, 45),
        "Allow",
    ),
    (
        '{"Version": "1.1",\n"Statement": [{"Effect": "Deny",\n'
        '  "Action": ["kooMessage:domian:*"]}]}',
        (3, 14),
        "matches no action",
    ),
    (
        '{"Version": "1.1", "Statement": [{"Effect": "Deny", "Action": "domain:*"}]}',
        (1, 63),
        "<service>:<resource>:<verb>",
    ),
    (
        '{"Version": "1.1", "Statement": [{"Effect": "Deny", "Actions": "kooMessage:*:*"}]}',
        (1, 53),
        "no key 'Actions'",
    ),
    (
        '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": "kooMessage:*:*",\n'
        ' "Condition": {"SourceIp": ["10.0.0.300/8"]}}]}',
        (2, 29),
        "not an IP",
    ),
    (
        '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": "kooMessage:*:*",\n'
        ' "Condition": {"Face": ["telnet"]}}]}',
        (2, 25),
        "not a face",
    ),
    ('{"Version": "1.1", "Version": "1.0"}', (1, 20), "twice"),
    ("[1, 2]", (1, 1), "must be an object"),
    (
        '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": "kooMessage:*:*"}]} x',
        (1, 84),
        "after the end",
    ),
]


@pytest.mark.parametrize(("text", "where", "words"), MALFORMED)
def test_a_malformed_policy_is_refused_at_its_line_and_column(
    text: str, where: tuple[int, int], words: str
) -> None:
    problems = check_policy(text)
    assert problems == sorted(problems, key=lambda p: (p.line, p.column)), problems
    named = [problem for problem in problems if words in problem.message]
    assert [(p.line, p.column) for p in named] == [where], problems
    with pytest.raises(PolicyInvalid) as refused:
        parse_policy(text)
    assert refused.value.code == "policy.invalid"
    assert refused.value.field == "document"
    first = problems[0]
    assert str(refused.value).startswith(f"document: line {first.line}, column {first.column}")


def test_every_problem_of_a_policy_is_listed() -> None:
    text = '{"Version": "9", "Statement": [{"Effect": "Maybe", "Action": "x"}]}'
    assert len(check_policy(text)) == 3
