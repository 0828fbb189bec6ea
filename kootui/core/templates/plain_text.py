"""The plain-text alternative of an HTML template, derived with inscriptis.

inscriptis lays HTML out the way a reader sees it (tables as columns, lists
as bullets), and ``{{ name }}`` references in text and links pass through
untouched, so the derived text is itself a template with the same parameters.
The same conversion shows the HTML preview in a terminal.
"""

from __future__ import annotations

import re
from functools import lru_cache

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

# inscriptis writes links as [label](url); a url may hold "{{ name }}" with spaces.
_MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]*)\]\(((?:\{\{[^{}\n]*\}\}|[^()\s])*)\)")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


@lru_cache(maxsize=2)
def _config(show_links: bool) -> ParserConfig:
    return ParserConfig(css=CSS_PROFILES["strict"], display_links=show_links)


def _link_text(match: re.Match[str]) -> str:
    label, url = match.group(1).strip(), match.group(2)
    if not url:
        return label
    if not label or label == url:
        return url
    return f"{label} <{url}>"


def html_to_text(html: str, *, show_links: bool = True) -> str:
    """Readable text of ``html``: links as 'label <url>', no trailing blanks, tidy spacing."""
    if not html.strip():
        return ""
    text = get_text(html, _config(show_links))
    if show_links:
        text = _MARKDOWN_LINK.sub(_link_text, text)
    text = _TRAILING_SPACE.sub("", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip("\n") + "\n"


def derive_text_body(html_body: str) -> str:
    """The plain-text part of an HTML template, parameters kept as ``{{ name }}``."""
    return html_to_text(html_body, show_links=True)


def text_body_after_body_change(
    new_html_body: str, current_text_body: str, text_body_edited: bool
) -> str:
    """What the text part becomes when the HTML body changes.

    Until the user edits the text part it follows the body; once edited it is the
    user's and is kept (the editor offers ``derive_text_body`` as an explicit action).
    """
    if text_body_edited and current_text_body.strip():
        return current_text_body
    return derive_text_body(new_html_body)
