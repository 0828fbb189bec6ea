"""Sending tasks: creation (expanding recipients into message rows), pause, resume,
cancel and delete, progress, attachments and the simulator.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.tasks.attachments import (
    MAX_TOTAL_BYTES,
    AttachmentFile,
    check_attachments,
    clean_filename,
    load_attachment,
    prepare_attachment,
)
from kootui.core.tasks.create import (
    TRACKING_CHOICES,
    InTransaction,
    TaskDraft,
    check_draft,
    check_schedule,
    check_subject,
    create_task,
    get_task,
    parse_local_time,
    task_attachments,
    template_parameters,
)
from kootui.core.tasks.forecast import (
    Forecast,
    draft_forecast,
    forecast_send,
    hold_reason,
    simulator_forecast,
)
from kootui.core.tasks.manage import (
    STATUS_LABELS,
    QueuedWork,
    cancel_task,
    delete_task,
    find_task_id,
    pause_task,
    query_tasks,
    queued_work,
    resume_task,
    status_label,
    task_action_refusal,
)
from kootui.core.tasks.message_insert import insert_messages
from kootui.core.tasks.progress import TaskProgress, task_progress
from kootui.core.tasks.simulator import (
    ASSUMED_UNLIMITED_RATE,
    SimulatedMessage,
    Simulator,
    destination_estimate,
    draft_duration,
    duration_text,
    effective_rate,
    estimated_duration,
    simulate,
)
from kootui.core.tasks.suppressed import SUPPRESSED_REPLY, count_suppressed, task_suppressed_count

__all__ = [
    "ASSUMED_UNLIMITED_RATE",
    "MAX_TOTAL_BYTES",
    "STATUS_LABELS",
    "SUPPRESSED_REPLY",
    "TRACKING_CHOICES",
    "AttachmentFile",
    "Forecast",
    "InTransaction",
    "QueuedWork",
    "SimulatedMessage",
    "Simulator",
    "TaskDraft",
    "TaskProgress",
    "cancel_task",
    "check_attachments",
    "check_draft",
    "check_schedule",
    "check_subject",
    "clean_filename",
    "count_suppressed",
    "create_task",
    "delete_task",
    "destination_estimate",
    "draft_duration",
    "draft_forecast",
    "duration_text",
    "effective_rate",
    "estimated_duration",
    "find_task_id",
    "forecast_send",
    "get_task",
    "hold_reason",
    "insert_messages",
    "load_attachment",
    "parse_local_time",
    "pause_task",
    "prepare_attachment",
    "query_tasks",
    "queued_work",
    "resume_task",
    "simulate",
    "simulator_forecast",
    "status_label",
    "task_action_refusal",
    "task_attachments",
    "task_progress",
    "task_suppressed_count",
    "template_parameters",
]
