"""Every action kootui checks, in one table: ``kooMessage:<resource>:<verb>``.

A core entry point names its action with ``@requires`` (``guard.py``); a policy's
``Action`` patterns are matched against these names, case-insensitively, so the seeds'
``KooMessage:*:*`` and ``kooMessage:devSendTask:create`` both work. ``read`` actions change
nothing and are not written to the audit log when allowed; ``busy`` actions happen once per
message (API/SMTP sending, tracking) and are audited only when refused, because the
message rows already say who sent what. The owner's allowed writes are audited only when
they change access (users, groups, policies, sign-in, credentials): with sign-in off every
operator is the owner, so the line could not say who, and each line is a commit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SERVICE = "kooMessage"


class ActionKind(StrEnum):
    READ = "read"
    WRITE = "write"
    BUSY = "busy"


@dataclass(frozen=True)
class ActionSpec:
    name: str
    kind: ActionKind
    description: str

    @property
    def resource_type(self) -> str:
        return self.name.split(":")[1]

    @property
    def audited_when_allowed(self) -> bool:
        return self.kind is ActionKind.WRITE

    @property
    def guards_access(self) -> bool:
        """Whether the action changes who may do what (users, groups, policies, sign-in,
        credentials): audited even for the owner."""
        return self.resource_type in _ACCESS_RESOURCES


def _spec(resource: str, verb: str, kind: ActionKind, description: str) -> ActionSpec:
    return ActionSpec(f"{SERVICE}:{resource}:{verb}", kind, description)


_R, _W, _B = ActionKind.READ, ActionKind.WRITE, ActionKind.BUSY
_ACCESS_RESOURCES = frozenset(("user", "group", "policy", "iam", "apiKey", "smtpCredential"))

ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        _spec("workspace", "read", _R, "read the workspace's settings and overview"),
        _spec("workspace", "update", _W, "change the workspace's settings"),
        _spec("domain", "read", _R, "list domains, their records and checks"),
        _spec("domain", "create", _W, "add a sender domain"),
        _spec("domain", "update", _W, "rename, verify or rotate the DKIM key of a domain"),
        _spec("domain", "delete", _W, "delete a sender domain"),
        _spec("sender", "read", _R, "list sender addresses"),
        _spec("sender", "create", _W, "add a sender address"),
        _spec("sender", "delete", _W, "delete a sender address"),
        _spec("template", "read", _R, "list and show templates"),
        _spec("template", "create", _W, "create or copy a template"),
        _spec("template", "update", _W, "edit a template"),
        _spec("template", "delete", _W, "delete a template"),
        _spec("template", "approve", _W, "approve or reject a template"),
        _spec("devSendTask", "read", _R, "list sending tasks and their progress"),
        _spec("devSendTask", "create", _W, "create a sending task"),
        _spec("devSendTask", "update", _W, "pause, resume or cancel a sending task"),
        _spec("devSendTask", "delete", _W, "delete a finished sending task"),
        _spec("message", "read", _R, "list and show sent messages (addresses masked)"),
        _spec("message", "reveal", _W, "show a recipient's whole address"),
        _spec("message", "export", _W, "export sent messages to a file"),
        _spec("message", "send", _B, "send through the API or SMTP submission"),
        _spec("suppression", "read", _R, "list the suppression list (addresses masked)"),
        _spec("suppression", "create", _W, "add addresses to the suppression list"),
        _spec("suppression", "delete", _W, "remove an address from the suppression list"),
        _spec("suppression", "reveal", _W, "show a suppressed address whole"),
        _spec("suppression", "export", _W, "export the suppression list"),
        _spec("report", "read", _R, "read the statistics report"),
        _spec("apiKey", "read", _R, "list API keys"),
        _spec("apiKey", "create", _W, "create an API key"),
        _spec("apiKey", "delete", _W, "revoke an API key"),
        _spec("smtpCredential", "read", _R, "list SMTP credentials"),
        _spec("smtpCredential", "create", _W, "create an SMTP credential"),
        _spec("smtpCredential", "delete", _W, "revoke an SMTP credential"),
        _spec("webhook", "read", _R, "list webhook endpoints and their delivery logs"),
        _spec("webhook", "create", _W, "add a webhook endpoint"),
        _spec(
            "webhook", "update", _W, "edit, enable, disable, test or rotate an endpoint's secret"
        ),
        _spec("webhook", "delete", _W, "remove a webhook endpoint"),
        _spec("package", "read", _R, "list packages, the month's use and what is billable"),
        _spec("package", "create", _W, "add a package of emails"),
        _spec("package", "update", _W, "set what happens beyond every package"),
        _spec("package", "delete", _W, "remove a package"),
        _spec("warmup", "read", _R, "show the warm-up plans and today's caps"),
        _spec("warmup", "update", _W, "set or clear a domain's warm-up plan"),
        _spec("destination", "read", _R, "list destination limits and slowed destinations"),
        _spec("destination", "create", _W, "add a destination limit"),
        _spec("destination", "update", _W, "change a destination limit or the workspace rate"),
        _spec("destination", "delete", _W, "remove a destination limit"),
        _spec("limit", "read", _R, "list daily message limits and today's use"),
        _spec("limit", "update", _W, "set or clear a user's or credential's daily limit"),
        _spec("user", "read", _R, "list users and explain their access"),
        _spec("user", "create", _W, "create a user"),
        _spec("user", "update", _W, "disable, enable a user or set their password"),
        _spec("group", "read", _R, "list groups and their members"),
        _spec("group", "create", _W, "create a group"),
        _spec("group", "update", _W, "add or remove a group's members"),
        _spec("policy", "read", _R, "list and show policies"),
        _spec("policy", "create", _W, "create a custom policy"),
        _spec("policy", "update", _W, "edit a custom policy"),
        _spec("policy", "attach", _W, "attach or detach a policy to a user or group"),
        _spec("session", "create", _B, "sign in (every attempt is audited by sign-in itself)"),
        _spec("iam", "update", _W, "turn sign-in on, set the idle sign-out time"),
        _spec("audit", "read", _R, "read and export the audit log"),
        _spec("engine", "run", _B, "send queued messages, check domains (the service's work)"),
        _spec("tracking", "record", _B, "record opens, clicks, unsubscribes and bounces"),
    )
}


class Act(StrEnum):
    """The names of ``ACTIONS`` as constants, for ``@requires`` and the faces."""

    WORKSPACE_READ = "kooMessage:workspace:read"
    WORKSPACE_UPDATE = "kooMessage:workspace:update"
    DOMAIN_READ = "kooMessage:domain:read"
    DOMAIN_CREATE = "kooMessage:domain:create"
    DOMAIN_UPDATE = "kooMessage:domain:update"
    DOMAIN_DELETE = "kooMessage:domain:delete"
    SENDER_READ = "kooMessage:sender:read"
    SENDER_CREATE = "kooMessage:sender:create"
    SENDER_DELETE = "kooMessage:sender:delete"
    TEMPLATE_READ = "kooMessage:template:read"
    TEMPLATE_CREATE = "kooMessage:template:create"
    TEMPLATE_UPDATE = "kooMessage:template:update"
    TEMPLATE_DELETE = "kooMessage:template:delete"
    TEMPLATE_APPROVE = "kooMessage:template:approve"
    TASK_READ = "kooMessage:devSendTask:read"
    TASK_CREATE = "kooMessage:devSendTask:create"
    TASK_UPDATE = "kooMessage:devSendTask:update"
    TASK_DELETE = "kooMessage:devSendTask:delete"
    MESSAGE_READ = "kooMessage:message:read"
    MESSAGE_REVEAL = "kooMessage:message:reveal"
    MESSAGE_EXPORT = "kooMessage:message:export"
    MESSAGE_SEND = "kooMessage:message:send"
    SUPPRESSION_READ = "kooMessage:suppression:read"
    SUPPRESSION_CREATE = "kooMessage:suppression:create"
    SUPPRESSION_DELETE = "kooMessage:suppression:delete"
    SUPPRESSION_REVEAL = "kooMessage:suppression:reveal"
    SUPPRESSION_EXPORT = "kooMessage:suppression:export"
    REPORT_READ = "kooMessage:report:read"
    API_KEY_READ = "kooMessage:apiKey:read"
    API_KEY_CREATE = "kooMessage:apiKey:create"
    API_KEY_DELETE = "kooMessage:apiKey:delete"
    SMTP_CREDENTIAL_READ = "kooMessage:smtpCredential:read"
    SMTP_CREDENTIAL_CREATE = "kooMessage:smtpCredential:create"
    SMTP_CREDENTIAL_DELETE = "kooMessage:smtpCredential:delete"
    WEBHOOK_READ = "kooMessage:webhook:read"
    WEBHOOK_CREATE = "kooMessage:webhook:create"
    WEBHOOK_UPDATE = "kooMessage:webhook:update"
    WEBHOOK_DELETE = "kooMessage:webhook:delete"
    PACKAGE_READ = "kooMessage:package:read"
    PACKAGE_CREATE = "kooMessage:package:create"
    PACKAGE_UPDATE = "kooMessage:package:update"
    PACKAGE_DELETE = "kooMessage:package:delete"
    WARMUP_READ = "kooMessage:warmup:read"
    WARMUP_UPDATE = "kooMessage:warmup:update"
    DESTINATION_READ = "kooMessage:destination:read"
    DESTINATION_CREATE = "kooMessage:destination:create"
    DESTINATION_UPDATE = "kooMessage:destination:update"
    DESTINATION_DELETE = "kooMessage:destination:delete"
    LIMIT_READ = "kooMessage:limit:read"
    LIMIT_UPDATE = "kooMessage:limit:update"
    USER_READ = "kooMessage:user:read"
    USER_CREATE = "kooMessage:user:create"
    USER_UPDATE = "kooMessage:user:update"
    GROUP_READ = "kooMessage:group:read"
    GROUP_CREATE = "kooMessage:group:create"
    GROUP_UPDATE = "kooMessage:group:update"
    POLICY_READ = "kooMessage:policy:read"
    POLICY_CREATE = "kooMessage:policy:create"
    POLICY_UPDATE = "kooMessage:policy:update"
    POLICY_ATTACH = "kooMessage:policy:attach"
    SESSION_CREATE = "kooMessage:session:create"
    IAM_UPDATE = "kooMessage:iam:update"
    AUDIT_READ = "kooMessage:audit:read"
    ENGINE_RUN = "kooMessage:engine:run"
    TRACKING_RECORD = "kooMessage:tracking:record"


def action_spec(name: str) -> ActionSpec:
    """The table's entry for an action name (exact spelling, as ``Act`` gives it)."""
    return ACTIONS[name]
