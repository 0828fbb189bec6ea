"""What the Access page shows as text: the side panels on the user or group under the
cursor (policies held directly and through groups, a user's API keys and SMTP logins, the
keys that act on it) and the audit log's rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from textual.content import Content

from kootui.core.access import AuditLine, GroupView, PolicyView, UserView
from kootui.core.apikeys import ApiKeyView, SmtpCredentialView
from kootui.core.clock import local_text
from kootui.core.plural import count_of
from kootui.core.printable import printable


@dataclass(frozen=True)
class UserKeys:
    """What the panel's last lines name: the explain key, and the workspace's idle
    sign-out (None when the signed-in user may not read it)."""

    explain: str
    idle_minutes: int | None
    # " · 250/1,000 today" by label (a user's name, kt_…, kts_…) where a daily limit is set.
    limits: Mapping[str, str] = field(default_factory=dict)


def user_status(user: UserView) -> str:
    if user.disabled:
        return "disabled"
    if user.locked_until is not None:
        return "locked"
    return "active"


def _lines(title: str, items: Sequence[str], empty: str = "  none") -> list[Content]:
    return [
        Content.styled(title, "bold"),
        *(Content(printable(f"  {item}")) for item in items),
        *([Content(empty)] if not items else []),
        Content(""),
    ]


def user_detail(
    user: UserView,
    policies: Sequence[PolicyView],
    api_keys: Sequence[ApiKeyView],
    smtp_logins: Sequence[SmtpCredentialView],
    keys: UserKeys,
) -> Content:
    held = [p.name for p in policies if user.name in p.users]
    held += [f"{p.name} (group {g})" for p in policies for g in p.groups if g in user.groups]
    limit = keys.limits.get
    owned_keys = [
        f"{k.display_prefix} {k.name}{limit(k.display_prefix, '')}"
        for k in api_keys
        if k.owner == user.name
    ]
    # Shown only when set: most users have none (`kootui iam user set-limit`).
    own_limit = limit(user.name, "").removeprefix(" · ")
    limit_line = [Content(printable(f"daily limit: {own_limit}"))] if own_limit else []
    idle = (
        []
        if keys.idle_minutes is None
        else [
            Content(
                f"Consoles sign out after {count_of(keys.idle_minutes, 'idle minute')}."
                if keys.idle_minutes
                else "Consoles never sign out when idle."
            )
        ]
    )
    lines = [
        Content.styled(printable(user.display_name or user.name), "bold"),
        Content(printable(f"user name: {user.name} · {user_status(user)}")),
        *limit_line,
        Content(""),
        *_lines("Policies", held, "  none: everything is refused (default deny)"),
        *_lines("API keys", owned_keys),
        *_lines(
            "SMTP logins",
            [
                f"{login.username} {login.name}{limit(login.username, '')}"
                for login in smtp_logins
                if login.owner == user.name
            ],
        ),
        Content(f"{keys.explain} explains an action for this user."),
        *idle,
    ]
    return Content("\n").join(lines)


def group_detail(group: GroupView, policies: Sequence[PolicyView]) -> Content:
    lines = [
        Content.styled(printable(group.name), "bold"),
        Content(printable(group.description)),
        Content(""),
        *_lines(count_of(len(group.members), "member"), list(group.members), ""),
        *_lines("Policies", [p.name for p in policies if group.name in p.groups]),
    ]
    return Content("\n").join(lines)


def audit_rows(lines: Sequence[AuditLine]) -> list[tuple[str, tuple[str, ...]]]:
    """The audit table's rows: (key, cells), newest first as the core returns them."""
    return [
        (
            str(line.id),
            (
                local_text(line.at, "%Y-%m-%d %H:%M:%S"),
                line.principal,
                line.action,
                line.resource or "—",
                line.face,
                line.address or "—",
                "allowed" if line.allowed else "REFUSED",
                line.decided_by,
            ),
        )
        for line in lines
    ]
