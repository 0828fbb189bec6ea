"""``kootui task …``: sending tasks from the command line, so a send can be scripted over SSH.

create, list, show, cancel, pause, resume, delete and sample-xlsx call the same core
services as the Sending Tasks page; a KootuiError is printed on one line by
``kootui.cli.main`` (naming the field) with exit status 1.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, end_progress, say, say_progress
from kootui.cli.paths import file_to_read, file_to_write
from kootui.core.clock import local_text
from kootui.core.errors import ValidationError
from kootui.core.plural import count_of

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.recipients import RecipientSource
    from kootui.core.recipients.xlsx import ImportReport

LISTED_ON_SCREEN = 20
TASK_HELP = "the task's ID or its exact name (kootui task list shows both)"


def _print_report(report: ImportReport) -> None:
    say(f"{Path(report.recipients.description).name}: {report.summary()}")
    for item in report.refused[:LISTED_ON_SCREEN]:
        say(f"  row {item.row}: {item.address or '(empty)'}: {item.reason}", err=True)
    if report.refused_count > LISTED_ON_SCREEN:
        say(f"  … and {report.refused_count - LISTED_ON_SCREEN:,} more refused", err=True)


def _import(args: argparse.Namespace, context: Context, template_id: int) -> ImportReport:
    from kootui.core.recipients.xlsx import import_recipients
    from kootui.core.tasks import template_parameters

    parameters = template_parameters(context, template_id)
    show_progress = sys.stderr.isatty()

    def progress(done: int, expected: int | None) -> None:
        if show_progress:
            of = f" of {expected:,}" if expected else ""
            say_progress(f"reading row {done:,}{of}")

    report = import_recipients(args.xlsx, parameters, progress=progress, cancel=threading.Event())
    if show_progress:
        end_progress()
    return report


def _create(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.recipients import ManualRecipients, TypedRecipients
    from kootui.core.senders import find_address
    from kootui.core.store import SendMethod, SendType, stored_id
    from kootui.core.tasks import (
        TRACKING_CHOICES,
        TaskDraft,
        count_suppressed,
        create_task,
        load_attachment,
        parse_local_time,
        task_suppressed_count,
    )
    from kootui.core.templates import find_template

    template_id = find_template(context, args.template).id
    address_id = find_address(context, args.sender).id
    attachments = [load_attachment(path) for path in args.attach or []]
    scheduled_at = parse_local_time(args.at) if args.at else None
    report = None
    try:
        if args.xlsx:
            report = _import(args, context, template_id)
            _print_report(report)
            suppressed = count_suppressed(context, report.recipients)
            if suppressed:
                say(f"  {suppressed:,} of them are on the suppression list and will not be sent")
            if report.refused_count and not args.yes:
                raise ValidationError(
                    f"{count_of(report.refused_count, 'row')} refused; fix the file, or pass --yes "
                    f"to send to the {report.valid_count:,} valid rows only",
                    field="xlsx",
                    code="xlsx.refused_rows",
                )
            recipients: RecipientSource = report.recipients
        else:
            typed = ManualRecipients.from_texts(args.to)
            recipients = TypedRecipients(list(typed.require_valid()))
        draft = TaskDraft(
            name=args.name,
            subject=args.subject,
            template_id=template_id,
            address_id=address_id,
            recipients=recipients,
            send_type=SendType.SCHEDULED if scheduled_at else SendType.NOW,
            scheduled_at=scheduled_at,
            attachments=attachments,
            send_method=SendMethod.CLI,
            track_opens_clicks=TRACKING_CHOICES[args.tracking],
        )
        task = create_task(context, draft)
    finally:
        if report is not None:
            report.close()
    when = "now" if task.send_type == SendType.NOW else local_text(task.scheduled_at)
    stopped = task_suppressed_count(context, stored_id(task))
    skipped = f" ({stopped:,} suppressed, not sent)" if stopped else ""
    say(
        f"Created task {task.id} {task.name!r}: {count_of(task.recipient_count, 'message')}"
        f"{skipped}, "
        f"sending {when}"
    )
    return 0


def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.store import MAX_PAGE_SIZE, PageRequest
    from kootui.core.tasks import query_tasks, status_label

    advanced = {
        key: value
        for key, value in (
            ("status", args.status),
            ("name", args.name),
            ("template", args.template),
        )
        if value
    }
    page = query_tasks(
        context,
        PageRequest(sort_key="created_at", descending=True, limit=MAX_PAGE_SIZE, advanced=advanced),
    )
    for row in page.rows:
        created = local_text(row["created_at"], "%Y-%m-%d %H:%M")
        say(
            f"{row['id']:>6}  {row['name'][:32]:<32}  {status_label(row['status']):<13}  "
            f"{row['recipient_count']:>9,}  {row['template_name'][:24]:<24}  {created}"
        )
    say(page.range_text())
    return 0


def _show(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.tasks import duration_text, find_task_id, get_task, status_label, task_progress

    task_id = find_task_id(context, args.task)
    task = get_task(context, task_id)
    progress = task_progress(context, task_id)
    say(f"Task {task.id}: {task.name} ({status_label(task.status)})")
    say(f"  subject:    {task.subject}")
    say(f"  recipients: {task.recipient_count:,} from {task.recipient_source}")
    say(f"  send at:    {local_text(task.scheduled_at)}")
    choice = {None: "as the template says", True: "on", False: "off"}[task.track_opens_clicks]
    say(f"  tracking:   {choice} (opens and clicks)")
    counts = ", ".join(f"{name} {count:,}" for name, count in progress.counts.items())
    say(f"  progress:   {progress.fraction:.0%} — {counts}")
    if progress.suppressed:
        say(f"  suppressed: {progress.suppressed:,} not sent (on the suppression list)")
    eta = duration_text(progress.eta) if progress.eta is not None else "—"
    say(f"  rate:       {progress.rate:.1f}/s, remaining {eta}")
    return 0


def _state_change(action: str) -> Callable[[argparse.Namespace, Context], int]:
    def run(args: argparse.Namespace, context: Context) -> int:
        from kootui.core import tasks

        change = getattr(tasks, f"{action}_task")
        status_label = tasks.status_label
        task = change(context, tasks.find_task_id(context, args.task))
        say(f"Task {task.id} {task.name!r} is now {status_label(task.status).lower()}")
        return 0

    return run


def _delete(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.tasks import delete_task, find_task_id

    task = delete_task(context, find_task_id(context, args.task))
    say(f"Deleted task {task.id} {task.name!r} with its messages; statistics keep its counts")
    return 0


def _sample(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.recipients.xlsx import write_sample_xlsx
    from kootui.core.tasks import template_parameters
    from kootui.core.templates import find_template

    path: Path = args.path
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("the sample file name must end in .xlsx", field="path")
    if path.exists() and not args.force:
        raise ValidationError(f"{path} exists; pass --force to replace it", field="path")
    parameters = template_parameters(context, find_template(context, args.template).id)
    write_sample_xlsx(path, parameters)
    say(f"Wrote {path} with the columns: {', '.join(['email', *parameters])}")
    return 0


def add_task_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    task = commands.add_parser(
        "task", help="sending tasks: create, list, show, cancel, pause, delete"
    )
    actions = task.add_subparsers(dest="task_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="create a task that sends now or at a set time")
    create.add_argument("--name", required=True, help="task name (at most 100 characters)")
    create.add_argument("--subject", required=True, help="email subject; may use {{ parameters }}")
    create.add_argument(
        "--template", required=True, metavar="TITLE|ID", help="approved template: title or ID"
    )
    create.add_argument(
        "--sender", required=True, metavar="ADDRESS|ID", help="sender address, or its ID"
    )
    source = create.add_mutually_exclusive_group(required=True)
    source.add_argument("--to", action="append", metavar="ADDR", help="a recipient (up to 10)")
    source.add_argument(
        "--xlsx", metavar="FILE", type=file_to_read, help="recipients from an .xlsx file (40 MB)"
    )
    create.add_argument(
        "--attach", action="append", metavar="FILE", type=file_to_read, help="attach a file (4 MB)"
    )
    create.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help="send at this local time")
    create.add_argument("--yes", action="store_true", help="go on when some rows are refused")
    create.add_argument(
        "--tracking",
        choices=("template", "on", "off"),  # the keys of tasks.TRACKING_CHOICES
        default="template",
        help="open and click tracking: as the template says (default), on or off",
    )
    create.set_defaults(handler=with_context(_create))

    listing = actions.add_parser("list", help="list tasks, newest first")
    listing.add_argument("--status", help="scheduled, sending, paused, completed, ...")
    listing.add_argument("--name", help="task name (or ID) contains this")
    listing.add_argument("--template", help="template name contains this, or the template ID")
    listing.set_defaults(handler=with_context(_list))

    show = actions.add_parser("show", help="a task's fields and progress")
    show.add_argument("task", metavar="TASK", help=TASK_HELP)
    show.set_defaults(handler=with_context(_show))

    for action, text in (
        ("cancel", "cancel a task that has not started (its pending messages are cancelled)"),
        ("pause", "stop a task from sending more until resumed"),
        ("resume", "let a paused task send again"),
    ):
        parser = actions.add_parser(action, help=text)
        parser.add_argument("task", metavar="TASK", help=TASK_HELP)
        parser.set_defaults(handler=with_context(_state_change(action)))

    remove = actions.add_parser(
        "delete", help="delete a finished task with its messages (statistics keep its counts)"
    )
    remove.add_argument("task", metavar="TASK", help=TASK_HELP)
    remove.set_defaults(handler=with_context(_delete))

    sample = actions.add_parser("sample-xlsx", help="write the recipient sample file")
    sample.add_argument("--template", required=True, metavar="TITLE|ID", help="title or ID")
    sample.add_argument("--force", action="store_true", help="replace an existing file")
    sample.add_argument("path", metavar="PATH", type=file_to_write)
    sample.set_defaults(handler=with_context(_sample))
