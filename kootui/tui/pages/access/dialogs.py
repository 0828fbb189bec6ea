"""The Access page's forms: new users and groups, policies attached and detached, group
members, a user's password, the idle sign-out, and the audit log's time bounds.

Each form's submit calls the core (on a thread, as ``FormDialog`` does), which checks the
signed-in user's right, the rules and writes the audit log; a refusal is shown beside its
field or above the form. A password is typed twice, masked, and never shown again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kootui.core.access import (
    GroupView,
    PolicyView,
    UserView,
    add_member,
    attach_policy,
    create_group,
    create_user,
    detach_policy,
    remove_member,
    set_idle_sign_out_minutes,
    set_password,
)
from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.printable import printable
from kootui.tui.widgets.form import FormDialog, FormValues, SelectField, TextField

PASSWORD_TWICE = (
    TextField("password", "Password", password=True),
    TextField("again", "The same again", password=True),
)


def _typed_twice(values: FormValues) -> str:
    password = str(values["password"])
    if password != values["again"]:
        raise ValidationError("the two passwords differ: type the same one twice", field="again")
    return password


def new_user_dialog(context: Context) -> FormDialog[UserView]:
    def new_user(values: FormValues) -> UserView:
        password = _typed_twice(values)
        return create_user(context, values["name"], password, display_name=values["display_name"])

    return FormDialog(
        "New user",
        [
            TextField("name", "User name", placeholder="ann"),
            TextField("display_name", "Display name", placeholder="Ann Lee"),
            *PASSWORD_TWICE,
        ],
        new_user,
        submit_label="Create",
    )


def new_group_dialog(context: Context) -> FormDialog[GroupView]:
    def new_group(values: FormValues) -> GroupView:
        return create_group(context, values["name"], description=values["description"])

    return FormDialog(
        "New group",
        [TextField("name", "Name"), TextField("description", "Description")],
        new_group,
        submit_label="Create",
    )


def password_dialog(context: Context, user: UserView) -> FormDialog[UserView]:
    def change(values: FormValues) -> UserView:
        return set_password(context, user.name, _typed_twice(values))

    return FormDialog(
        printable(f"Set {user.name}'s password"), list(PASSWORD_TWICE), change, submit_label="Set"
    )


def only(names: list[str]) -> str | None:
    """The choice made already when there is just one."""
    return names[0] if len(names) == 1 else None


def attached_names(
    policies: list[PolicyView], user: UserView | None, group: GroupView | None
) -> list[str]:
    """The policies attached directly to the user or group (what may be detached)."""
    return [
        p.name
        for p in policies
        if (user is not None and user.name in p.users)
        or (group is not None and group.name in p.groups)
    ]


def target_name(user: UserView | None, group: GroupView | None) -> str:
    return f"user {user.name}" if user else f"group {group.name}" if group else ""


def attach_dialog(
    context: Context,
    policies: list[PolicyView],
    user: UserView | None,
    group: GroupView | None,
    *,
    detach: bool = False,
) -> FormDialog[PolicyView]:
    """Attach any policy to the user or group; or detach one of those attached to it
    directly (a user's policies through a group are detached from the group)."""
    target = target_name(user, group)
    names = attached_names(policies, user, group) if detach else [p.name for p in policies]
    change = detach_policy if detach else attach_policy

    def submit(values: FormValues) -> PolicyView:
        if not values["policy"]:
            raise ValidationError("choose a policy", field="policy")
        return change(
            context,
            values["policy"],
            user=user.name if user else None,
            group=group.name if group else None,
        )

    title = f"Detach a policy from {target}" if detach else f"Attach a policy to {target}"
    return FormDialog(
        printable(title),
        [SelectField("policy", "Policy", [(name, name) for name in names], only(names))],
        submit,
        submit_label="Detach" if detach else "Attach",
    )


def member_dialog(
    context: Context, group: GroupView, users: list[UserView], *, remove: bool = False
) -> FormDialog[GroupView]:
    if remove:
        names = list(group.members)
    else:
        names = [user.name for user in users if user.name not in group.members]

    def submit(values: FormValues) -> GroupView:
        if not values["user"]:
            raise ValidationError("choose a user", field="user")
        change = remove_member if remove else add_member
        return change(context, group.name, values["user"])

    title = f"Remove a member from {group.name}" if remove else f"Add a member to {group.name}"
    return FormDialog(
        printable(title),
        [SelectField("user", "User", [(name, name) for name in names], only(names))],
        submit,
        submit_label="Remove" if remove else "Add",
    )


def idle_dialog(context: Context, minutes: int) -> FormDialog[int]:
    def submit(values: FormValues) -> int:
        text = str(values["idle_minutes"]).strip()
        if not text.isdigit():
            raise ValidationError("type a whole number of minutes", field="idle_minutes")
        return set_idle_sign_out_minutes(context, int(text))

    return FormDialog(
        "Idle sign-out",
        [TextField("idle_minutes", "Minutes idle before a console signs out", str(minutes))],
        submit,
    )


def moment(text: str) -> datetime | None:
    """A bound the audit filter was given (``2026-12-05`` or ``2026-12-05 14:00``, local
    time unless a zone is given); None while it is empty or not a date yet."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        return None
