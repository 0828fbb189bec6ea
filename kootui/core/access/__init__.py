"""Access control: users, groups, JSON policies with Deny precedence and an explain,
principals (the owner, a user, a user's API key or SMTP login), sign-in with lockout, the
one check every core entry point declares (``@requires``), and the audit log.

The boundary: whoever can read the store bypasses all of it. It guards the faces kootui
controls (API, SMTP, console and CLI with sign-in on, ``kootui web``).

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.access.actions import ACTIONS, Act, ActionKind, ActionSpec, action_spec
from kootui.core.access.audit import (
    MAX_AUDIT_ROWS,
    AuditFilter,
    AuditLine,
    audit_as_csv,
    audit_as_json,
    query_audit,
)
from kootui.core.access.decide import DEFAULT_DENY, Decision, evaluate, explain
from kootui.core.access.documents import (
    Effect,
    Face,
    PolicyDocument,
    PolicyInvalid,
    PolicyProblem,
    Statement,
    check_policy,
    parse_policy,
)
from kootui.core.access.explain import action_named, explain_principal, explain_user
from kootui.core.access.guard import check_access, declared_action, requires
from kootui.core.access.passwords import MIN_PASSWORD_CHARS
from kootui.core.access.policies import (
    PolicyView,
    attach_policy,
    create_policy,
    detach_policy,
    get_policy,
    list_policies,
    update_policy,
)
from kootui.core.access.principal import OWNER, NamedPolicy, Principal, PrincipalKind
from kootui.core.access.signin import (
    FREE_FAILURES,
    SignInRefused,
    authenticate,
    enable_iam,
    iam_enabled,
    idle_sign_out_minutes,
    lock_delay,
    owner_credential_principal,
    principal_of_user,
    refresh_principal,
    set_idle_sign_out_minutes,
)
from kootui.core.access.system_policies import FULL_ACCESS, SYSTEM_POLICY_TEXTS
from kootui.core.access.users import (
    GroupView,
    UserView,
    add_member,
    create_group,
    create_user,
    find_user_row,
    get_user,
    list_groups,
    list_users,
    remove_member,
    set_password,
    set_user_disabled,
)
from kootui.core.errors import AccessDenied

__all__ = [
    "ACTIONS",
    "DEFAULT_DENY",
    "FREE_FAILURES",
    "FULL_ACCESS",
    "MAX_AUDIT_ROWS",
    "MIN_PASSWORD_CHARS",
    "OWNER",
    "SYSTEM_POLICY_TEXTS",
    "AccessDenied",
    "Act",
    "ActionKind",
    "ActionSpec",
    "AuditFilter",
    "AuditLine",
    "Decision",
    "Effect",
    "Face",
    "GroupView",
    "NamedPolicy",
    "PolicyDocument",
    "PolicyInvalid",
    "PolicyProblem",
    "PolicyView",
    "Principal",
    "PrincipalKind",
    "SignInRefused",
    "Statement",
    "UserView",
    "action_named",
    "action_spec",
    "add_member",
    "attach_policy",
    "audit_as_csv",
    "audit_as_json",
    "authenticate",
    "check_access",
    "check_policy",
    "create_group",
    "create_policy",
    "create_user",
    "declared_action",
    "detach_policy",
    "enable_iam",
    "evaluate",
    "explain",
    "explain_principal",
    "explain_user",
    "find_user_row",
    "get_policy",
    "get_user",
    "iam_enabled",
    "idle_sign_out_minutes",
    "list_groups",
    "list_policies",
    "list_users",
    "lock_delay",
    "owner_credential_principal",
    "parse_policy",
    "principal_of_user",
    "query_audit",
    "refresh_principal",
    "remove_member",
    "requires",
    "set_idle_sign_out_minutes",
    "set_password",
    "set_user_disabled",
    "update_policy",
]
