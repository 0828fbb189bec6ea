"""Rendering: compile a template once per task, render it once per recipient.

The template text has already passed ``templates.syntax`` (text and ``{{ name }}``
only), and is compiled by Jinja2's ``ImmutableSandboxedEnvironment`` with
``StrictUndefined`` and no globals, as a second wall. The HTML part autoescapes,
so a value such as ``<script>`` arrives as ``&lt;script&gt;``; the subject and the
text part insert values verbatim. Values are data to Jinja: they are never parsed
as template text, so a value holding ``{{ x }}`` stays exactly that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

from kootui.core.errors import ValidationError
from kootui.core.mail import (
    TrackedLinks,
    TrackingUrls,
    append_text_footer,
    html_footer,
    insert_html_footer,
    open_pixel,
    rewrite_html_links,
    rewrite_text_links,
    text_footer,
)
from kootui.core.templates.css import css_value_problem, style_parameters, url_scheme
from kootui.core.templates.html_clean import URL_SCHEMES
from kootui.core.templates.plain_text import derive_text_body
from kootui.core.templates.syntax import require_valid_template

HTML_DOCUMENT_HEAD = (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    '<meta name="color-scheme" content="light">\n</head>\n'
    '<body style="margin:0;padding:0;">\n'
)
HTML_DOCUMENT_TAIL = "\n</body>\n</html>\n"

# A parameter that starts a link or image address: its value decides the scheme.
_URL_PARAMETER = re.compile(
    r"""\b(?:href|src|background)\s*=\s*["']?\s*\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}""",
    re.IGNORECASE,
)

# A style attribute (any quoting: a preview renders drafts nh3 has not rewritten yet).
_STYLE_ATTRIBUTE = re.compile(
    r"""\bstyle\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""",
    re.IGNORECASE,
)


def _css_parameters(body: str) -> dict[str, bool]:
    """Parameters whose values land inside a style attribute, where escaping HTML cannot
    stop ``javascript:`` or ``expression(``; True for one that starts a ``url()``."""
    found: dict[str, bool] = {}
    for attribute in _STYLE_ATTRIBUTE.finditer(body):
        for name, starts_url in style_parameters(attribute.group()).items():
            found[name] = found.get(name, False) or starts_url
    return found


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    html: str | None
    text: str
    # With tracking: the addresses the click URLs stand for, by index (mail.tracking).
    links: tuple[str, ...] = ()


@lru_cache(maxsize=2)
def _environment(autoescape: bool) -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=0,
    )
    # No range, cycler, namespace, ...: a name means a parameter value and nothing else.
    environment.globals.clear()
    return environment


def _is_document(html: str) -> bool:
    start = html.lstrip()[:20].lower()
    return start.startswith("<!doctype") or start.startswith("<html")


def _compile(source: str, *, autoescape: bool) -> Template:
    return _environment(autoescape).from_string(source)


class CompiledTemplate:
    """A template ready to render many times; build it with ``CompiledTemplate.build``."""

    def __init__(
        self,
        *,
        parameters: tuple[str, ...],
        subject: Template,
        html: Template | None,
        text: Template,
        support_unsubscribe: bool,
        html_is_document: bool,
        locale: str,
        url_parameters: frozenset[str] = frozenset(),
        css_parameters: Mapping[str, bool] | None = None,
    ) -> None:
        self.parameters = parameters
        self._url_parameters = url_parameters
        self._css_parameters = dict(css_parameters or {})
        self._subject = subject
        self._html = html
        self._text = text
        self._support_unsubscribe = support_unsubscribe
        self._html_is_document = html_is_document
        self._locale = locale

    @classmethod
    def build(
        cls,
        *,
        subject: str,
        body_type: str,
        body: str,
        text_body: str,
        support_unsubscribe: bool,
        locale: str = "en",
    ) -> CompiledTemplate:
        """Check the grammar and compile; an HTML template with no text part gets one derived."""
        if body_type not in {"html", "text"}:
            raise ValidationError(
                "must be html or text", field="body_type", code="template.body_type"
            )
        if body_type == "html" and not text_body.strip():
            text_body = derive_text_body(body)
        parameters = require_valid_template(subject, body, body_type, text_body)
        if body_type == "html":
            html = _compile(body, autoescape=True)
            text = _compile(text_body, autoescape=False)
        else:
            html = None
            text = _compile(body, autoescape=False)
        return cls(
            parameters=parameters,
            subject=_compile(subject, autoescape=False),
            html=html,
            text=text,
            support_unsubscribe=support_unsubscribe,
            html_is_document=_is_document(body),
            locale=locale,
            url_parameters=frozenset(_URL_PARAMETER.findall(body)) if html else frozenset(),
            css_parameters=_css_parameters(body) if html else None,
        )

    def _values(self, params: Mapping[str, str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for name in self.parameters:
            value = params.get(name)
            if value is None:
                raise ValidationError(
                    f"no value for the parameter '{name}'",
                    field=name,
                    code="render.missing_parameter",
                )
            values[name] = value if isinstance(value, str) else str(value)
        for name in self._url_parameters:
            # Escaping keeps a value inside its attribute but cannot stop "javascript:".
            scheme = url_scheme(values[name])
            if scheme and scheme not in URL_SCHEMES:
                raise ValidationError(
                    f"the value of '{name}' is used as a link and must be a web address "
                    f"(http, https, mailto, ...), not '{scheme}:'",
                    field=name,
                    code="render.unsafe_url",
                )
        for name, starts_url in self._css_parameters.items():
            # "{{name}}" is the preview's stand-in for a missing sample: it cannot leave the
            # attribute or open a function either.
            value = values[name]
            preview = value == "{{" + name + "}}"
            problem = None if preview else css_value_problem(value, starts_url=starts_url)
            if problem:
                raise ValidationError(
                    f"the value of '{name}' is used in a style attribute and {problem}",
                    field=name,
                    code="render.unsafe_css",
                )
        return values

    def render(
        self,
        params: Mapping[str, str],
        *,
        unsubscribe_url: str | None = None,
        tracking: TrackingUrls | None = None,
    ) -> RenderedMessage:
        """One recipient's message; the unsubscribe link is added when the template supports it
        and a URL is given (no tracking host configured means no link). With ``tracking``, the
        web links of both parts go through click URLs and the HTML part gets the open pixel;
        the unsubscribe link, added after, is never rewritten."""
        values = self._values(params)
        # A subject is one header line: a value must not start a new header.
        subject = self._subject.render(values).replace("\r", " ").replace("\n", " ")
        text = self._text.render(values)
        html: str | None = None
        if self._html is not None:
            body = self._html.render(values)
            html = (
                body if self._html_is_document else HTML_DOCUMENT_HEAD + body + HTML_DOCUMENT_TAIL
            )
        links = TrackedLinks()
        if tracking is not None:
            if html is not None:
                html = rewrite_html_links(html, tracking, links)
            text = rewrite_text_links(text, tracking, links)
        if self._support_unsubscribe and unsubscribe_url:
            text = append_text_footer(text, text_footer(unsubscribe_url, self._locale))
            if html is not None:
                html = insert_html_footer(html, html_footer(unsubscribe_url, self._locale))
        if tracking is not None and html is not None:
            html = insert_html_footer(html, open_pixel(tracking))
        return RenderedMessage(subject=subject, html=html, text=text, links=links.addresses())


def render_preview(
    *,
    subject: str,
    body_type: str,
    body: str,
    text_body: str,
    support_unsubscribe: bool,
    samples: Mapping[str, str],
    locale: str = "en",
    tracking_host: str | None = None,
) -> RenderedMessage:
    """What the editor's preview shows: parameters without a sample value show as {{name}};
    the unsubscribe link points at the configured ``tracking_host`` (an example host when
    none is set), so the preview shows the link recipients will get.

    Raises ValidationError when the template itself has a problem (the editor shows the
    problems from ``analyse_template`` instead of a preview then).
    """
    compiled = CompiledTemplate.build(
        subject=subject,
        body_type=body_type,
        body=body,
        text_body=text_body,
        support_unsubscribe=support_unsubscribe,
        locale=locale,
    )
    values = {name: samples.get(name) or "{{" + name + "}}" for name in compiled.parameters}
    host = tracking_host or "tracking.example.com"
    example_url = f"https://{host}/u/preview-token-0000" if support_unsubscribe else None
    return compiled.render(values, unsubscribe_url=example_url)
