"""Sender templates: create, edit, copy, delete, approve or reject, list, and choose for a task.

In a workspace marked a sensitive industry, a new or edited template waits in
"approving" until an operator approves it or rejects it with a reason (who and
when are recorded); elsewhere it is "approved" at once. Only approved
templates can be chosen for tasks. Public (built-in) templates are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import Conflict, InvalidState, NotFound, ValidationError
from kootui.core.references import resolve_reference
from kootui.core.store import (
    BodyType,
    Column,
    ListQuery,
    PageRequest,
    PageResult,
    Task,
    TaskStatus,
    Template,
    TemplateStatus,
    WorkspaceSettings,
    date_from_filter,
    date_to_filter,
    equals_filter,
    fetch_page,
    stored_id,
)
from kootui.core.templates.drafts import MAX_TITLE_CHARS, TemplateDraft, validated_draft
from kootui.core.templates.html_clean import clean_html
from kootui.core.workspace import WORKSPACE_ID

PENDING_TASK_STATUSES = (TaskStatus.SCHEDULED, TaskStatus.SENDING, TaskStatus.PAUSED)
MAX_REASON_CHARS = 500
MAX_OPERATOR_CHARS = 100
COPY_PREFIX = "Copy of "

TEMPLATE_COLUMNS = (
    Column("id", "ID", width=6, kind="number"),
    Column("title", "Template name", width=36),
    Column("body_type", "Body type", width=9),
    Column("status", "Status", width=10, kind="status"),
    Column("created_at", "Created", width=19, kind="time"),
)


class PublicTemplateReadOnly(InvalidState):
    """Built-in templates are shipped with kootui: copy one to change it."""

    code = "template.public_read_only"


@dataclass(frozen=True)
class TemplateView:
    id: int
    public_key: str | None
    locale: str
    title: str
    subject: str
    body_type: str
    body: str
    text_body: str
    text_body_edited: bool
    support_unsubscribe: bool
    parameters: tuple[str, ...]
    status: str
    review_reason: str
    reviewed_by: str
    reviewed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    track_opens_clicks: bool = False

    @property
    def is_public(self) -> bool:
        return self.public_key is not None

    @property
    def usable(self) -> bool:
        return self.status == TemplateStatus.APPROVED

    def draft(self) -> TemplateDraft:
        return TemplateDraft(
            title=self.title,
            subject=self.subject,
            body_type=self.body_type,
            body=self.body,
            text_body=self.text_body,
            text_body_edited=self.text_body_edited,
            support_unsubscribe=self.support_unsubscribe,
            locale=self.locale,
            track_opens_clicks=self.track_opens_clicks,
        )


def template_view(row: Template) -> TemplateView:
    return TemplateView(
        id=row.id or 0,
        public_key=row.public_key,
        locale=row.locale,
        title=row.title,
        subject=row.subject,
        body_type=row.body_type,
        body=row.body,
        text_body=row.text_body,
        text_body_edited=row.text_body_edited,
        support_unsubscribe=row.support_unsubscribe,
        parameters=tuple(row.parameters),
        status=row.status,
        review_reason=row.review_reason,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        track_opens_clicks=row.track_opens_clicks,
    )


def _load(session: Session, template_id: int) -> Template:
    row = session.get(Template, template_id)
    if row is None:
        raise NotFound(f"template {template_id} does not exist", code="template.not_found")
    return row


def _refuse_public(row: Template, action: str) -> None:
    if row.public_key is not None:
        raise PublicTemplateReadOnly(
            f'"{row.title}" is a public template and cannot be {action}; copy it to change it'
        )


def _status_for_new_content(session: Session) -> TemplateStatus:
    workspace = session.get(WorkspaceSettings, WORKSPACE_ID)
    sensitive = workspace is not None and workspace.sensitive_industry
    return TemplateStatus.APPROVING if sensitive else TemplateStatus.APPROVED


def _apply(row: Template, draft: TemplateDraft, parameters: tuple[str, ...]) -> None:
    row.title = draft.title
    row.subject = draft.subject
    row.body_type = draft.body_type
    row.body = draft.body
    row.text_body = draft.text_body
    row.text_body_edited = draft.text_body_edited
    row.support_unsubscribe = draft.support_unsubscribe
    row.track_opens_clicks = draft.track_opens_clicks
    row.locale = draft.locale
    row.parameters = list(parameters)


def _submit_for_review(session: Session, row: Template) -> None:
    row.status = _status_for_new_content(session)
    # A new version is a new review: the last decision no longer applies.
    row.review_reason = ""
    row.reviewed_by = ""
    row.reviewed_at = None


@requires(Act.TEMPLATE_READ)
def get_template(context: Context, template_id: int) -> TemplateView:
    with context.store.session() as session:
        return template_view(_load(session, template_id))


@requires(Act.TEMPLATE_READ)
def find_template(context: Context, reference: str) -> TemplateView:
    """The template named by its ID or its exact title (any case)."""

    def by_title(title: str) -> list[tuple[int, TemplateView]]:
        with context.store.session() as session:
            rows = session.exec(
                select(Template)
                .where(func.lower(col(Template.title)) == title.lower())
                .order_by(col(Template.id))
            ).all()
            return [(stored_id(row), template_view(row)) for row in rows]

    return resolve_reference(
        reference,
        by_id=lambda template_id: get_template(context, template_id),
        by_name=by_title,
        what="template",
        field="template",
        listing="kootui template list",
    )


@requires(Act.TEMPLATE_CREATE)
def create_template(context: Context, draft: TemplateDraft) -> TemplateView:
    """Save a new template (My templates); its status follows the workspace's review rule."""
    stored, parameters = validated_draft(draft)
    now = context.clock.now()
    with context.store.session() as session:
        row = Template(title=stored.title, body=stored.body, created_at=now, updated_at=now)
        _apply(row, stored, parameters)
        _submit_for_review(session, row)
        session.add(row)
        session.flush()
        return template_view(row)


@requires(Act.TEMPLATE_UPDATE, resource=lambda a: f"template/{a['template_id']}")
def update_template(context: Context, template_id: int, draft: TemplateDraft) -> TemplateView:
    """Save an edit. A changed template is reviewed again in a sensitive workspace."""
    stored, parameters = validated_draft(draft)
    with context.store.session() as session:
        row = _load(session, template_id)
        _refuse_public(row, "edited")
        if template_view(row).draft() == stored:
            return template_view(row)  # nothing changed: keep the status it earned
        _refuse_while_pending(session, row, "edited; copy it to make a new version")
        _apply(row, stored, parameters)
        _submit_for_review(session, row)
        row.updated_at = context.clock.now()
        session.add(row)
        session.flush()
        return template_view(row)


@requires(Act.TEMPLATE_CREATE)
def copy_template(context: Context, template_id: int) -> TemplateDraft:
    """The fields of a copy, titled "Copy of …", for the editor; saving it creates it."""
    source = get_template(context, template_id)
    title = (COPY_PREFIX + source.title)[:MAX_TITLE_CHARS]
    return replace(source.draft(), title=title)


def _tasks_using(session: Session, template_id: int) -> list[Task]:
    statement = select(Task).where(Task.template_id == template_id).order_by(col(Task.id))
    return list(session.exec(statement).all())


def _refuse_while_pending(session: Session, row: Template, consequence: str) -> None:
    """A task waiting or sending renders this template per recipient: changing it under the
    task would send a mix of versions (and, in a sensitive workspace, unapproved text)."""
    for task in _tasks_using(session, row.id or 0):
        if task.status in PENDING_TASK_STATUSES:
            raise Conflict(
                f'"{row.title}" is used by task "{task.name}" (#{task.id}, {task.status}) '
                f"and cannot be {consequence}",
                code="template.in_use",
            )


@requires(Act.TEMPLATE_DELETE, resource=lambda a: f"template/{a['template_id']}")
def delete_template(context: Context, template_id: int) -> None:
    """Delete one of My templates; refused while a scheduled, sending or paused task uses it."""
    with context.store.session() as session:
        row = _load(session, template_id)
        _refuse_public(row, "deleted")
        tasks = _tasks_using(session, template_id)
        _refuse_while_pending(session, row, "deleted; cancel the task or let it finish first")
        if tasks:
            task = tasks[0]
            raise Conflict(
                f'"{row.title}" was sent by task "{task.name}" (#{task.id}, {task.status}); '
                "its history needs the template, so delete that task first",
                code="template.has_history",
            )
        session.delete(row)


def _operator(operator: str) -> str:
    operator = operator.strip()
    if not operator or len(operator) > MAX_OPERATOR_CHARS:
        raise ValidationError(
            f"name the operator (1 to {MAX_OPERATOR_CHARS} characters)",
            field="operator",
            code="template.operator_required",
        )
    return operator


def _reviewer(context: Context, operator: str) -> str:
    """Who reviews: the signed-in principal (a user, or a user's key), whatever was typed;
    the typed operator's name only for the owner, who has no name of their own."""
    principal = context.principal
    if principal.user_id is not None:
        return principal.label[:MAX_OPERATOR_CHARS]
    return _operator(operator)


def _review(
    context: Context, template_id: int, operator: str, status: TemplateStatus, reason: str
) -> TemplateView:
    who = _reviewer(context, operator)
    with context.store.session() as session:
        row = _load(session, template_id)
        _refuse_public(row, "reviewed")
        if row.status != TemplateStatus.APPROVING:
            raise InvalidState(
                f'"{row.title}" is {row.status}, not waiting for approval',
                code="template.not_approving",
            )
        row.status = status
        row.review_reason = reason
        row.reviewed_by = who
        row.reviewed_at = context.clock.now()
        session.add(row)
        session.flush()
        return template_view(row)


@requires(Act.TEMPLATE_APPROVE, resource=lambda a: f"template/{a['template_id']}")
def approve_template(context: Context, template_id: int, *, operator: str = "") -> TemplateView:
    """A principal holding ``template:approve`` approves a template waiting for approval;
    who (the signed-in user; ``operator`` when sign-in is off) and when are recorded."""
    return _review(context, template_id, operator, TemplateStatus.APPROVED, "")


@requires(Act.TEMPLATE_APPROVE, resource=lambda a: f"template/{a['template_id']}")
def reject_template(
    context: Context, template_id: int, *, reason: str, operator: str = ""
) -> TemplateView:
    """A principal holding ``template:approve`` rejects a template with a reason the author
    sees; recorded as for ``approve_template``."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise ValidationError(
            f"give a reason (1 to {MAX_REASON_CHARS} characters)",
            field="reason",
            code="template.reason_required",
        )
    return _review(context, template_id, operator, TemplateStatus.REJECTED, reason)


@requires(Act.TEMPLATE_READ)
def require_usable_template(context: Context, template_id: int) -> TemplateView:
    """The template, if a task may use it: only approved templates can be chosen."""
    view = get_template(context, template_id)
    if not view.usable:
        detail = f" ({view.review_reason})" if view.review_reason else ""
        raise InvalidState(
            f'"{view.title}" is {view.status}{detail}; only approved templates can be chosen',
            field="template_id",
            code="template.not_approved",
        )
    if view.body_type == "html":
        # A body stored before the cleaner learned a rule (CSS, style sheets) may hold what
        # it now removes; it must not reach a recipient until someone edits it.
        removed = clean_html(view.body).removed
        if removed:
            raise InvalidState(
                f'"{view.title}" holds HTML that cleaning now removes '
                f"({'; '.join(map(str, removed))}); edit the template to take it out",
                field="template_id",
                code="template.needs_cleaning",
            )
    return view


def _id_clause(name: str, value: str) -> ColumnElement[bool]:
    if not value.isdigit():
        raise ValidationError("must be a template ID (a number)", field=name)
    return col(Template.id) == int(value)


def _list_query(public: bool) -> ListQuery:
    statement: Select[*tuple[Any, ...]] = sa_select(  # sqlmodel's select types at most 4 columns
        col(Template.id).label("id"),
        col(Template.public_key).label("public_key"),
        col(Template.locale).label("locale"),
        col(Template.title).label("title"),
        col(Template.subject).label("subject"),
        col(Template.body_type).label("body_type"),
        col(Template.status).label("status"),
        col(Template.review_reason).label("review_reason"),
        col(Template.support_unsubscribe).label("support_unsubscribe"),
        col(Template.created_at).label("created_at"),
        col(Template.updated_at).label("updated_at"),
    )
    scope = col(Template.public_key).is_not(None) if public else col(Template.public_key).is_(None)
    return ListQuery(
        statement=statement.where(scope),
        sort_columns={
            "id": col(Template.id),
            "title": col(Template.title),
            "body_type": col(Template.body_type),
            "status": col(Template.status),
            "created_at": col(Template.created_at),
            "updated_at": col(Template.updated_at),
        },
        default_sort="id" if public else "created_at",
        tiebreak=col(Template.id),
        search_columns=(col(Template.title),),
        filters={
            "id": _id_clause,
            "status": equals_filter(col(Template.status), list(TemplateStatus)),
            "body_type": equals_filter(col(Template.body_type), list(BodyType)),
            "locale": equals_filter(col(Template.locale)),
            "created_from": date_from_filter(col(Template.created_at)),
            "created_to": date_to_filter(col(Template.created_at)),
        },
    )


@requires(Act.TEMPLATE_READ)
def list_templates(
    context: Context, request: PageRequest | None = None, *, public: bool = False
) -> PageResult:
    """One page of My templates (or, with ``public``, of the built-ins).

    The text filter matches the title; advanced fields: id, status, body_type,
    locale, created_from and created_to (local calendar days, both included).
    """
    with context.store.session() as session:
        return fetch_page(session, _list_query(public), request or PageRequest())
