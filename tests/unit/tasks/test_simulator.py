"""The send simulator: any row's rendered message and the estimated duration."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kootui.core.errors import ValidationError
from kootui.core.recipients import TypedRecipients
from kootui.core.recipients.xlsx import import_recipients
from kootui.core.shaping import add_rule, set_workspace_rate
from kootui.core.tasks import (
    ASSUMED_UNLIMITED_RATE,
    Simulator,
    TaskDraft,
    destination_estimate,
    draft_duration,
    duration_text,
    estimated_duration,
    simulate,
)
from tests.support.task_seed import seed_sources, write_recipients_xlsx


@pytest.fixture
def ids(context):
    return seed_sources(context)


def test_each_row_renders_its_own_message(context, ids, tmp_path):
    path = write_recipients_xlsx(tmp_path / "r.xlsx", 4)
    with import_recipients(path, ["name", "code"]).recipients as recipients:
        draft = TaskDraft(
            name="Welcome",
            subject="Welcome {{ name }}!",
            template_id=ids["personal"],
            address_id=ids["sender"],
            recipients=recipients,
        )
        simulator = Simulator.open(context, draft)
        third = simulator.message(2)
        assert simulator.count == 4
        assert third.subject == "Welcome Person 2!"
        assert third.to == "user2@example.com"
        assert third.from_header == "Example News <news@mail.example.com>"
        assert "Hi Person 2, your code is C000002." in third.text
        assert third.html is not None and "C000002" in third.html
        assert (third.row_index, third.total) == (2, 4)
        assert simulate(context, draft, 0).subject == "Welcome Person 0!"
        with pytest.raises(ValidationError) as caught:
            simulator.message(4)
        assert caught.value.field == "row" and "1 to 4" in caught.value.message


def test_values_are_data_not_template_code(context, ids, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["email", "name", "code"])
    workbook.active.append(["a@example.com", "<b>{{ code }}</b>", "7"])
    workbook.save(tmp_path / "x.xlsx")
    with import_recipients(tmp_path / "x.xlsx", ["name", "code"]).recipients as recipients:
        draft = TaskDraft(
            subject="Hi {{ name }}",
            template_id=ids["personal"],
            address_id=ids["sender"],
            recipients=recipients,
        )
        message = simulate(context, draft, 0)
    assert message.subject == "Hi <b>{{ code }}</b>"
    assert "&lt;b&gt;{{ code }}&lt;/b&gt;" in (message.html or "")


def test_simulator_applies_the_same_subject_rule(context, ids):
    draft = TaskDraft(
        subject="Hi {{ nobody }}",
        template_id=ids["plain"],
        address_id=ids["sender"],
        recipients=TypedRecipients(["a@example.com"]),
    )
    with pytest.raises(ValidationError) as caught:
        simulate(context, draft, 0)
    assert "'nobody'" in caught.value.message


def test_estimated_duration():
    assert estimated_duration(600, 10) == timedelta(minutes=1)
    assert estimated_duration(0, 10) == timedelta(0)
    unlimited = estimated_duration(int(ASSUMED_UNLIMITED_RATE) * 120, 0)
    assert unlimited == timedelta(minutes=2)
    with pytest.raises(ValidationError):
        estimated_duration(10, -1)
    assert duration_text(timedelta(seconds=0.2)) == "under a second"
    assert duration_text(timedelta(seconds=44.6)) == "about 45 s"
    assert duration_text(timedelta(minutes=200)) == "about 3 h 20 min"
    assert duration_text(timedelta(days=3)) == "about 3 days"


def test_draft_duration_follows_the_configured_rate(context, ids):
    draft = TaskDraft(recipients=TypedRecipients([f"u{i}@example.com" for i in range(10)]))
    context.settings = context.settings.with_values(sending__rate=2)
    assert draft_duration(context, draft) == timedelta(seconds=5)


def test_the_estimate_counts_destination_limits_and_the_live_rate(context, ids):
    recipients = [f"u{i}@gmail.com" for i in range(30)] + [f"v{i}@example.org" for i in range(30)]
    draft = TaskDraft(recipients=TypedRecipients(recipients))
    context.settings = context.settings.with_values(sending__rate=60)
    assert draft_duration(context, draft) == timedelta(seconds=1)
    add_rule(context, "Google", ["gmail.com"], 2)
    estimate = destination_estimate(context, draft.recipients)
    assert estimate.duration == timedelta(seconds=15)
    assert (estimate.slowest, estimate.slowest_count) == ("Google", 30)
    set_workspace_rate(context, 1)  # set live: it beats sending.rate
    assert draft_duration(context, draft) == timedelta(seconds=60)
