"""The template grammar: text and {{ name }} only, every refusal positioned."""

from __future__ import annotations

import pytest

from kootui.core.errors import ValidationError
from kootui.core.templates import (
    MAX_BODY_BYTES,
    analyse_template,
    inspect_template,
    require_valid_template,
)

INJECTION_ATTEMPTS = [
    ("{{''.__class__.__mro__}}", "template.expression", 1, 3),
    ("{{'a'*50000000}}", "template.expression", 1, 3),
    ("{{ x|attr('y') }}", "template.expression", 1, 5),
    ("{% for %}", "template.block", 1, 1),
    ("{% for x in range(10**9) %}{{ x }}{% endfor %}", "template.block", 1, 1),
    ("{{ cycler.__init__.__globals__ }}", "template.expression", 1, 10),
    ("{{ 7*7 }}", "template.expression", 1, 4),
    ("{{ a[0] }}", "template.expression", 1, 5),
    ("{{ lipsum() }}", "template.expression", 1, 10),
    ("{{ a ~ b }}", "template.expression", 1, 6),
    ("{{ a + b }}", "template.expression", 1, 6),
    ("{{ a == b }}", "template.expression", 1, 6),
    ("{{ 'x' }}", "template.expression", 1, 4),
    ("{{ [1, 2] }}", "template.expression", 1, 4),
    ("{{ a if b }}", "template.syntax", 1, 6),
    ("hello\n  {# hidden #}", "template.comment", 2, 3),
    ("{{- name }}", "template.syntax", 1, 1),
    ("{{ name -}}", "template.syntax", 1, 9),
    ("{{}}", "template.empty", 1, 1),
    ("text {{ name", "template.unbalanced", 1, 6),
    ("a }} b", "template.unbalanced", 1, 3),
    ("{{ 'unclosed }}", "template.syntax", 1, 4),
    ("{{ a ) }}", "template.syntax", 1, 6),
    ("line one\r\nline two {{ user.name }}", "template.expression", 2, 17),
    ("{% raw %}{{ x }}{% endraw %}", "template.block", 1, 1),
]


@pytest.mark.parametrize(("source", "code", "line", "column"), INJECTION_ATTEMPTS)
def test_every_construct_but_a_name_is_refused_with_its_position(source, code, line, column):
    problems = analyse_template("", source, "text")
    assert problems, source
    first = problems[0]
    assert (first.code, first.line, first.column, first.field) == (code, line, column, "body")
    assert first.message


@pytest.mark.parametrize("source", [row[0] for row in INJECTION_ATTEMPTS])
def test_saving_refuses_the_same_attempts(source):
    with pytest.raises(ValidationError) as caught:
        require_valid_template("Hi", source, "html", "plain")
    assert caught.value.field == "body"
    assert "line" in caught.value.message


@pytest.mark.parametrize(
    "source",
    ["{{name}}", "{{ name }}", "{{\tname\n}}", "{{ config }}", "{{ cycler }}", "{{ Order_2 }}"],
)
def test_plain_names_with_any_whitespace_are_parameters(source):
    analysis = inspect_template("", source, "text")
    assert analysis.ok
    assert len(analysis.parameters) == 1


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("_name", "must start with a letter"),
        ("123", "only digits"),
        ("été", "ASCII letters"),
        ("None", "reserved"),
        ("true", "reserved"),
        ("self", "reserved"),
    ],
)
def test_bad_parameter_names_are_refused(name, fragment):
    problems = analyse_template("", "Dear {{ " + name + " }}", "text")
    assert [p.code for p in problems] == ["template.parameter_name"]
    assert fragment in problems[0].message
    assert (problems[0].line, problems[0].column) == (1, 9)


def test_a_name_starting_with_a_digit_is_refused_as_a_name():
    problems = analyse_template("", "{{ 1abc }}", "text")
    assert [p.code for p in problems] == ["template.parameter_name"]
    assert "start with a letter" in problems[0].message


def test_parameters_are_counted_across_subject_body_and_text_part_in_order():
    analysis = inspect_template(
        "Hi {{ name }}", "<p>{{ code }} {{ name }}</p>", "html", "{{ code }} {{ extra }}"
    )
    assert analysis.ok
    assert analysis.parameters == ("name", "code", "extra")


def test_fifteen_parameters_pass_and_sixteen_are_refused_at_the_sixteenth():
    fifteen = " ".join("{{ p" + str(i) + " }}" for i in range(1, 16))
    assert inspect_template("", fifteen, "text").ok
    body = fifteen + "\n{{ p16 }}"
    problems = analyse_template("", body, "text")
    assert [p.code for p in problems] == ["template.too_many_parameters"]
    assert "16 parameters" in problems[0].message
    assert (problems[0].line, problems[0].column) == (2, 1)


def test_a_repeated_parameter_counts_once():
    body = "{{ a }}" * 40
    assert inspect_template("", body, "text").parameters == ("a",)


def test_sixteen_across_subject_and_body_are_refused():
    body = " ".join("{{ p" + str(i) + " }}" for i in range(1, 16))
    problems = analyse_template("{{ subject_param }}", body, "text")
    assert [p.code for p in problems] == ["template.too_many_parameters"]
    assert problems[0].field == "body"


def test_a_body_over_two_megabytes_is_refused_without_tokenizing():
    body = "a" * (MAX_BODY_BYTES + 1)
    problems = analyse_template("", body, "text")
    assert [(p.code, p.field) for p in problems] == [("template.too_large", "body")]
    assert "2 MB" in problems[0].message


def test_the_text_part_is_checked_for_html_templates_only():
    assert analyse_template("", "<p>x</p>", "html", "{{ a.b }}")[0].field == "text_body"
    assert analyse_template("", "plain", "text", "{{ a.b }}") == []


def test_a_subject_must_be_one_line_and_short():
    codes = {p.code for p in analyse_template("a\nb", "x", "text")}
    assert "template.subject" in codes
    codes = {p.code for p in analyse_template("s" * 256, "x", "text")}
    assert "template.too_long" in codes


def test_a_subject_with_a_control_character_is_refused_naming_the_column():
    for control in "\x00\x1b\x0b\x0c\x08\x7f\x9b\t\u2028":
        [problem] = analyse_template(f"Hi{control}there", "x", "text")
        assert (problem.code, problem.field, problem.column) == (
            "template.subject_control",
            "subject",
            3,
        )
        assert f"U+{ord(control):04X}" in problem.message
    assert analyse_template("Grüße {{ name }} — 你好", "x", "text") == []


def test_a_subject_with_a_bidi_control_or_an_invisible_character_is_refused():
    # Overrides, embeddings, isolates, marks, zero-width space, word joiner, BOM, tags.
    for hidden in "\u202e\u202a\u2066\u2067\u2068\u2069\u200f\u061c\u200b\u2060\ufeff\U000e0041":
        [problem] = analyse_template(f"Hi{hidden}there", "x", "text")
        assert (problem.code, problem.field, problem.column) == (
            "template.subject_control",
            "subject",
            3,
        )
        assert f"U+{ord(hidden):04X}" in problem.message
    # Joiners are part of emoji and of Persian and Indic words: allowed.
    assert (
        analyse_template("👩\u200d💻 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "x", "text")
        == []
    )


def test_css_with_spaced_braces_is_text_but_minified_double_braces_are_flagged():
    assert analyse_template("", "<style>@media (x) { .a { b: c } }</style>", "html", "t") == []
    problems = analyse_template("", "<style>@media (x){.a{b:c}}</style>", "html", "t")
    assert problems[0].code == "template.unbalanced"
    assert "CSS" in problems[0].message


def test_all_problems_of_a_field_are_reported_not_only_the_first():
    problems = analyse_template("", "{{ a.b }}\n{{ _c }}\n{% if %}", "text")
    assert [(p.line, p.code) for p in problems] == [
        (1, "template.expression"),
        (2, "template.parameter_name"),
        (3, "template.block"),
    ]


def test_a_problem_reads_well_as_text():
    problem = analyse_template("", "x {{ a|e }}", "text")[0]
    assert str(problem).startswith("body line 1, column 7:")
