"""Messages submitted from outside the console (the API and SMTP submission): checked
by the console's own rules, stored as message rows with send method ``api`` on a channel
task per kind of message, committed in groups, with idempotency keys.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.submissions.channels import ChannelSpec
from kootui.core.submissions.idempotency import (
    KEEP_FOR,
    AlreadyAnswered,
    IdempotencyClaim,
    StoredAnswer,
    find_answer,
    forget_expired,
    idempotency_claim,
    record_first_answer,
    replay,
)
from kootui.core.submissions.intake import (
    ACCEPTED,
    AcceptedRecipient,
    Intake,
    Pending,
    SubmissionReceipt,
    commit_batch,
)
from kootui.core.submissions.raw_mime import (
    SMTP_SUBJECT,
    ContentRefused,
    RawMessage,
    SubmissionRefused,
    prepare_raw,
    prepare_read,
    read_raw,
    suppressed_recipients,
)
from kootui.core.submissions.request import (
    MAX_ATTACHMENTS,
    MAX_PARAMETER_CHARS,
    MAX_RECIPIENTS,
    PreparedSubmission,
    RecipientInput,
    SubmissionChecker,
    SubmissionRequest,
)

__all__ = [
    "ACCEPTED",
    "KEEP_FOR",
    "MAX_ATTACHMENTS",
    "MAX_PARAMETER_CHARS",
    "MAX_RECIPIENTS",
    "SMTP_SUBJECT",
    "AcceptedRecipient",
    "AlreadyAnswered",
    "ChannelSpec",
    "ContentRefused",
    "IdempotencyClaim",
    "Intake",
    "Pending",
    "PreparedSubmission",
    "RawMessage",
    "RecipientInput",
    "StoredAnswer",
    "SubmissionChecker",
    "SubmissionReceipt",
    "SubmissionRefused",
    "SubmissionRequest",
    "commit_batch",
    "find_answer",
    "forget_expired",
    "idempotency_claim",
    "prepare_raw",
    "prepare_read",
    "read_raw",
    "record_first_answer",
    "replay",
    "suppressed_recipients",
]
