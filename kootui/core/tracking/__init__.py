"""What the tracking host records: opens (the pixel), clicks (the redirects) and where a
click may go (only a link the message was sent with).

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.tracking.service import follow_click, message_links, record_open

__all__ = ["follow_click", "message_links", "record_open"]
