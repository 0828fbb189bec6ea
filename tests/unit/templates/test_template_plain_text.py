"""The plain-text part derived from HTML, and how fast the editor's checks run."""

from __future__ import annotations

import time

from kootui.core.templates import (
    TemplateDraft,
    analyse_template,
    check_draft,
    derive_text_body,
    html_to_text,
    load_public_templates,
    render_preview,
    text_body_after_body_change,
)


def test_parameters_survive_in_text_and_in_links():
    html = (
        "<h1>Hello {{ name }}</h1><p>Your code is <b>{{code}}</b> &lt;keep&gt;</p>"
        '<p><a href="https://x.example/r?t={{ token }}">Reset password</a></p>'
        '<p><a href="https://x.example/">https://x.example/</a></p>'
    )
    assert derive_text_body(html) == (
        "Hello {{ name }}\n\n"
        "Your code is {{code}} <keep>\n\n"
        "Reset password <https://x.example/r?t={{ token }}>\n\n"
        "https://x.example/\n"
    )


def test_tables_and_lists_read_as_text_without_trailing_blanks():
    text = derive_text_body(
        "<table><tr><td>Amount</td><td>{{ amount }}</td></tr></table><ul><li>a</li><li>b</li></ul>"
    )
    assert "Amount  {{ amount }}" in text
    assert "  * a\n  * b" in text
    assert all(line == line.rstrip() for line in text.splitlines())
    assert "\n\n\n" not in text


def test_the_preview_text_can_hide_links():
    assert html_to_text('<a href="https://x.example/">Go</a>', show_links=False) == "Go\n"
    assert html_to_text("   ") == ""


def test_a_user_edited_text_part_is_kept_when_the_body_changes():
    assert text_body_after_body_change("<p>new</p>", "mine", True) == "mine"
    assert text_body_after_body_change("<p>new</p>", "mine", False) == "new\n"
    assert text_body_after_body_change("<p>new</p>", "  ", True) == "new\n"


def test_editor_check_speed_figures_are_printed(capsys):
    template = max(load_public_templates(), key=lambda t: len(t.body))
    draft = TemplateDraft(
        title="t", subject=template.subject, body=template.body, text_body=template.text_body
    )
    timings = {}
    for name, run in (
        (
            "analyse_template",
            lambda: analyse_template(draft.subject, draft.body, "html", draft.text_body),
        ),
        ("check_draft", lambda: check_draft(draft)),
        (
            "render_preview",
            lambda: render_preview(
                subject=draft.subject,
                body_type="html",
                body=draft.body,
                text_body=draft.text_body,
                support_unsubscribe=True,
                samples=template.samples,
            ),
        ),
    ):
        assert run() is not None
        started = time.perf_counter()
        for _ in range(50):
            run()
        timings[name] = (time.perf_counter() - started) / 50 * 1000
    with capsys.disabled():
        shown = ", ".join(f"{name} {ms:.2f} ms" for name, ms in timings.items())
        print(f"\neditor, {len(draft.body)} B HTML: {shown}")
