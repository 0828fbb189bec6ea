"""``kootui template …``: templates from a shell (list, show, create, edit, approve, reject).

``create`` and ``edit`` save through the same core calls as the console's editor, so
the same checks apply and a refusal names the field (and line and column in a body).
A body comes from a file or from stdin (``-``); an HTML body whose cleaning would remove
something is refused unless ``--clean`` asks for the cleaned text, which is then saved
and what was removed is said. Editing an approved template follows the editor's rule:
in a sensitive-industry workspace it waits for approval again, and no template a waiting
or sending task uses can be changed.

In a sensitive-industry workspace a saved template waits in "approving" until an
operator approves it or rejects it with a reason; this is that operator action
for a shell over SSH. Who acted is ``--operator`` (default: the login name) and
the time is the store's clock, both recorded on the template.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kootui.cli.confirm import confirmed
from kootui.cli.context import with_context
from kootui.cli.output import ArgumentParser, say, say_block
from kootui.cli.paths import file_to_read
from kootui.core.clock import local_text
from kootui.core.errors import ValidationError

if TYPE_CHECKING:  # the store is imported only when a command runs
    from kootui.core.context import Context
    from kootui.core.templates import TemplateDraft, TemplateView

STDIN = "-"
# The most a body may be (the core's limit is 2 MB of UTF-8); one byte more is read so a
# longer stdin is refused, never read without end.
MAX_BODY_READ = 2 * 1024 * 1024


TEMPLATE_HELP = "the template's ID or its exact title (kootui template list shows both)"


def _operator(args: argparse.Namespace) -> str:
    if args.operator:
        return str(args.operator)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""  # the core then asks for --operator


def _describe(view: TemplateView) -> str:
    line = f"template {view.id} {view.title!r}: {view.status}"
    if view.reviewed_by:
        when = local_text(view.reviewed_at, "%Y-%m-%d %H:%M")
        line += f" by {view.reviewed_by} at {when}"
    if view.review_reason:
        line += f" ({view.review_reason})"
    return line


def _list(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.store import MAX_PAGE_SIZE, PageRequest
    from kootui.core.templates import list_templates

    advanced = {"status": args.status} if args.status else {}
    request = PageRequest(
        text_filter=args.filter or "", sort_key="id", limit=MAX_PAGE_SIZE, advanced=advanced
    )
    page = list_templates(context, request, public=args.public)
    for row in page.rows:
        created = local_text(row["created_at"], "%Y-%m-%d %H:%M")
        say(f"{row['id']:>6} {row['status']:<10} {row['body_type']:<5} {created} {row['title']}")
    say(page.range_text())
    return 0


def _show(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.templates import find_template

    view = find_template(context, args.template)
    say(_describe(view))
    say(f"subject: {view.subject}")
    say(f"parameters: {', '.join(view.parameters) or '(none)'}")
    say(f"unsubscribe link: {'yes' if view.support_unsubscribe else 'no'}")
    say(f"open/click tracking: {'yes' if view.track_opens_clicks else 'no'}")
    say()
    say_block(view.text_body if view.body_type == "html" else view.body)
    return 0


def _body_file(text: str) -> Path | str:
    """A body option: ``-`` for stdin, else a file to read (checked as the command is read)."""
    return STDIN if text == STDIN else file_to_read(text)


def _read_bytes(source: Path | str, field: str) -> bytes:
    if source == STDIN:
        data = sys.stdin.buffer.read(MAX_BODY_READ + 1)
    else:
        with Path(source).open("rb") as handle:
            data = handle.read(MAX_BODY_READ + 1)
    if len(data) > MAX_BODY_READ:
        raise ValidationError(
            f"is longer than {MAX_BODY_READ:,} bytes (2 MB)",
            field=field,
            code="template.too_large",
        )
    return data


def _read_text(source: Path | str, field: str, *, html: bool) -> str:
    """The file's text: HTML by its byte order mark, <meta charset> or a guess, as the
    console's upload reads it; plain text as UTF-8."""
    from kootui.core.templates import decode_html_bytes

    data = _read_bytes(source, field)
    if html:
        text = decode_html_bytes(data)[0]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"is not UTF-8 text (byte {exc.start + 1} cannot be read)",
                field=field,
                code="template.encoding",
            ) from None
    if "\x00" in text:
        raise ValidationError(
            "holds NUL bytes; it does not look like a text file",
            field=field,
            code="template.upload_binary",
        )
    return text.replace("\r\n", "\n")


def _body_type_of(args: argparse.Namespace, current: str) -> str:
    from kootui.core.templates import HTML_SUFFIXES

    if args.body_type:
        return str(args.body_type)
    if isinstance(args.body, Path):
        return "html" if args.body.suffix.lower() in HTML_SUFFIXES else "text"
    return current


def _apply_options(args: argparse.Namespace, draft: TemplateDraft) -> TemplateDraft:
    """The editor's changes, in the editor's order: the body type, the body (whose text
    part follows it unless it was written by hand), then the text part."""
    from kootui.core.templates import clean_html

    if args.body == STDIN and args.text_body == STDIN:
        raise ValidationError(
            "stdin can hold the body or the text part, not both; give one as a file",
            field="text_body",
            code="template.two_stdin",
        )
    for name in ("title", "subject", "locale"):
        value = getattr(args, name)
        if value is not None:
            draft = replace(draft, **{name: value})
    if args.unsubscribe is not None:
        draft = replace(draft, support_unsubscribe=args.unsubscribe)
    body_type = _body_type_of(args, draft.body_type)
    if body_type != draft.body_type:
        draft = draft.with_body_type(body_type)
    if args.body is not None:
        body = _read_text(args.body, "body", html=body_type == "html")
        if body_type == "html" and args.clean:
            cleaned = clean_html(body)
            if not cleaned.nothing_removed:
                say(f"Cleaned the body. {cleaned.summary()}.")
            body = cleaned.html
        draft = draft.with_body(body)
    if args.text_body is not None:
        if body_type != "html":
            raise ValidationError(
                "only an HTML template has a separate plain-text part",
                field="text_body",
                code="template.text_body_for_text",
            )
        draft = draft.with_text_body(_read_text(args.text_body, "text_body", html=False))
    elif args.derive_text:
        draft = draft.with_derived_text_body()
    return draft


def _report_saved(view: TemplateView, verb: str) -> None:
    say(f"{verb} {_describe(view)}")
    if view.status == "approving":
        say(f"It waits for an operator's approval: kootui template approve {view.id}")


def _hint_cleaning(run: Callable[[], TemplateView]) -> TemplateView:
    try:
        return run()
    except ValidationError as exc:
        if exc.code != "template.body_unsafe":
            raise
        raise ValidationError(
            f"{exc.message}; pass --clean to save the cleaned body",
            field=exc.field,
            code=exc.code,
        ) from None


def _create(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.templates import TemplateDraft, create_template

    draft = _apply_options(args, TemplateDraft(title=""))
    view = _hint_cleaning(lambda: create_template(context, draft))
    _report_saved(view, "Created")
    return 0


def _edit(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.templates import find_template, update_template

    before = find_template(context, args.template)
    draft = _apply_options(args, before.draft())
    view = _hint_cleaning(lambda: update_template(context, before.id, draft))
    if view.updated_at == before.updated_at and view.status == before.status:
        say(f"Nothing changed: {_describe(view)}")
        return 0
    _report_saved(view, "Saved")
    return 0


def _delete(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.templates import delete_template, find_template

    view = find_template(context, args.template)
    question = (
        f"Delete template {view.id} {view.title!r}? Tasks can no longer choose it; "
        "one that sent it keeps it (and the template cannot go while such a task exists)."
    )
    if not confirmed(question, yes=args.yes):
        say("Nothing was deleted.")
        return 1
    delete_template(context, view.id)
    say(f"Deleted template {view.id} {view.title!r}")
    return 0


def _approve(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.templates import approve_template, find_template

    template_id = find_template(context, args.template).id
    say(_describe(approve_template(context, template_id, operator=_operator(args))))
    return 0


def _reject(args: argparse.Namespace, context: Context) -> int:
    from kootui.core.templates import find_template, reject_template

    template_id = find_template(context, args.template).id
    view = reject_template(context, template_id, operator=_operator(args), reason=args.reason)
    say(_describe(view))
    return 0


BODY_HELP = (
    "the body from a file, or - for stdin (2 MB); a .html/.htm file is an HTML body, "
    "read in its declared charset"
)


def _add_content_options(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--body-type", choices=("html", "text"), help="default: by the body file's name"
    )
    parser.add_argument("--locale", choices=("en", "zh"), help="the unsubscribe footer's language")
    parser.add_argument(
        "--clean",
        action="store_true",
        help="save an HTML body as cleaning leaves it (without: a body cleaning changes "
        "is refused, naming what and where)",
    )
    text = parser.add_mutually_exclusive_group()
    text.add_argument(
        "--text-body",
        type=_body_file,
        metavar="FILE|-",
        help="an HTML template's plain-text part, written by hand (default: derived)",
    )
    text.add_argument(
        "--derive-text", action="store_true", help="derive the plain-text part from the HTML again"
    )
    unsubscribe = parser.add_mutually_exclusive_group()
    unsubscribe.add_argument(
        "--unsubscribe",
        dest="unsubscribe",
        action="store_true",
        default=None,
        help="add the unsubscribe link and headers",
    )
    unsubscribe.add_argument(
        "--no-unsubscribe", dest="unsubscribe", action="store_false", help="leave them out"
    )


def add_template_commands(commands: argparse._SubParsersAction[ArgumentParser]) -> None:
    template = commands.add_parser(
        "template", help="sender templates: list, show, create, edit, delete, approve, reject"
    )
    actions = template.add_subparsers(dest="template_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list templates (mine, or --public)")
    listing.add_argument("--filter", help="only titles containing this text")
    listing.add_argument("--status", choices=("approving", "approved", "rejected"))
    listing.add_argument("--public", action="store_true", help="list the built-in templates")
    listing.set_defaults(handler=with_context(_list))
    show = actions.add_parser("show", help="show a template's status, parameters and text")
    show.add_argument("template", metavar="TEMPLATE", help=TEMPLATE_HELP)
    show.set_defaults(handler=with_context(_show))
    create = actions.add_parser(
        "create", help="save a new template (checked as the console's editor checks it)"
    )
    create.add_argument("--title", required=True, help="at most 100 characters")
    create.add_argument("--subject", required=True, help="may use {{ parameters }}")
    create.add_argument("--body", required=True, type=_body_file, metavar="FILE|-", help=BODY_HELP)
    _add_content_options(create)
    create.set_defaults(handler=with_context(_create))
    edit = actions.add_parser(
        "edit", help="change a template (an approved one is reviewed again where required)"
    )
    edit.add_argument("template", metavar="TEMPLATE", help=TEMPLATE_HELP)
    edit.add_argument("--title", help="a new title")
    edit.add_argument("--subject", help="a new subject")
    edit.add_argument("--body", type=_body_file, metavar="FILE|-", help=BODY_HELP)
    _add_content_options(edit)
    edit.set_defaults(handler=with_context(_edit))
    delete = actions.add_parser("delete", help="delete one of your templates (asks first)")
    delete.add_argument("template", metavar="TEMPLATE", help=TEMPLATE_HELP)
    delete.add_argument("--yes", action="store_true", help="do not ask first")
    delete.set_defaults(handler=with_context(_delete))
    for name, run, what in (
        ("approve", _approve, "approve a template waiting for approval"),
        ("reject", _reject, "reject a template waiting for approval, with a reason"),
    ):
        action = actions.add_parser(name, help=what)
        action.add_argument("template", metavar="TEMPLATE", help=TEMPLATE_HELP)
        action.add_argument("--operator", help="who decides (default: your login name)")
        if name == "reject":
            action.add_argument("--reason", required=True, help="why, shown to the author")
        action.set_defaults(handler=with_context(run))
