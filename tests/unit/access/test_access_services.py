"""Users, groups, policies and attachments in the store; sign-in with its lockout on the
injected clock; the guard's refusal and the audit log's lines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kootui.core.access import (
    FREE_FAILURES,
    AccessDenied,
    Act,
    AuditFilter,
    Face,
    PolicyInvalid,
    SignInRefused,
    add_member,
    attach_policy,
    audit_as_csv,
    authenticate,
    create_group,
    create_policy,
    create_user,
    detach_policy,
    enable_iam,
    get_user,
    iam_enabled,
    list_groups,
    list_policies,
    list_users,
    lock_delay,
    query_audit,
    refresh_principal,
    set_password,
    set_user_disabled,
    update_policy,
)
from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.domains import create_domain
from kootui.core.errors import Conflict, InvalidState, ValidationError

PASSWORD = "correct horse battery"
NO_DOMAIN_CHANGES = """{
  "Version": "1.1",
  "Statement": [
    {"Effect": "Allow", "Action": ["kooMessage:*:*"]},
    {"Effect": "Deny", "Action": ["kooMessage:domain:create", "kooMessage:domain:update",
                                  "kooMessage:domain:delete"]}
  ]
}"""


def test_users_groups_and_policies_are_made_listed_and_attached(context: Context) -> None:
    assert not iam_enabled(context)
    assert [p.name for p in list_policies(context) if p.system] == [
        "FullAccess",
        "ReadOnly",
        "Sender",
        "TemplateApprover",
    ]
    alice = create_user(context, "Alice", PASSWORD, display_name="Alice  Liddell")
    with context.store.session() as session:
        from kootui.core.access import find_user_row

        assert find_user_row(session, "alice").password_hash.startswith("$argon2id$")
    assert (alice.name, alice.display_name, alice.disabled) == ("alice", "Alice Liddell", False)
    with pytest.raises(Conflict):
        create_user(context, "ALICE", PASSWORD)
    with pytest.raises(ValidationError) as short:
        create_user(context, "bob", "short")
    assert short.value.field == "password"
    with pytest.raises(ValidationError) as bad:
        create_user(context, "bob smith", PASSWORD)
    assert bad.value.field == "name"
    create_group(context, "senders")
    add_member(context, "senders", "alice")
    assert [(g.name, g.members) for g in list_groups(context)] == [("senders", ("alice",))]
    assert get_user(context, "alice").groups == ("senders",)
    create_policy(context, "No domain changes", NO_DOMAIN_CHANGES)
    with pytest.raises(PolicyInvalid) as invalid:
        create_policy(context, "Broken", '{"Version": "1.1", "Statement": [}')
    assert str(invalid.value).startswith("document: line 1, column 34")
    with pytest.raises(InvalidState):
        update_policy(context, "FullAccess", NO_DOMAIN_CHANGES)
    attached = attach_policy(context, "No domain changes", group="senders")
    assert attached.groups == ("senders",)
    attach_policy(context, "KooMessage FullAccess", user="alice")  # the seeds' spelling
    assert detach_policy(context, "FullAccess", user="alice").users == ()
    assert [u.name for u in list_users(context)] == ["alice"]


def test_a_user_signs_in_with_the_policies_of_their_groups(context: Context) -> None:
    create_user(context, "alice", PASSWORD)
    create_group(context, "senders")
    add_member(context, "senders", "alice")
    create_policy(context, "No domain changes", NO_DOMAIN_CHANGES)
    attach_policy(context, "No domain changes", group="senders")
    alice = authenticate(context, "Alice", PASSWORD, Face.CLI, "127.0.0.1")
    as_alice = context.acting_as(alice)
    assert [u.name for u in list_users(as_alice)] == ["alice"]
    with pytest.raises(AccessDenied) as refused:
        create_domain(as_alice, "example.com")
    assert refused.value.code == "access.denied"
    assert refused.value.http_status == 403
    assert refused.value.action == "kooMessage:domain:create"
    assert refused.value.explanation == (
        "alice: kooMessage:domain:create on domain/example.com is refused: "
        "No domain changes statement 2 (Deny)"
    )
    lines = query_audit(context, AuditFilter(user_name="alice", refused_only=True))
    assert [line.action for line in lines] == ["kooMessage:domain:create"]
    assert lines[0].decided_by == "No domain changes statement 2 (Deny)"
    assert (lines[0].face, lines[0].address) == ("cli", "127.0.0.1")


def test_wrong_passwords_lock_the_user_for_growing_delays(
    context: Context, clock: FixedClock
) -> None:
    create_user(context, "alice", PASSWORD)
    assert [lock_delay(n).total_seconds() for n in range(1, 8)] == [0, 0, 0, 15, 30, 60, 120]
    for _ in range(FREE_FAILURES):
        with pytest.raises(SignInRefused) as wrong:
            authenticate(context, "alice", "wrong password!", Face.CONSOLE)
        assert wrong.value.code == "signin.refused"
    with pytest.raises(SignInRefused):
        authenticate(context, "alice", "wrong password!", Face.CONSOLE)
    with pytest.raises(SignInRefused) as locked:
        authenticate(context, "alice", PASSWORD, Face.CONSOLE)
    assert locked.value.code == "signin.locked"
    assert "15 seconds" in locked.value.message
    clock.advance(timedelta(seconds=16))
    with pytest.raises(SignInRefused):
        authenticate(context, "alice", "wrong again!!", Face.CONSOLE)
    clock.advance(timedelta(seconds=16))
    with pytest.raises(SignInRefused) as longer:
        authenticate(context, "alice", PASSWORD, Face.CONSOLE)
    assert "14 seconds" in longer.value.message  # 30 s from the last failure, 16 s gone
    clock.advance(timedelta(seconds=15))
    assert authenticate(context, "alice", PASSWORD, Face.CONSOLE).name == "alice"
    assert get_user(context, "alice").locked_until is None
    refused = query_audit(context, AuditFilter(refused_only=True, action="*session*"))
    assert len(refused) == 7
    assert "locked after" in refused[0].decided_by
    csv_text = audit_as_csv(refused)
    assert csv_text.splitlines()[0].startswith("id,at,principal")


def test_unknown_names_and_disabled_users_are_refused_in_the_same_words(context: Context) -> None:
    create_user(context, "alice", PASSWORD)
    set_user_disabled(context, "alice", True)
    with pytest.raises(SignInRefused) as disabled:
        authenticate(context, "alice", PASSWORD, Face.CLI)
    with pytest.raises(SignInRefused) as unknown:
        authenticate(context, "nobody", PASSWORD, Face.CLI)
    assert disabled.value.message == unknown.value.message
    set_user_disabled(context, "alice", False)
    set_password(context, "alice", "another long password")
    alice = authenticate(context, "alice", "another long password", Face.CLI)
    assert alice.policies == ()
    attach_policy(context, "ReadOnly", user="alice")
    assert [p.name for p in refresh_principal(context, alice).policies] == ["ReadOnly"]


def test_enabling_sign_in_makes_the_first_administrator(context: Context) -> None:
    admin = enable_iam(context, "root-admin", PASSWORD)
    assert iam_enabled(context)
    with pytest.raises(InvalidState):
        enable_iam(context, "second", PASSWORD)
    principal = authenticate(context, admin.name, PASSWORD, Face.CLI)
    assert [p.name for p in principal.policies] == ["FullAccess"]
    as_admin = context.acting_as(principal)
    create_user(as_admin, "bob", PASSWORD)
    written = query_audit(context, AuditFilter(action=Act.USER_CREATE.value))
    assert [(line.user_name, line.allowed, line.resource) for line in written] == [
        ("root-admin", True, "user/bob")
    ]


def test_template_review_needs_the_approve_action_and_records_the_principal(
    context: Context,
) -> None:
    from kootui.core.templates import (
        TemplateDraft,
        approve_template,
        create_template,
        reject_template,
    )
    from kootui.core.workspace import update_workspace

    update_workspace(context, sensitive_industry=True)
    draft = TemplateDraft(title="Welcome", subject="Hi {{ name }}", body_type="text", body="Hi")
    first = create_template(context, draft)
    second = create_template(context, TemplateDraft(**{**draft.__dict__, "title": "Second"}))
    create_user(context, "carol", PASSWORD)
    create_user(context, "dave", PASSWORD)
    attach_policy(context, "TemplateApprover", user="carol")
    attach_policy(context, "ReadOnly", user="dave")
    carol = context.acting_as(authenticate(context, "carol", PASSWORD, Face.CONSOLE))
    dave = context.acting_as(authenticate(context, "dave", PASSWORD, Face.CONSOLE))
    with pytest.raises(AccessDenied) as refused:
        approve_template(dave, first.id, operator="typed name")
    assert refused.value.explanation == (
        f"dave: kooMessage:template:approve on template/{first.id} is refused: "
        "no statement allows it (default deny)"
    )
    approved = approve_template(carol, first.id, operator="typed name")
    assert approved.reviewed_by == "carol"  # the principal, not what was typed
    rejected = reject_template(carol, second.id, reason="wrong brand")
    assert rejected.reviewed_by == "carol"
    assert [line.allowed for line in query_audit(context, AuditFilter(action="*:approve"))] == [
        True,
        True,
        False,
    ]


def test_whole_addresses_need_the_reveal_action_beside_the_read(context: Context) -> None:
    from kootui.core.details import query_messages
    from kootui.core.suppression import list_suppressions

    create_user(context, "erin", PASSWORD)
    attach_policy(context, "ReadOnly", user="erin")
    erin = context.acting_as(authenticate(context, "erin", PASSWORD, Face.CONSOLE))
    assert query_messages(erin).rows == []
    assert list_suppressions(erin).rows == []
    for reveal_call, action in (
        (lambda: query_messages(erin, reveal=True), "kooMessage:message:reveal"),
        (lambda: list_suppressions(erin, reveal=True), "kooMessage:suppression:reveal"),
    ):
        with pytest.raises(AccessDenied) as refused:
            reveal_call()
        assert refused.value.action == action
