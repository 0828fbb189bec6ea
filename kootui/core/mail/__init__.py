"""Building one message: MIME composition, DKIM signing, unsubscribe links and headers,
open/click tracking (the token and the links rewritten), and what an SMTP reply means.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.mail.compose import (
    PreparedAttachment,
    compose_message,
    format_mailbox,
    new_message_id,
    prepare_attachment,
)
from kootui.core.mail.dkim import DkimSigner, relaxed_body, relaxed_headers, split_message
from kootui.core.mail.headers import (
    clean_display_name,
    clean_header_text,
    first_control,
    header_field,
)
from kootui.core.mail.smtp_replies import (
    Outcome,
    Stage,
    bounded_text,
    classify_reply,
    enhanced_code,
)
from kootui.core.mail.tracking import (
    PIXEL_GIF,
    TrackedLinks,
    TrackingUrls,
    open_pixel,
    rewrite_html_links,
    rewrite_text_links,
    tracking_message_id,
    tracking_token,
    tracking_token_matches,
    tracks_opens_clicks,
)
from kootui.core.mail.unsubscribe import (
    NO_TRACKING_HOST,
    UnsubscribeState,
    Unsubscription,
    append_text_footer,
    has_tracking_host,
    html_footer,
    insert_html_footer,
    list_unsubscribe_headers,
    new_token,
    page_locale,
    record_unsubscribe,
    text_footer,
    unsubscribe_state,
    unsubscribe_url,
)
from kootui.core.mail.verp import (
    bounce_host,
    verp_address,
    verp_enabled,
    verp_message_id,
)

__all__ = [
    "NO_TRACKING_HOST",
    "PIXEL_GIF",
    "DkimSigner",
    "Outcome",
    "PreparedAttachment",
    "Stage",
    "TrackedLinks",
    "TrackingUrls",
    "UnsubscribeState",
    "Unsubscription",
    "append_text_footer",
    "bounce_host",
    "bounded_text",
    "classify_reply",
    "clean_display_name",
    "clean_header_text",
    "compose_message",
    "enhanced_code",
    "first_control",
    "format_mailbox",
    "has_tracking_host",
    "header_field",
    "html_footer",
    "insert_html_footer",
    "list_unsubscribe_headers",
    "new_message_id",
    "new_token",
    "open_pixel",
    "page_locale",
    "prepare_attachment",
    "record_unsubscribe",
    "relaxed_body",
    "relaxed_headers",
    "rewrite_html_links",
    "rewrite_text_links",
    "split_message",
    "text_footer",
    "tracking_message_id",
    "tracking_token",
    "tracking_token_matches",
    "tracks_opens_clicks",
    "unsubscribe_state",
    "unsubscribe_url",
    "verp_address",
    "verp_enabled",
    "verp_message_id",
]
