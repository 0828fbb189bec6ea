"""Typed errors with a stable code and a message a user can act on.

Every face reports them the same way: the TUI beside the field named by
``field``, the API as JSON with ``http_status``, the CLI on stderr with a
non-zero exit.
"""

from __future__ import annotations


class KootuiError(Exception):
    """Base of every error the core raises on purpose."""

    code: str = "kootui.error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}

    def __str__(self) -> str:
        if self.field:
            return f"{self.field}: {self.message}"
        return self.message


def user_message(error: KootuiError) -> str:
    """A refusal as a user reads it when it is not shown beside its field (a notification, a
    CLI line): the field it names, unless that is an internal ID column (``task_id``), which
    says nothing to someone who chose a row or typed a name. Every face uses this one."""
    if not error.field or error.field.endswith("_id"):
        return error.message
    return f"{error.field}: {error.message}"


class ValidationError(KootuiError):
    """An input broke a rule; ``field`` names the input."""

    code = "validation.invalid"
    http_status = 422


class LimitReached(KootuiError):
    """A quota such as '10 domains per workspace' is used up."""

    code = "limit.reached"
    http_status = 409


class DailyLimitReached(LimitReached):
    """A user's or credential's daily message limit would be passed: the request is refused
    whole and may be sent again once the workspace's next day begins. ``subject`` names
    the limit (``user/<id>``, ``kt_…``, ``kts_…``)."""

    code = "limit.daily_messages"
    http_status = 429

    def __init__(self, message: str, *, subject: str, code: str, field: str) -> None:
        super().__init__(message, code=code, field=field)
        self.subject = subject


class NotFound(KootuiError):
    code = "not_found"
    http_status = 404


class Conflict(KootuiError):
    """The request clashes with what is stored (a duplicate, an object in use)."""

    code = "conflict"
    http_status = 409


class InvalidState(KootuiError):
    """The object is not in a state that allows this action."""

    code = "state.invalid"
    http_status = 409


class SettingsError(KootuiError):
    """A bad configuration value: the CLI prints it on one line and exits with status 2."""

    code = "settings.invalid"
    http_status = 500


class StoreError(KootuiError):
    """The store could not be opened or migrated."""

    code = "store.unavailable"
    http_status = 503


class AccessDenied(KootuiError):
    """The principal's policies do not allow the action: ``explanation`` names the policy
    and statement that refused it, or says no statement allows it (default deny)."""

    code = "access.denied"
    http_status = 403

    def __init__(self, explanation: str, *, action: str) -> None:
        super().__init__(explanation)
        self.action = action
        self.explanation = explanation
