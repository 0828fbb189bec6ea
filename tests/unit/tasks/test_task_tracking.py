"""The task's open/click tracking switch: the template's by default, the task's when it
chooses, a token for every tracked message, refused without a tracking host; and the
same from the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kootui.cli import main
from kootui.core.bootstrap import open_context
from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.recipients import TypedRecipients
from kootui.core.store import Message, Task
from kootui.core.tasks import TaskDraft, create_task
from tests.support.task_seed import seed_sources, set_template_values


def _create(context: Context, ids: dict[str, int], tracking: bool | None) -> Task:
    return create_task(
        context,
        TaskDraft(
            name="Tracked",
            subject="Notice",
            template_id=ids["plain"],
            address_id=ids["sender"],
            recipients=TypedRecipients(["ann@example.com", "bob@example.org"]),
            track_opens_clicks=tracking,
        ),
    )


def _tokens(context: Context, task_id: int) -> list[str]:
    with context.store.session() as session:
        statement = select(Message.unsubscribe_token).where(Message.task_id == task_id)
        return [row[0] for row in session.execute(statement).all()]


@pytest.mark.parametrize(
    ("template_tracks", "task_choice", "tracked"),
    [(False, None, False), (True, None, True), (False, True, True), (True, False, False)],
)
def test_the_task_follows_its_template_unless_it_chooses(
    context: Context, template_tracks: bool, task_choice: bool | None, tracked: bool
) -> None:
    ids = seed_sources(context)
    set_template_values(context, ids["plain"], track_opens_clicks=template_tracks)
    task = _create(context, ids, task_choice)
    assert task.track_opens_clicks is task_choice
    tokens = _tokens(context, task.id or 0)
    # The plain template offers no unsubscription: only tracking gives its messages a token.
    assert all(tokens) if tracked else not any(tokens)


def test_tracking_without_a_tracking_host_is_refused_beside_the_field(context: Context) -> None:
    ids = seed_sources(context)
    context.settings = context.settings.with_values(sending__tracking_host="")
    with pytest.raises(ValidationError) as refused:
        _create(context, ids, True)
    assert refused.value.field == "track_opens_clicks"
    assert refused.value.code == "task.tracking_needs_host"
    assert "sending.tracking_host" in refused.value.message
    _create(context, ids, False)  # off needs no host


def test_the_command_line_chooses_with_tracking(settings, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KOOTUI_SENDING_TRACKING_HOST", "track.example.net")
    context = open_context(settings)
    try:
        ids = seed_sources(context)
    finally:
        context.close()
    base = ["task", "create", "--subject", "Notice", "--template", str(ids["plain"])]
    for choice in ("on", "off", "template"):
        code = main(
            [*base, "--name", choice, "--sender", str(ids["sender"]), "--to", "a@example.com",
             "--tracking", choice]
        )  # fmt: skip
        assert code == 0, capsys.readouterr().err
    assert main(["template", "show", str(ids["plain"])]) == 0
    assert "open/click tracking: no" in capsys.readouterr().out
    assert main(["task", "show", "on"]) == 0
    assert "tracking:   on (opens and clicks)" in capsys.readouterr().out
    context = open_context(settings)
    try:
        with context.store.session() as session:
            rows = session.execute(select(Task.name, Task.track_opens_clicks)).all()
    finally:
        context.close()
    assert sorted(rows) == [("off", False), ("on", True), ("template", None)]
