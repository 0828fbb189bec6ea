"""The built-in public templates: content, rendering, protection and syncing."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest
from sqlmodel import select

from kootui.core.errors import ValidationError
from kootui.core.store import PageRequest, Template, TemplateStatus
from kootui.core.templates import (
    CompiledTemplate,
    PublicTemplateReadOnly,
    approve_template,
    clean_html,
    copy_template,
    create_template,
    delete_template,
    get_template,
    list_templates,
    load_public_templates,
    require_usable_template,
    sanitize_html,
    sync_public_templates,
    update_template,
)

SCENARIOS = {
    "otp",
    "password_reset",
    "welcome",
    "monthly_bill",
    "transaction_code",
    "shipping_notice",
    "promotion",
    "event_invitation",
}
TEMPLATES = load_public_templates()
URL = "https://track.example.com/u/AbCdEfGhIjKlMnOpQrSt"


class _Checker(HTMLParser):
    """Fails on tags left open or closed out of order (void elements aside)."""

    VOID = {"br", "img", "hr", "meta", "col", "wbr", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def test_every_scenario_exists_in_english_and_chinese():
    keys = {template.public_key for template in TEMPLATES}
    assert keys == {f"{scenario}.{locale}" for scenario in SCENARIOS for locale in ("en", "zh")}
    assert len(TEMPLATES) == 16


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.public_key)
def test_each_renders_with_its_samples_to_well_formed_html_and_text(template):
    assert set(template.samples) == set(template.parameters)
    assert 1 <= len(template.parameters) <= 15
    compiled = CompiledTemplate.build(
        subject=template.subject,
        body_type="html",
        body=template.body,
        text_body=template.text_body,
        support_unsubscribe=template.support_unsubscribe,
        locale=template.locale,
    )
    message = compiled.render(template.samples, unsubscribe_url=URL)
    checker = _Checker()
    checker.feed(message.html)
    checker.close()
    assert checker.stack == []
    assert "{{" not in message.html + message.text + message.subject
    for value in template.samples.values():
        assert value in message.text
    assert "max-width:600px" in template.body
    assert (URL in message.text) == template.support_unsubscribe
    if template.locale == "zh":
        assert any("\u4e00" <= c <= "\u9fff" for c in message.subject + message.text)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.public_key)
def test_each_passes_the_cleaner_untouched(template):
    assert clean_html(template.body).nothing_removed
    assert sanitize_html(template.body) == template.body


def test_opening_the_store_syncs_them_once(context):
    with context.store.session() as session:
        rows = session.exec(select(Template).where(Template.public_key.is_not(None))).all()
    assert len(rows) == 16
    assert all(row.status == TemplateStatus.APPROVED for row in rows)
    again = sync_public_templates(context)
    assert (again.added, again.updated) == (0, 0)


def test_an_upgrade_updates_changed_content_and_restores_missing_ones(context):
    with context.store.session() as session:
        row = session.exec(select(Template).where(Template.public_key == "otp.en")).one()
        row.body = "<p>old version {{ code }}</p>"
        row.parameters = ["code"]
        session.add(row)
        session.delete(
            session.exec(select(Template).where(Template.public_key == "welcome.zh")).one()
        )
    result = sync_public_templates(context)
    assert (result.added, result.updated) == (1, 1)
    with context.store.session() as session:
        row = session.exec(select(Template).where(Template.public_key == "otp.en")).one()
    assert "max-width:600px" in row.body


def public_id(context, key: str) -> int:
    with context.store.session() as session:
        return session.exec(select(Template.id).where(Template.public_key == key)).one()


def test_public_templates_cannot_be_edited_deleted_or_reviewed(context):
    template_id = public_id(context, "otp.en")
    view = get_template(context, template_id)
    with pytest.raises(PublicTemplateReadOnly) as caught:
        update_template(context, template_id, view.draft())
    assert caught.value.code == "template.public_read_only"
    with pytest.raises(PublicTemplateReadOnly):
        delete_template(context, template_id)
    with pytest.raises(PublicTemplateReadOnly):
        approve_template(context, template_id, operator="ops")
    assert get_template(context, template_id) == view


def test_a_public_template_is_copied_into_my_templates(context):
    draft = copy_template(context, public_id(context, "monthly_bill.zh"))
    assert draft.title == "Copy of 月度账单"
    assert draft.locale == "zh"
    mine = create_template(context, draft)
    assert mine.public_key is None
    assert (
        mine.parameters == get_template(context, public_id(context, "monthly_bill.zh")).parameters
    )
    assert mine.body == draft.body  # the built-in HTML is stored as it is


def test_public_and_my_lists_are_separate_and_filterable(context):
    assert list_templates(context).total == 0
    page = list_templates(context, PageRequest(text_filter="验证码"), public=True)
    assert sorted(row["public_key"] for row in page.rows) == ["otp.zh", "transaction_code.zh"]
    otp = public_id(context, "otp.en")
    page = list_templates(context, PageRequest(advanced={"id": str(otp)}), public=True)
    assert [row["title"] for row in page.rows] == ["One-time code"]
    assert require_usable_template(context, otp).public_key == "otp.en"


def test_saving_a_template_with_a_bidi_override_in_its_subject_is_refused(context):
    draft = copy_template(context, public_id(context, "monthly_bill.zh"))
    hostile = dataclasses.replace(draft, subject="Invoice \u202efdp.exe")
    with pytest.raises(ValidationError) as refused:
        create_template(context, hostile)
    assert refused.value.field == "subject"
    assert "U+202E" in refused.value.message
