"""Rendering: escaping per part, missing values, unsubscribe links, and the speed figure."""

from __future__ import annotations

import time
from html.parser import HTMLParser

import pytest

from kootui.core.errors import ValidationError
from kootui.core.templates import CompiledTemplate, RenderedMessage, render_preview

URL = "https://track.example.com/u/AbCdEfGhIjKlMnOpQrSt"


def build(body_type: str = "html", *, unsubscribe: bool = False, **overrides: str):
    fields = {
        "subject": "Hello {{ name }}",
        "body": "<p>Dear {{ name }}, your code is <b>{{ code }}</b>.</p>",
        "text_body": "Dear {{ name }}, your code is {{ code }}.\n",
    }
    fields.update(overrides)
    return CompiledTemplate.build(body_type=body_type, support_unsubscribe=unsubscribe, **fields)


def test_values_are_escaped_in_html_and_verbatim_in_subject_and_text():
    message = build().render({"name": "<script>alert(1)</script>", "code": "a&b"})
    assert isinstance(message, RenderedMessage)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert "<script>" not in message.html
    assert "a&amp;b" in message.html
    assert message.text == "Dear <script>alert(1)</script>, your code is a&b.\n"
    assert message.subject == "Hello <script>alert(1)</script>"


def test_a_value_that_looks_like_a_template_is_never_rendered_again():
    message = build().render({"name": "{{ code }}{% if 1 %}x{% endif %}", "code": "42"})
    assert "{{ code }}{% if 1 %}x{% endif %}" in message.text
    assert "Dear {{ code }}" in message.html


def test_a_missing_value_names_the_parameter():
    with pytest.raises(ValidationError) as caught:
        build().render({"name": "Ana"})
    assert caught.value.field == "code"
    assert caught.value.code == "render.missing_parameter"
    assert "code" in caught.value.message


def test_the_parameters_are_listed_in_order_of_first_use():
    assert build().parameters == ("name", "code")


def test_a_subject_value_cannot_add_a_header_line():
    message = build().render({"name": "Ana\r\nBcc: victim@example.com", "code": "1"})
    assert "\n" not in message.subject and "\r" not in message.subject


def test_a_text_template_has_no_html_part():
    message = build("text", body="Hi {{ name }} {{ code }}", text_body="").render(
        {"name": "<b>", "code": "1"}
    )
    assert message.html is None
    assert message.text == "Hi <b> 1"


def test_html_fragments_become_a_whole_document_that_parses():
    html = build().render({"name": "Ana", "code": "1"}).html
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    HTMLParser().feed(html)


def test_an_html_template_without_a_text_part_gets_one_derived():
    compiled = build(
        text_body="", body='<p>Hi {{ name }}</p><a href="https://x.test/{{ code }}">Go</a>'
    )
    text = compiled.render({"name": "Ana", "code": "c1"}).text
    assert "Hi Ana" in text
    assert "Go <https://x.test/c1>" in text


def test_the_unsubscribe_link_is_added_to_both_parts_when_supported():
    message = build(unsubscribe=True).render({"name": "A", "code": "1"}, unsubscribe_url=URL)
    assert f'href="{URL}"' in message.html
    assert message.html.index(URL) < message.html.index("</body>")
    assert message.text.rstrip().endswith(URL)


def test_no_link_without_support_or_without_a_url():
    plain = build(unsubscribe=False).render({"name": "A", "code": "1"}, unsubscribe_url=URL)
    assert URL not in plain.html and URL not in plain.text
    no_host = build(unsubscribe=True).render({"name": "A", "code": "1"}, unsubscribe_url=None)
    assert "Unsubscribe" not in no_host.text


def test_a_chinese_template_gets_a_chinese_footer():
    compiled = CompiledTemplate.build(
        subject="验证码",
        body_type="text",
        body="您的验证码是 {{ code }}",
        text_body="",
        support_unsubscribe=True,
        locale="zh",
    )
    assert "退订" in compiled.render({"code": "1"}, unsubscribe_url=URL).text


def test_build_refuses_a_template_with_a_refused_construct():
    with pytest.raises(ValidationError) as caught:
        build(body="<p>{{ name.__class__ }}</p>")
    assert caught.value.field == "body"
    with pytest.raises(ValidationError):
        build(body_type="markdown")


def test_the_preview_shows_unfilled_parameters_by_name():
    preview = render_preview(
        subject="Hi {{ name }}",
        body_type="html",
        body="<p>{{ name }} {{ code }}</p>",
        text_body="",
        support_unsubscribe=True,
        samples={"name": "Ana"},
    )
    assert preview.subject == "Hi Ana"
    assert "Ana {{code}}" in preview.html
    assert "Unsubscribe" in preview.text


def test_render_speed_figure_is_printed(capsys):
    block = (
        '<tr><td style="padding:8px 16px;font-family:Arial,sans-serif;color:#333;">'
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</td></tr>"
    )
    body = (
        '<table width="100%" style="max-width:600px"><tr><td><h1>Hi {{ name }}</h1>'
        "<p>Order {{ order }} ships to {{ city }} on {{ day }}; total {{ amount }}.</p></td></tr>"
        + block * 24
        + "</table>"
    )
    compiled = CompiledTemplate.build(
        subject="Order {{ order }}",
        body_type="html",
        body=body,
        text_body="",
        support_unsubscribe=True,
    )
    params = {"name": "Ana", "order": "A-1", "city": "Berlin", "day": "Monday", "amount": "9 €"}
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        compiled.render(params, unsubscribe_url=URL)
    per_render = (time.perf_counter() - started) / rounds * 1000
    with capsys.disabled():
        print(f"\nrender: {len(body)} B HTML + text, 5 params: {per_render:.3f} ms per message")


def test_a_value_cannot_break_out_of_an_attribute():
    compiled = build(body='<a href="https://x.example/?q={{ name }}" title="{{ code }}">x</a>')
    html = compiled.render({"name": '"><script>x()</script>', "code": "' onmouseover='x()"}).html
    assert "<script>" not in html
    assert "?q=&#34;&gt;&lt;script&gt;" in html
    assert 'title="&#39; onmouseover=&#39;x()"' in html


@pytest.mark.parametrize("value", ["javascript:alert(1)", " JaVa\tScRiPt:x()", "data:text/html,x"])
def test_a_link_parameter_refuses_a_script_address(value):
    compiled = build(
        subject="Open", text_body="Open", body='<a href="{{ link }}">Open</a> <img src={{ code }}>'
    )
    with pytest.raises(ValidationError) as caught:
        compiled.render({"link": value, "code": "https://x.example/a.png"})
    assert caught.value.field == "link"
    assert caught.value.code == "render.unsafe_url"


def test_a_link_parameter_takes_web_and_relative_addresses():
    compiled = build(subject="Open", text_body="Open", body='<a href="{{ link }}">Open</a>')
    for value in ("https://x.example/a?b=1&c=2", "mailto:a@example.com", "/path", "#top"):
        assert compiled.render({"link": value}).html
    as_text = build("text", subject="Open", body="{{ link }}", text_body="")
    assert as_text.render({"link": "javascript:1"}).text == "javascript:1"
