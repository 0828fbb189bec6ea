"""Recipients of a task being prepared: typed addresses and imported workbooks, checked
and de-duplicated, kept compactly until the task is created.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.recipients.addresses import (
    MAX_MANUAL_RECIPIENTS,
    ManualRecipients,
    RecipientValidator,
    duplicate_key,
    normalise_address,
)
from kootui.core.recipients.recipient_list import (
    ImportedRecipients,
    RecipientSource,
    TypedRecipients,
)

__all__ = [
    "MAX_MANUAL_RECIPIENTS",
    "ImportedRecipients",
    "ManualRecipients",
    "RecipientSource",
    "RecipientValidator",
    "TypedRecipients",
    "duplicate_key",
    "normalise_address",
]
