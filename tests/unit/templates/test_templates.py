"""My templates: field rules, saving, copy, delete refusals, approval, lists."""

from __future__ import annotations

import pytest

from kootui.core.errors import Conflict, InvalidState, NotFound, ValidationError
from kootui.core.store import (
    DomainStatus,
    PageRequest,
    SenderAddress,
    SenderDomain,
    Task,
    TaskStatus,
    Template,
    TemplateStatus,
)
from kootui.core.templates import (
    TemplateDraft,
    approve_template,
    check_draft,
    copy_template,
    create_template,
    delete_template,
    get_template,
    list_templates,
    reject_template,
    require_usable_template,
    update_template,
)
from kootui.core.workspace import update_workspace

WELCOME = TemplateDraft(
    title="Welcome",
    subject="Welcome, {{ name }}",
    body_type="html",
    body='<p>Hello {{ name }}, <a href="https://shop.example/start?u={{ user_id }}">start</a>.</p>',
    support_unsubscribe=True,
)


def add_task(context, template_id: int, status: str, name: str = "May newsletter") -> int:
    now = context.clock.now()
    with context.store.session() as session:
        domain = SenderDomain(
            name=f"d{template_id}{status}.example.com",
            status=DomainStatus.PASSED,
            created_at=now,
            updated_at=now,
        )
        session.add(domain)
        session.flush()
        address = SenderAddress(domain_id=domain.id, local_part="x", created_at=now)
        session.add(address)
        session.flush()
        task = Task(
            name=name,
            subject="s",
            template_id=template_id,
            address_id=address.id,
            status=status,
            scheduled_at=now,
            created_at=now,
        )
        session.add(task)
        session.flush()
        return task.id


def sensitive(context) -> None:
    update_workspace(context, sensitive_industry=True)


def test_a_new_template_is_approved_at_once_in_an_ordinary_workspace(context):
    saved = create_template(context, WELCOME)
    assert saved.status == TemplateStatus.APPROVED
    assert saved.parameters == ("name", "user_id")
    assert saved.text_body.startswith("Hello {{ name }}, start <https://shop.example/start?u=")
    assert not saved.text_body_edited
    assert saved.created_at == context.clock.now()
    assert require_usable_template(context, saved.id) == saved


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"title": "  "}, "title", "required"),
        ({"title": "t" * 101}, "title", "at most 100"),
        ({"title": "Bad\x00title"}, "title", "U+0000"),
        ({"body": " \n "}, "body", "required"),
        ({"body_type": "markdown"}, "body_type", "html or text"),
        ({"body": "<p>{{ name.upper() }}</p>"}, "body", "line 1, column 11"),
        ({"subject": "Hi {{ name|e }}"}, "subject", "a filter"),
        ({"body": "<p onclick='x()'>hi</p>"}, "body", "event handler"),
        ({"body": "<script>alert(1)</script>"}, "body", "1 script"),
        ({"locale": "fr"}, "locale", "en, zh"),
    ],
)
def test_each_rule_refuses_a_save_naming_the_field(context, changes, field, fragment):
    draft = TemplateDraft(**{**WELCOME.__dict__, **changes})
    problems = check_draft(draft)
    assert problems and problems[0].field == field
    with pytest.raises(ValidationError) as caught:
        create_template(context, draft)
    assert caught.value.field == field
    assert fragment in caught.value.message
    assert list_templates(context).total == 0


def test_the_live_check_positions_unsafe_html():
    problems = check_draft(
        TemplateDraft(title="t", body="<p>ok</p>\n<p>x</p><a href='javascript:go()'>x</a>")
    )
    assert [(p.code, p.line, p.column) for p in problems] == [("template.body_unsafe", 2, 18)]


def test_the_check_reads_the_text_part_saving_will_store():
    stale = TemplateDraft(title="t", body="<p>{{ name }}</p>", text_body="{{ a.b }}")
    assert check_draft(stale) == []  # not edited: it is derived again from the body
    entities = TemplateDraft(title="t", body="<p>&#123;&#123; a.b &#125;&#125;</p>")
    assert [(p.field, p.code) for p in check_draft(entities)] == [
        ("text_body", "template.expression")
    ]


def test_sixteen_parameters_cannot_be_saved(context):
    body = " ".join("{{ p" + str(i) + " }}" for i in range(16))
    with pytest.raises(ValidationError) as caught:
        create_template(context, TemplateDraft(title="t", body_type="text", body=body))
    assert caught.value.code == "template.too_many_parameters"


def test_a_plain_text_template_keeps_its_body_verbatim(context):
    body = "Hi {{ name }} <not html> & more\n"
    saved = create_template(context, TemplateDraft(title="t", body_type="text", body=body))
    assert saved.body == body and saved.text_body == "" and saved.parameters == ("name",)


def test_an_edited_text_part_is_kept_and_checked(context):
    draft = WELCOME.with_text_body("Hi {{ name }}, go to {{ link }}\n")
    assert draft.with_body("<p>Changed {{ name }}</p>").text_body == draft.text_body
    saved = create_template(context, draft)
    assert saved.text_body_edited and saved.text_body == "Hi {{ name }}, go to {{ link }}\n"
    assert saved.parameters == ("name", "user_id", "link")
    with pytest.raises(ValidationError) as caught:
        create_template(context, WELCOME.with_text_body("{{ x.y }}"))
    assert caught.value.field == "text_body"


def test_an_unedited_text_part_follows_the_body_and_can_be_rederived():
    draft = WELCOME.with_body("<h1>New {{ name }}</h1>")
    assert draft.text_body == "New {{ name }}\n"
    edited = draft.with_text_body("mine")
    assert edited.with_derived_text_body().text_body == "New {{ name }}\n"
    assert not edited.with_derived_text_body().text_body_edited
    assert draft.with_body_type("text").text_body == ""


def test_sensitive_workspace_sends_new_templates_for_approval(context):
    sensitive(context)
    saved = create_template(context, WELCOME)
    assert saved.status == TemplateStatus.APPROVING
    with pytest.raises(InvalidState) as caught:
        require_usable_template(context, saved.id)
    assert caught.value.code == "template.not_approved"
    approved = approve_template(context, saved.id, operator="ops.li")
    assert approved.status == TemplateStatus.APPROVED
    assert (approved.reviewed_by, approved.reviewed_at) == ("ops.li", context.clock.now())
    assert require_usable_template(context, saved.id).id == saved.id


def test_a_rejection_records_the_reason_and_blocks_tasks(context):
    sensitive(context)
    saved = create_template(context, WELCOME)
    with pytest.raises(ValidationError) as caught:
        reject_template(context, saved.id, operator="ops", reason=" ")
    assert caught.value.field == "reason"
    rejected = reject_template(context, saved.id, operator="ops", reason="misleading offer")
    assert rejected.status == TemplateStatus.REJECTED
    assert rejected.review_reason == "misleading offer"
    with pytest.raises(InvalidState) as caught:
        require_usable_template(context, saved.id)
    assert "misleading offer" in caught.value.message
    with pytest.raises(InvalidState) as caught:
        approve_template(context, saved.id, operator="ops")
    assert caught.value.code == "template.not_approving"


def test_editing_an_approved_template_in_a_sensitive_workspace_needs_approval_again(context):
    sensitive(context)
    saved = create_template(context, WELCOME)
    approve_template(context, saved.id, operator="ops")
    unchanged = update_template(context, saved.id, get_template(context, saved.id).draft())
    assert unchanged.status == TemplateStatus.APPROVED
    edited = update_template(context, saved.id, WELCOME.with_body("<p>Hi {{ name }}</p>"))
    assert edited.status == TemplateStatus.APPROVING
    assert edited.reviewed_by == "" and edited.reviewed_at is None
    assert edited.parameters == ("name",)


def test_editing_a_rejected_template_resubmits_it(context):
    sensitive(context)
    saved = create_template(context, WELCOME)
    reject_template(context, saved.id, operator="ops", reason="no")
    assert update_template(context, saved.id, WELCOME.with_body("<p>ok</p>")).status == (
        TemplateStatus.APPROVING
    )
    update_workspace(context, sensitive_industry=False)
    assert update_template(context, saved.id, WELCOME).status == TemplateStatus.APPROVED


def test_approval_needs_an_operator(context):
    sensitive(context)
    saved = create_template(context, WELCOME)
    with pytest.raises(ValidationError) as caught:
        approve_template(context, saved.id, operator="")
    assert caught.value.field == "operator"


def test_copy_gives_the_editor_a_copy_of_title_and_saving_creates_it(context):
    saved = create_template(context, WELCOME.with_text_body("custom {{ name }}"))
    draft = copy_template(context, saved.id)
    assert draft.title == "Copy of Welcome"
    assert (draft.body, draft.text_body, draft.text_body_edited) == (
        saved.body,
        "custom {{ name }}",
        True,
    )
    assert list_templates(context).total == 1  # nothing saved yet
    copy = create_template(context, draft)
    assert copy.id != saved.id and copy.title == "Copy of Welcome"
    long = create_template(context, TemplateDraft(title="x" * 100, body="<p>x</p>"))
    assert len(copy_template(context, long.id).title) == 100


@pytest.mark.parametrize("status", [TaskStatus.SCHEDULED, TaskStatus.SENDING, TaskStatus.PAUSED])
def test_delete_is_refused_while_a_pending_task_uses_it(context, status):
    saved = create_template(context, WELCOME)
    task_id = add_task(context, saved.id, status)
    with pytest.raises(Conflict) as caught:
        delete_template(context, saved.id)
    assert caught.value.code == "template.in_use"
    assert f'"May newsletter" (#{task_id}, {status})' in caught.value.message
    assert "cancel the task" in caught.value.message


@pytest.mark.parametrize("status", [TaskStatus.SCHEDULED, TaskStatus.SENDING, TaskStatus.PAUSED])
def test_edit_is_refused_while_a_pending_task_renders_it(context, status):
    saved = create_template(context, WELCOME)
    add_task(context, saved.id, status)
    with pytest.raises(Conflict) as caught:
        update_template(context, saved.id, WELCOME.with_body("<p>v2 {{ name }}</p>"))
    assert caught.value.code == "template.in_use"
    assert "copy it" in caught.value.message
    assert get_template(context, saved.id).body == saved.body
    assert update_template(context, saved.id, saved.draft()) == saved  # no change is fine


def test_edit_is_allowed_once_its_tasks_are_finished(context):
    saved = create_template(context, WELCOME)
    add_task(context, saved.id, TaskStatus.COMPLETED)
    edited = update_template(context, saved.id, WELCOME.with_body("<p>v2</p>"))
    assert edited.body == "<p>v2</p>"


def test_delete_with_only_finished_tasks_names_the_task_and_unused_ones_go(context):
    saved = create_template(context, WELCOME)
    add_task(context, saved.id, TaskStatus.COMPLETED, name="April")
    with pytest.raises(Conflict) as caught:
        delete_template(context, saved.id)
    assert caught.value.code == "template.has_history"
    unused = create_template(context, WELCOME)
    delete_template(context, unused.id)
    with pytest.raises(NotFound):
        get_template(context, unused.id)


def test_the_list_filters_by_title_id_status_and_created_day(any_context, clock):
    from datetime import timedelta

    first = create_template(any_context, WELCOME)
    clock.advance(timedelta(days=2))
    update_workspace(any_context, sensitive_industry=True)
    second = create_template(any_context, TemplateDraft(title="100% off_sale", body="<p>x</p>"))

    def titles(**kwargs) -> list[str]:
        page = list_templates(any_context, PageRequest(sort_key="id", **kwargs))
        return [row["title"] for row in page.rows]

    assert titles() == ["Welcome", "100% off_sale"]
    assert titles(text_filter="WELC") == ["Welcome"]
    assert titles(text_filter="%") == ["100% off_sale"]
    assert titles(advanced={"id": str(second.id)}) == ["100% off_sale"]
    assert titles(advanced={"status": "approving"}) == ["100% off_sale"]
    day = first.created_at.date().isoformat()
    assert titles(advanced={"created_from": day, "created_to": day}) == ["Welcome"]
    later = second.created_at.date().isoformat()
    assert titles(advanced={"created_from": later}) == ["100% off_sale"]
    assert titles(advanced={"created_to": "2020-01-01"}) == []
    with pytest.raises(ValidationError) as caught:
        titles(advanced={"status": "bogus"})
    assert caught.value.field == "status"
    with pytest.raises(ValidationError):
        titles(advanced={"id": "1 or 1=1"})
    with pytest.raises(ValidationError):
        list_templates(any_context, PageRequest(sort_key="body"))


def test_a_template_stored_before_css_cleaning_cannot_start_a_task(context):
    saved = create_template(context, WELCOME)
    with context.store.session() as session:
        row = session.get(Template, saved.id)
        row.body = '<p style="color:red;width:expression(alert(1))">Hi</p><style>p{}</style>'
    with pytest.raises(InvalidState) as caught:
        require_usable_template(context, saved.id)
    assert caught.value.code == "template.needs_cleaning"
    assert "1 style sheet (<style>); 1 CSS declaration (width)" in caught.value.message
