"""What the template editor holds before saving, and every check a save applies.

``check_draft`` is the editor's live list of problems (grammar, sizes, required
fields, HTML the cleaner would remove), positioned by line and column; saving
refuses a draft with the first of the very same problems (``validated_draft``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from kootui.core.errors import ValidationError
from kootui.core.store import BodyType
from kootui.core.templates.html_clean import Removal, clean_html, sanitize_html
from kootui.core.templates.plain_text import derive_text_body, text_body_after_body_change
from kootui.core.templates.syntax import Problem, inspect_template

MAX_TITLE_CHARS = 100
LOCALES = ("en", "zh")

_REMOVAL_PATTERNS = {
    "script": r"<script\b",
    "event_handler": r"\son[a-z]+\s*=",
    "javascript_url": r"(?:java|vb)\s*script\s*:",
    "form": r"<(?:form|input|button|select|textarea|option|optgroup)\b",
    "base": r"<base\b",
    "meta_refresh": r"<meta\b[^>]*refresh",
    "embed": r"<(?:iframe|frame|frameset|object|embed|applet)\b",
    "comment": r"<!--",
    "stylesheet": r"<(?:style|link)\b",
}


@dataclass(frozen=True)
class TemplateDraft:
    """The editor's fields. Use the ``with_*`` methods so the text part follows the body."""

    title: str
    subject: str = ""
    body_type: str = BodyType.HTML
    body: str = ""
    text_body: str = ""
    text_body_edited: bool = False
    support_unsubscribe: bool = False
    locale: str = "en"
    # Open pixel and click redirects through the tracking host; a task may override it.
    track_opens_clicks: bool = False

    def with_body(self, body: str) -> TemplateDraft:
        """A new body; an HTML template's text part is re-derived unless the user edited it."""
        if self.body_type != BodyType.HTML:
            return replace(self, body=body)
        text = text_body_after_body_change(body, self.text_body, self.text_body_edited)
        return replace(self, body=body, text_body=text)

    def with_text_body(self, text_body: str) -> TemplateDraft:
        """The user typed in the text part: from now on it is kept when the body changes."""
        return replace(self, text_body=text_body, text_body_edited=True)

    def with_derived_text_body(self) -> TemplateDraft:
        """Throw the edited text part away and follow the body again."""
        return replace(self, text_body=derive_text_body(self.body), text_body_edited=False)

    def with_body_type(self, body_type: str) -> TemplateDraft:
        if body_type == BodyType.HTML:
            return replace(self, body_type=body_type).with_body(self.body)
        return replace(self, body_type=body_type, text_body="", text_body_edited=False)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _locate(body: str, removal: Removal) -> tuple[int, int]:
    pattern = _REMOVAL_PATTERNS.get(removal.kind)
    if pattern is None and removal.names:
        name = removal.names[0]
        if removal.kind == "attribute":
            pattern = r"\s" + re.escape(name.split(".", 1)[1]) + r"\s*="
        elif removal.kind == "css":
            pattern = r"\sstyle\s*=[^>]*?" + re.escape(name)
        else:
            pattern = "<" + re.escape(name) + r"\b"
    found = re.search(pattern, body, re.IGNORECASE) if pattern else None
    return _position(body, found.start()) if found else (1, 1)


def _html_problems(body: str) -> list[Problem]:
    result = clean_html(body)
    problems = []
    for removal in result.removed:
        line, column = _locate(body, removal)
        problems.append(
            Problem(
                "template.body_unsafe",
                f"{removal} would be removed from the email; delete it or apply cleaning",
                line,
                column,
                "body",
            )
        )
    return problems


def _title_problems(title: str) -> list[Problem]:
    stripped = title.strip()
    if not stripped:
        return [Problem("template.title_required", "a title is required", 1, 1, "title")]
    if len(stripped) > MAX_TITLE_CHARS:
        return [
            Problem(
                "template.title_too_long",
                f"is {len(stripped)} characters; at most {MAX_TITLE_CHARS} are allowed",
                1,
                MAX_TITLE_CHARS + 1,
                "title",
            )
        ]
    for index, character in enumerate(stripped):
        if unicodedata.category(character) in {"Cc", "Cs", "Zl", "Zp"}:
            return [
                Problem(
                    "template.title_invalid",
                    f"must not contain control characters (found U+{ord(character):04X})",
                    1,
                    index + 1,
                    "title",
                )
            ]
    return []


def check_draft(draft: TemplateDraft) -> list[Problem]:
    """Every problem that would stop a save, positioned; empty when the draft can be saved."""
    problems = _title_problems(draft.title)
    if draft.body_type not in (BodyType.HTML, BodyType.TEXT):
        problems.append(Problem("template.body_type", "must be html or text", 1, 1, "body_type"))
        return problems
    if draft.locale not in LOCALES:
        problems.append(
            Problem("template.locale", f"must be one of {', '.join(LOCALES)}", 1, 1, "locale")
        )
    if not draft.body.strip():
        problems.append(Problem("template.body_required", "the body is required", 1, 1, "body"))
        return problems
    text_body = draft.text_body
    if draft.body_type == BodyType.HTML and not (draft.text_body_edited and text_body.strip()):
        text_body = derive_text_body(draft.body)  # what saving will store
    analysis = inspect_template(draft.subject, draft.body, draft.body_type, text_body)
    problems.extend(analysis.problems)
    if draft.body_type == BodyType.HTML and not any(
        p.code == "template.too_large" for p in analysis.problems
    ):
        problems.extend(_html_problems(draft.body))
    return problems


def _raise_first(problems: list[Problem]) -> None:
    first = problems[0]
    more = len(problems) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    raise ValidationError(
        f"line {first.line}, column {first.column}: {first.message}{suffix}"
        if first.field in {"body", "text_body", "subject"}
        else f"{first.message}{suffix}",
        field=first.field,
        code=first.code,
    )


def validated_draft(draft: TemplateDraft) -> tuple[TemplateDraft, tuple[str, ...]]:
    """The draft as it will be stored, and its parameters; a ValidationError otherwise.

    HTML is stored as the cleaner writes it (so what is stored has passed nh3,
    whatever a lenient parser might have missed), and the text part is derived
    from it unless the user wrote their own.
    """
    problems = check_draft(draft)
    if problems:
        _raise_first(problems)
    body = draft.body
    text_body = ""
    edited = False
    if draft.body_type == BodyType.HTML:
        body = sanitize_html(draft.body)
        edited = draft.text_body_edited and bool(draft.text_body.strip())
        text_body = draft.text_body if edited else derive_text_body(body)
    stored = replace(
        draft,
        title=draft.title.strip(),
        body=body,
        text_body=text_body,
        text_body_edited=edited,
    )
    analysis = inspect_template(stored.subject, stored.body, stored.body_type, stored.text_body)
    if analysis.problems:
        _raise_first(list(analysis.problems))
    return stored, analysis.parameters
