"""Templates: the allowed syntax, drafts checked live, the sandboxed renderer, the HTML
cleaner, the plain-text part, and the built-in public templates.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.templates.drafts import TemplateDraft, check_draft
from kootui.core.templates.html_clean import (
    HTML_SUFFIXES,
    MAX_UPLOAD_BYTES,
    HtmlUpload,
    clean_html,
    decode_html_bytes,
    prepare_html_upload,
    read_html_file,
    sanitize_html,
)
from kootui.core.templates.plain_text import (
    derive_text_body,
    html_to_text,
    text_body_after_body_change,
)
from kootui.core.templates.public import (
    load_public_templates,
    public_template,
    sync_public_templates,
)
from kootui.core.templates.render import CompiledTemplate, RenderedMessage, render_preview
from kootui.core.templates.service import (
    PublicTemplateReadOnly,
    TemplateView,
    approve_template,
    copy_template,
    create_template,
    delete_template,
    find_template,
    get_template,
    list_templates,
    reject_template,
    require_usable_template,
    update_template,
)
from kootui.core.templates.syntax import (
    MAX_BODY_BYTES,
    Problem,
    analyse_template,
    inspect_template,
    require_valid_template,
    scan_field,
)

__all__ = [
    "HTML_SUFFIXES",
    "MAX_BODY_BYTES",
    "MAX_UPLOAD_BYTES",
    "CompiledTemplate",
    "HtmlUpload",
    "Problem",
    "PublicTemplateReadOnly",
    "RenderedMessage",
    "TemplateDraft",
    "TemplateView",
    "analyse_template",
    "approve_template",
    "check_draft",
    "clean_html",
    "copy_template",
    "create_template",
    "decode_html_bytes",
    "delete_template",
    "derive_text_body",
    "find_template",
    "get_template",
    "html_to_text",
    "inspect_template",
    "list_templates",
    "load_public_templates",
    "prepare_html_upload",
    "public_template",
    "read_html_file",
    "reject_template",
    "render_preview",
    "require_usable_template",
    "require_valid_template",
    "sanitize_html",
    "scan_field",
    "sync_public_templates",
    "text_body_after_body_change",
    "update_template",
]
