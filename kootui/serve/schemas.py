"""The shapes of the API's bodies: every field typed and bounded in length, so a request
is refused for its size before any rule runs. The rules themselves are the core's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

Text320 = Annotated[str, StringConstraints(max_length=320)]
Name = Annotated[str, StringConstraints(max_length=100)]
ParamName = Annotated[str, StringConstraints(max_length=64)]
ParamValue = Annotated[str, StringConstraints(max_length=10_000)]
Params = Annotated[dict[ParamName, ParamValue], Field(max_length=64)]
BODY_CHARS = 4_000_000  # the core refuses above 2 MB; this bounds the parse


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecipientIn(Strict):
    email: Text320
    params: Params = Field(default_factory=dict)


class AttachmentIn(Strict):
    filename: Annotated[str, StringConstraints(max_length=255)]
    content: Annotated[str, StringConstraints(max_length=6_000_000)] = Field(
        description="the file's bytes in base64"
    )


class MessageIn(Strict):
    """One message to one or more recipients: a template, or your own subject and content."""

    sender: Text320 = Field(description="a sender address on a verified domain")
    to: Annotated[list[Text320 | RecipientIn], Field(min_length=1, max_length=1000)] = Field(
        description="addresses, or {email, params} objects (at most 50, repeats sent once)"
    )
    template_id: int | None = Field(default=None, ge=1, le=2**53)
    subject: Annotated[str, StringConstraints(max_length=1000)] = ""
    text: Annotated[str, StringConstraints(max_length=BODY_CHARS)] = ""
    html: Annotated[str, StringConstraints(max_length=BODY_CHARS)] = ""
    params: Params = Field(default_factory=dict, description="parameters for every recipient")
    attachments: Annotated[list[AttachmentIn], Field(max_length=20)] = Field(default_factory=list)
    scheduled_at: AwareDatetime | None = Field(default=None, description="send at (ISO 8601)")


class AcceptedOut(BaseModel):
    id: int | None
    recipient: str
    suppressed: str | None = None


class MessagesAccepted(BaseModel):
    task_id: int | None
    messages: list[AcceptedOut]
    duplicates: int


class TaskIn(Strict):
    name: Name
    subject: Annotated[str, StringConstraints(max_length=1000)]
    template_id: int = Field(ge=1, le=2**53)
    sender: Text320
    recipients: Annotated[list[Text320], Field(min_length=1, max_length=1000)]
    scheduled_at: AwareDatetime | None = None
    attachments: Annotated[list[AttachmentIn], Field(max_length=20)] = Field(default_factory=list)


class TaskOut(BaseModel):
    id: int
    name: str
    subject: str
    template_id: int
    address_id: int
    status: str
    send_type: str
    send_method: str
    recipient_count: int
    scheduled_at: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancelled_at: datetime | None
    counts: dict[str, int] | None = None


class ImportOut(BaseModel):
    valid: int
    refused: int
    duplicates: int
    summary: str
