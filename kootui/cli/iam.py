"""``kootui iam …`` (users, groups, policies, sign-in, explain) and ``kootui audit``.

Passwords are never arguments: a new user's password is asked twice on the terminal or
read from the file descriptor in ``KOOTUI_NEW_PASSWORD_FD``; the signed-in operator's as
``cli/context.py`` says. A policy is read from a file and every problem
is printed as ``FILE:LINE:COLUMN: message``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.daily_limits import add_limit_list, add_set_limit
from kootui.cli.output import ArgumentParser, say, say_block
from kootui.cli.paths import file_to_read
from kootui.core.clock import local_text
from kootui.core.config import Settings
from kootui.core.errors import KootuiError, ValidationError

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context

NEW_PASSWORD_FD_VARIABLE = "KOOTUI_NEW_PASSWORD_FD"
FACES = ("console", "cli", "api", "smtp", "web")


def _new_password(name: str) -> str:
    descriptor = os.environ.get(NEW_PASSWORD_FD_VARIABLE, "").strip()
    if descriptor:
        if not descriptor.isdigit():
            raise ValidationError(f"{NEW_PASSWORD_FD_VARIABLE} must be a file descriptor number")
        with os.fdopen(int(descriptor), "rb", closefd=True) as source:
            data = source.read(4096).decode("utf-8", "replace")
        return data.splitlines()[0] if data else ""
    if not sys.stdin.isatty():
        raise ValidationError(
            f"no terminal to ask {name}'s new password: give it through {NEW_PASSWORD_FD_VARIABLE}",
            field="password",
        )
    first = getpass.getpass(f"new password for {name}: ")
    if getpass.getpass("the same again: ") != first:
        raise ValidationError("the two passwords differ", field="password")
    return first


def _read_policy(path: Path) -> tuple[str, str]:
    return str(path), path.read_text(encoding="utf-8")


def _policy_problems(where: str, exc: KootuiError) -> int:
    from kootui.core.access import PolicyInvalid

    if not isinstance(exc, PolicyInvalid):
        raise exc
    for problem in exc.problems:
        say(f"{where}:{problem.line}:{problem.column}: {problem.message}", err=True)
    return 2


# --- sign-in ----------------------------------------------------------------------------


def _enable(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import enable_iam, iam_enabled
    from kootui.tui.ui_state import remember_sign_in

    if iam_enabled(context):
        say("sign-in is already on", err=True)
        return 1
    admin = enable_iam(
        context, args.admin, _new_password(args.admin), display_name=args.display_name
    )
    # The next console draws no page's frame before its sign-in screen.
    remember_sign_in(context.settings.paths.ui_state_file, True)
    say(f"Sign-in is on. {admin.name} is the first administrator (FullAccess).")
    say(
        "Commands now sign in: they ask a user name and password (or read KOOTUI_USER and "
        "KOOTUI_PASSWORD_FD); the console opens on a sign-in screen."
    )
    return 0


def _status(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import iam_enabled, idle_sign_out_minutes

    if iam_enabled(context):
        minutes = idle_sign_out_minutes(context)
        say(f"sign-in: on (idle sign-out after {minutes} min)")
        say(f"acting as: {context.principal.label}")
    else:
        say("sign-in: off (everyone who runs kootui is the owner; `kootui iam enable` turns it on)")
    return 0


def _idle(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import set_idle_sign_out_minutes

    say(f"idle sign-out after {set_idle_sign_out_minutes(context, args.minutes)} min")
    return 0


# --- users and groups -------------------------------------------------------------------


def _user_line(user: object) -> str:
    from kootui.core.access import UserView

    assert isinstance(user, UserView)
    state = "disabled" if user.disabled else "active"
    seen = local_text(user.last_sign_in_at, "%Y-%m-%d %H:%M") if user.last_sign_in_at else "never"
    groups = ",".join(user.groups) or "-"
    return f"{user.id:>4}  {user.name:<20}  {state:<8}  signed in {seen:<16}  groups {groups}"


def _user_create(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import create_user

    user = create_user(context, args.name, _new_password(args.name), display_name=args.display_name)
    say(f"Created user {user.name}; attach a policy: kootui iam attach POLICY --user {user.name}")
    return 0


def _user_list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import list_users

    users = list_users(context)
    for user in users:
        say(_user_line(user))
    say(f"{len(users)} user(s)")
    return 0


def _user_state(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import set_user_disabled

    user = set_user_disabled(context, args.name, args.user_command == "disable")
    say(f"{user.name} is {'disabled' if user.disabled else 'enabled'}")
    return 0


def _user_password(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import set_password

    user = set_password(context, args.name, _new_password(args.name))
    say(f"Set {user.name}'s password")
    return 0


def _recover(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import set_password, set_user_disabled

    set_user_disabled(context, args.name, False)
    user = set_password(context, args.name, _new_password(args.name))
    say(f"Set {user.name}'s password and lifted any lock, as the store's owner (audited)")
    return 0


def _group_create(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import create_group

    group = create_group(context, args.name, description=args.description)
    say(f"Created group {group.name}")
    return 0


def _group_list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import list_groups

    groups = list_groups(context)
    for group in groups:
        say(f"{group.id:>4}  {group.name:<20}  members {','.join(group.members) or '-'}")
    say(f"{len(groups)} group(s)")
    return 0


def _group_member(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import add_member, remove_member

    change = add_member if args.group_command == "add" else remove_member
    group = change(context, args.group, args.user)
    say(f"{group.name}: {', '.join(group.members) or 'no members'}")
    return 0


# --- policies ---------------------------------------------------------------------------


def _policy_save(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import PolicyInvalid, create_policy, update_policy

    where, text = _read_policy(args.file)
    try:
        if args.policy_command == "create":
            saved = create_policy(context, args.name, text, description=args.description)
        else:
            saved = update_policy(context, args.name, text, description=args.description)
    except PolicyInvalid as invalid:
        return _policy_problems(where, invalid)
    say(f"Saved policy {saved.name}")
    return 0


def _policy_check(args: argparse.Namespace) -> int:
    from kootui.core.access import check_policy

    where, text = _read_policy(args.file)
    problems = check_policy(text)
    for problem in problems:
        say(f"{where}:{problem.line}:{problem.column}: {problem.message}", err=True)
    if not problems:
        say(f"{where}: a valid policy")
    return 2 if problems else 0


def _policy_list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import list_policies

    policies = list_policies(context)
    for policy in policies:
        kind = "system" if policy.system else "custom"
        users = ",".join(policy.users) or "-"
        groups = ",".join(policy.groups) or "-"
        say(f"{policy.name:<24}  {kind:<6}  users {users}  groups {groups}")
    say(f"{len(policies)} polic{'y' if len(policies) == 1 else 'ies'}")
    return 0


def _policy_show(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import get_policy

    say_block(get_policy(context, args.name).document)
    return 0


def _attach(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import attach_policy, detach_policy

    change = attach_policy if args.command == "attach" else detach_policy
    view = change(context, args.policy, user=args.user, group=args.group)
    target = f"user {args.user}" if args.user else f"group {args.group}"
    verb = "Attached" if args.command == "attach" else "Detached"
    say(f"{verb} {view.name} {'to' if verb == 'Attached' else 'from'} {target}")
    return 0


def _explain(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import Face, explain_principal, explain_user
    from kootui.core.apikeys import api_key_principal, smtp_credential_principal

    face = Face(args.face) if args.face else None
    if args.user:
        decision = explain_user(
            context, args.user, args.action, args.resource, face=face, address=args.address
        )
    else:
        find = api_key_principal if args.key else smtp_credential_principal
        principal = find(context, args.key or args.login)
        decision = explain_principal(principal, args.action, args.resource, face, args.address)
    say(decision.explanation)
    return 0 if decision.allowed else 3


def _actions(args: argparse.Namespace) -> int:
    from kootui.core.access import ACTIONS

    for spec in ACTIONS.values():
        say(f"{spec.name:<36}  {spec.kind:<5}  {spec.description}")
    return 0


# --- audit ------------------------------------------------------------------------------


def _moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date or time (2026-12-05 or 2026-12-05T14:00)"
        ) from None
    return value.astimezone(UTC)  # a time without a zone is local time


def _audit(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.access import AuditFilter, audit_as_csv, audit_as_json, query_audit

    lines = query_audit(
        context,
        AuditFilter(
            user_name=args.user,
            action=args.action,
            since=args.since,
            until=args.until,
            refused_only=args.refused,
            limit=args.limit,
        ),
    )
    if args.json:
        say_block(audit_as_json(lines))
        return 0
    if args.csv:
        say_block(audit_as_csv(lines), end="")
        return 0
    for line in lines:
        verdict = "allowed" if line.allowed else "REFUSED"
        where = f"{line.face or '-'} {line.address or ''}".strip()
        on = f" {line.resource}" if line.resource else ""
        say(
            f"{local_text(line.at, '%Y-%m-%d %H:%M:%S')}  {verdict:<7}  {line.principal}  "
            f"{line.action}{on}  ({where}; {line.decided_by})"
        )
    say(f"{len(lines)} line(s)")
    return 0


def _plain(
    run: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace, Settings], int]:
    """A command that needs no store (checking a file, listing the actions)."""

    def handler(args: argparse.Namespace, settings: Settings) -> int:
        return run(args)

    return handler


def add_iam_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    iam = commands.add_parser(
        "iam", help="access control: sign-in, users, groups, policies, explain"
    )
    actions = iam.add_subparsers(dest="iam_command", metavar="ACTION", required=True)

    enable = actions.add_parser("enable", help="turn sign-in on, creating the first administrator")
    enable.add_argument("admin", metavar="ADMIN", help="the first administrator's user name")
    enable.add_argument("--display-name", default="", help="how the console greets them")
    enable.set_defaults(handler=with_context(_enable, sign_in=False))
    status = actions.add_parser("status", help="whether sign-in is on, and who you act as")
    status.set_defaults(handler=with_context(_status))
    idle = actions.add_parser("idle", help="minutes of idle time before a console signs out")
    idle.add_argument("minutes", type=int, metavar="MINUTES")
    idle.set_defaults(handler=with_context(_idle))
    listed = actions.add_parser("actions", help="every action a policy can name")
    listed.set_defaults(handler=_plain(_actions))

    user = actions.add_parser(
        "user", help="users: create, list, disable, enable, password, set-limit"
    )
    user_actions = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    create = user_actions.add_parser("create", help="create a user (the password is asked)")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--display-name", default="")
    create.set_defaults(handler=with_context(_user_create))
    user_actions.add_parser("list", help="list users").set_defaults(
        handler=with_context(_user_list)
    )
    for verb in ("disable", "enable"):
        state = user_actions.add_parser(verb, help=f"{verb} a user (their keys follow)")
        state.add_argument("name", metavar="NAME")
        state.set_defaults(handler=with_context(_user_state))
    password = user_actions.add_parser("password", help="set a user's password (asked)")
    password.add_argument("name", metavar="NAME")
    password.set_defaults(handler=with_context(_user_password))
    add_set_limit(
        user_actions,
        target="name",
        target_help="the user's name; the limit covers their tasks, keys and logins together",
        setter_name="set_user_daily_limit",
        what="a user",
    )
    add_limit_list(actions)

    recover = actions.add_parser(
        "recover",
        help="as the store's owner, without sign-in: enable a user and set their password",
    )
    recover.add_argument("name", metavar="NAME")
    recover.set_defaults(handler=with_context(_recover, sign_in=False))

    group = actions.add_parser("group", help="groups: create, list, add, remove")
    group_actions = group.add_subparsers(dest="group_command", metavar="ACTION", required=True)
    group_create = group_actions.add_parser("create", help="create a group")
    group_create.add_argument("name", metavar="NAME")
    group_create.add_argument("--description", default="")
    group_create.set_defaults(handler=with_context(_group_create))
    group_actions.add_parser("list", help="list groups and members").set_defaults(
        handler=with_context(_group_list)
    )
    for verb in ("add", "remove"):
        member = group_actions.add_parser(verb, help=f"{verb} a member")
        member.add_argument("group", metavar="GROUP")
        member.add_argument("user", metavar="USER")
        member.set_defaults(handler=with_context(_group_member))

    policy = actions.add_parser("policy", help="policies: create, update, check, list, show")
    policy_actions = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    for verb in ("create", "update"):
        save = policy_actions.add_parser(verb, help=f"{verb} a custom policy from a JSON file")
        save.add_argument("name", metavar="NAME")
        save.add_argument("file", metavar="FILE", type=file_to_read, help="the policy's JSON")
        save.add_argument("--description", default=None if verb == "update" else "")
        save.set_defaults(handler=with_context(_policy_save))
    check = policy_actions.add_parser("check", help="check a policy file; no store needed")
    check.add_argument("file", metavar="FILE", type=file_to_read, help="the policy's JSON")
    check.set_defaults(handler=_plain(_policy_check))
    policy_actions.add_parser("list", help="list policies and where attached").set_defaults(
        handler=with_context(_policy_list)
    )
    show = policy_actions.add_parser("show", help="print a policy's JSON")
    show.add_argument("name", metavar="NAME")
    show.set_defaults(handler=with_context(_policy_show))

    for verb in ("attach", "detach"):
        change = actions.add_parser(verb, help=f"{verb} a policy to a user or group")
        change.add_argument("policy", metavar="POLICY")
        target = change.add_mutually_exclusive_group(required=True)
        target.add_argument("--user", metavar="USER")
        target.add_argument("--group", metavar="GROUP")
        change.set_defaults(handler=with_context(_attach), command=verb)

    explain = actions.add_parser(
        "explain", help="which statement decides an action (exit 3 when refused)"
    )
    who = explain.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", metavar="USER")
    who.add_argument("--key", metavar="KEY", help="an API key's ID or prefix")
    who.add_argument("--login", metavar="LOGIN", help="an SMTP login (kts_…)")
    explain.add_argument("action", metavar="ACTION", help="kooMessage:<resource>:<verb>")
    explain.add_argument("--resource", default="", help="domain/example.com, template/3 …")
    explain.add_argument("--face", choices=FACES, help="as asked from this face")
    explain.add_argument("--address", default="", help="as asked from this IP address")
    explain.set_defaults(handler=with_context(_explain))

    audit = commands.add_parser("audit", help="the audit log: who did or was refused what")
    audit.add_argument("--user", metavar="USER", help="one user's lines")
    audit.add_argument("--action", metavar="PATTERN", help="kooMessage:domain:* and the like")
    audit.add_argument("--since", type=_moment, metavar="WHEN", help="from (ISO date or time)")
    audit.add_argument("--until", type=_moment, metavar="WHEN", help="before (ISO date or time)")
    audit.add_argument("--refused", action="store_true", help="refused attempts only")
    audit.add_argument("--limit", type=int, default=1000, help="newest N lines (1000)")
    shape = audit.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="as JSON")
    shape.add_argument("--csv", action="store_true", help="as CSV")
    audit.set_defaults(handler=with_context(_audit))
