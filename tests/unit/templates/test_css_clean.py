"""Inline CSS keeps only allowlisted declarations, every removal is reported, style sheets
go, and a parameter value that lands in a style attribute is checked when rendered."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kootui.core.errors import ValidationError
from kootui.core.templates import CompiledTemplate, TemplateDraft, check_draft, clean_html

# Each value must not survive cleaning; entity-encoded forms are what a browser decodes.
HOSTILE_STYLES = [
    "width: expression(alert(1))",
    "WIDTH: EXPRESSION(alert(1))",
    "width: expr/**/ession(alert(1))",
    "background:url(javascript:alert(1))",
    "background:url('JaVaScRiPt:alert(1)')",
    'background:url("vbscript:msgbox(1)")',
    "background:url(data:text/html;base64,PHNjcmlwdD4=)",
    "background:url(DATA:image/svg+xml,x)",
    "background:url(j\\61vascript:alert(1))",
    "background:u\\72l(javascript:alert(1))",
    "background:url(&#106;avascript:alert(1))",
    "background:url(&#x6A;&#x61;vascript:alert(1))",
    "background:url( java\tscript:alert(1))",
    "background:url(/relative/x.png)",
    "behavior:url(x.htc)",
    "-moz-binding:url(https://evil.example/x.xml#x)",
    "-o-link:javascript:alert(1)",
    "-o-link-source:current",
    "color:red;}</style><script>x()</script>",
    "color:red\\;behavior:url(x)",
    "font-family:'a;behavior:url(x)'",
    "color: r\\65 d",
    "background-image:image-set(url(https://x.example/a.png) 1x)",
    "col/**/or:red",
    "color:var(--x)",
    "@import url(https://evil.example/x.css)",
    "width:calc(1px + expression(1))",
    "background:url(https://ok.example/a.png) url(javascript:x)",
]
FORBIDDEN = ("expression", "javascript", "vbscript", "data:", "behavior", "binding",
             "-o-link", "\\", "/*", "@", "var(", "image-set", "/relative")  # fmt: skip


def _style_of(result_html: str) -> str:
    found = re.search(r'style="([^"]*)"', result_html)
    return html.unescape(found.group(1)) if found else ""


@pytest.mark.parametrize("style", HOSTILE_STYLES)
def test_hostile_declarations_are_removed_and_reported(style: str) -> None:
    result = clean_html(f'<p style="color:#333;{style}">Hi</p>')
    kept = _style_of(result.html).lower()
    assert not [word for word in FORBIDDEN if word in kept], kept
    assert "color:#333" in kept
    assert not result.nothing_removed
    assert "CSS declaration" in result.summary()


def test_the_report_names_the_removed_properties() -> None:
    result = clean_html('<p style="padding:8px;behavior:url(x.htc);width:expression(1)">x</p>')
    [removal] = result.removed
    assert (removal.kind, removal.count, removal.names) == ("css", 2, ("behavior", "width"))
    assert result.summary() == "Removed: 2 CSS declarations (behavior, width)"
    assert _style_of(result.html) == "padding:8px"


def test_style_sheets_are_dropped_and_reported() -> None:
    for sheet in [
        "<style>p { color: red }</style>",
        "<style>@import url(https://evil.example/x.css);</style>",
        "<style>p { background: url(javascript:alert(1)) }</style>",
        "<style>@font-face { src: url(https://evil.example/f.woff) }</style>",
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<link rel="StyleSheet alternate" href="https://evil.example/x.css">',
    ]:
        result = clean_html(f"<html><head>{sheet}</head><body><p>Hi</p></body></html>")
        assert "<style" not in result.html and "<link" not in result.html
        assert "evil" not in result.html and "import" not in result.html
        assert [removal.kind for removal in result.removed] == ["stylesheet"], sheet


def test_email_css_survives_untouched() -> None:
    style = (
        "background-color:#f4f5f7;padding:18px 28px;border-radius:8px 8px 0 0;"
        "font-family:Arial,Helvetica,'PingFang SC','微软雅黑',sans-serif;font:12px/1.5 Arial;"
        "color:rgba(0, 0, 0, 0.5) !important;width:calc(100% - 20px);"
        "background:url('https://cdn.example.com/bg.png?a=1&b=2') no-repeat;"
        "background-image:linear-gradient(#fff, #eee);mso-line-height-rule:exactly;"
    )
    result = clean_html(f'<p style="{style}">x</p>')
    assert result.nothing_removed
    assert _style_of(result.html) == style


def test_the_template_save_refuses_css_the_cleaner_would_lose_naming_where() -> None:
    draft = TemplateDraft(
        title="t",
        subject="s",
        body_type="html",
        body='<p>Hi</p>\n<p style="color:red;width:expression(alert(1))">x</p>',
    )
    [problem] = check_draft(draft)
    assert problem.code == "template.body_unsafe" and problem.field == "body"
    assert "1 CSS declaration (width)" in problem.message
    assert (problem.line, problem.column) == (2, 3)
    sheet = TemplateDraft(title="t", subject="s", body_type="html", body="<style>p{}</style>x")
    assert "1 style sheet (<style>)" in check_draft(sheet)[0].message


_FRAGMENTS = st.sampled_from(
    ["color", "width", "background", "behavior", "-moz-binding", ":", ";", "(", ")", "'", '"',
     "url", "expression", "javascript", "java\tscript", "\\61", "\\", "/*", "*/", " ", "x",
     "https://a.example/", "data:", "&#106;", "&quot;", "&#x3b;", "{{ img }}", "@import",
     "red", "1px", "!important", "\u00a0", "vbscript"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=14).map("".join))
def test_whatever_survives_is_allowlisted_css_and_every_loss_is_reported(style: str) -> None:
    attribute = style.replace('"', "&quot;")
    result = clean_html(f'<p style="{attribute}">x</p>')
    kept = _style_of(result.html)
    for word in ("expression", "javascript", "vbscript", "data:", "behavior", "binding"):
        assert word not in kept.lower().replace("\t", ""), (style, kept)
    assert "\\" not in kept and "/*" not in kept and "@" not in kept
    source = html.unescape(attribute)
    if kept != source and source.strip(" ;\t\n\r\f\u00a0"):
        assert result.removed, (style, kept)


def _css_template() -> CompiledTemplate:
    return CompiledTemplate.build(
        subject="Hi",
        body_type="html",
        body='<td style="background:url({{ img }});color:{{ tint }}">x</td>',
        text_body="x",
        support_unsubscribe=False,
    )


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", " JaVa\tScript:alert(1)", "vbscript:x", "data:image/png,x",
     "x) ; behavior:url(y", "red;background:url(javascript:x)", "red\\3b x", "a'b", 'a"b',
     "expression(alert(1))", "red/**/", "x}</style>"],
)  # fmt: skip
def test_a_parameter_in_css_with_an_unsafe_value_is_refused_when_rendered(value: str) -> None:
    for name in ("img", "tint"):
        params = {"img": "https://cdn.example.com/a.png", "tint": "#336699", name: value}
        with pytest.raises(ValidationError) as caught:
            _css_template().render(params)
        assert caught.value.code == "render.unsafe_css" and caught.value.field == name


@pytest.mark.parametrize("value", ["", "/relative.png", "https://a.example/a b.png", "red"])
def test_a_parameter_starting_a_url_must_be_a_web_address(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _css_template().render({"img": value, "tint": "red"})
    assert caught.value.code == "render.unsafe_css" and caught.value.field == "img"
    assert "https://cdn.example.com/image.png" in caught.value.message


def test_a_parameter_in_css_with_a_plain_value_renders() -> None:
    rendered = _css_template().render(
        {"img": "https://cdn.example.com/a.png?x=1&y=2", "tint": "#336699"}
    )
    assert rendered.html is not None
    assert "url(https://cdn.example.com/a.png?x=1&amp;y=2);color:#336699" in rendered.html


_VALUE_PIECES = st.sampled_from(
    ["https://", "http://", "cid:", "javascript:", "data:", "a", "7", "#", "%", ".", ",", "+",
     "-", "_", "/", ":", "?", "=", "&", "~", "!", " ", "(", ")", "'", '"', ";", "\\", "*",
     "<", ">", "{", "}", "@", "é", "\u00a0", "\t", "\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    img=st.lists(_VALUE_PIECES, max_size=8).map("".join),
    # A blank value leaves "color:" - browsers ignore it, the cleaner drops it: no risk.
    tint=st.lists(_VALUE_PIECES, min_size=1, max_size=8).map("".join).filter(str.strip),
)
def test_a_value_accepted_at_render_time_is_css_the_cleaner_keeps(img: str, tint: str) -> None:
    try:
        rendered = _css_template().render({"img": img, "tint": tint})
    except ValidationError as refused:
        assert refused.code == "render.unsafe_css"
        return
    assert rendered.html is not None
    cell = re.search(r"<td[^>]*>x</td>", rendered.html)
    assert cell is not None
    result = clean_html(f"<table><tr>{cell.group()}</tr></table>")
    assert result.nothing_removed, (img, tint, result.summary())
