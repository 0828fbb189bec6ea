"""The template grammar: text and ``{{ name }}``, nothing else.

Templates are rendered by Jinja2, but a template may only hold plain text and
parameter references. Every other Jinja construct (blocks, comments, filters,
attribute or item access, calls, arithmetic, literals, whitespace control) is
refused here, before anything is stored or rendered, with its line and column.
That closes template injection (``{{ ''.__class__ }}``, ``{{ 'a' * 50000000 }}``)
at the door instead of trusting the sandbox alone.

``analyse_template`` is cheap enough to run on every keystroke of the editor: it
tokenizes with Jinja2's own lexer (so what it accepts is exactly what Jinja will
parse) and never compiles or renders anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import Environment
from jinja2.exceptions import TemplateSyntaxError

from kootui.core.errors import ValidationError
from kootui.core.mail import first_control

MAX_PARAMETERS = 15
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_SUBJECT_CHARS = 255

PARAMETER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# Names Jinja parses as constants or operators, or binds itself: never a parameter.
RESERVED_NAMES = frozenset({"true", "false", "none", "not", "self"})

_OPERATOR_WORDS = {
    "|": "a filter ('|')",
    ".": "attribute access ('.')",
    "[": "item access ('[')",
    "]": "item access (']')",
    "(": "a call ('(')",
    ")": "a call (')')",
    "~": "concatenation ('~')",
    ",": "a list (',')",
    ":": "a slice or mapping (':')",
    "{": "a mapping literal ('{')",
    "}": "a mapping literal ('}')",
    "=": "an assignment ('=')",
}
_ARITHMETIC = {"+", "-", "*", "/", "//", "%", "**"}
_COMPARISON = {"==", "!=", "<", "<=", ">", ">="}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template, positioned for the editor (line and column from 1)."""

    code: str
    message: str
    line: int
    column: int
    field: str

    def __str__(self) -> str:
        return f"{self.field} line {self.line}, column {self.column}: {self.message}"


@dataclass(frozen=True)
class TemplateAnalysis:
    """Parameters in order of first appearance (subject, body, text part) and every problem."""

    parameters: tuple[str, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _FieldScan:
    field_name: str  # not "field": that would hide dataclasses.field from the lines below
    parameters: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@lru_cache(maxsize=1)
def _lexer_environment() -> Environment:
    # Only the lexer is used; its default delimiters are the ones rendering uses.
    return Environment()


def _normalised(source: str) -> str:
    # Jinja's lexer joins lines with "\n" and drops one trailing newline; offsets
    # are computed against the same text so columns match what the user sees.
    return source.replace("\r\n", "\n").replace("\r", "\n")


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _describe_token(kind: str, value: str) -> str:
    if kind == "operator":
        if value in _OPERATOR_WORDS:
            return _OPERATOR_WORDS[value]
        if value in _ARITHMETIC:
            return f"arithmetic ('{value}')"
        if value in _COMPARISON:
            return f"a comparison ('{value}')"
        return f"the operator '{value}'"
    if kind in {"string", "integer", "float"}:
        return f"a literal ({value[:20]})"
    return f"'{value[:20]}'"


def check_parameter_name(name: str) -> str | None:
    """Why ``name`` cannot be a parameter, or None when it can."""
    if name.isdigit():
        return f"parameter '{name}' is only digits; a name needs a letter first"
    if name[:1].isdigit() or name.startswith("_"):
        return f"parameter '{name}' must start with a letter, not a digit or underscore"
    if not PARAMETER_NAME.fullmatch(name):
        return f"parameter '{name}' may only hold ASCII letters (A-Z, a-z), digits and underscores"
    if name.lower() in RESERVED_NAMES:
        return f"'{name}' is a reserved word and cannot name a parameter"
    return None


class _Scanner:
    """Walks Jinja's token stream for one field, tracking offsets for columns."""

    def __init__(self, source: str, field_name: str) -> None:
        self.text = _normalised(source)
        self.scan = _FieldScan(field_name)
        self.offset = 0

    def problem(self, code: str, message: str, offset: int) -> None:
        line, column = _position(self.text, offset)
        self.scan.problems.append(Problem(code, message, line, column, self.scan.field_name))

    def locate(self, value: str) -> int:
        found = self.text.find(value, self.offset)
        start = found if found >= 0 else self.offset
        self.offset = start + len(value) if found >= 0 else self.offset
        return start

    def run(self) -> _FieldScan:
        lexer = _lexer_environment().lexer
        inside: int | None = None  # offset of the open '{{'
        tokens: list[tuple[str, str, int]] = []
        try:
            for _line, kind, value in lexer.tokeniter(self.text, None):
                start = self.locate(value)
                if kind == "data":
                    self._check_stray_close(value, start)
                elif kind == "variable_begin":
                    inside, tokens = start, []
                elif kind == "variable_end":
                    self._close_variable(inside or 0, tokens, start, value)
                    inside = None
                elif inside is not None:
                    if kind != "whitespace":
                        tokens.append((kind, value, start))
                else:
                    self._outside_variable(kind, start)
        except TemplateSyntaxError as exc:
            self._lexer_error(exc, inside)
            return self.scan
        if inside is not None:
            self.problem("template.unbalanced", "'{{' is never closed with '}}'", inside)
        return self.scan

    def _check_stray_close(self, value: str, start: int) -> None:
        at = value.find("}}")
        if at >= 0:
            self.problem(
                "template.unbalanced",
                "'}}' without a matching '{{' (in CSS, put a space between the braces)",
                start + at,
            )

    def _outside_variable(self, kind: str, start: int) -> None:
        if kind == "block_begin":
            self.problem(
                "template.block", "blocks ('{% ... %}') are not allowed; only {{ name }}", start
            )
        elif kind == "comment_begin":
            self.problem(
                "template.comment", "comments ('{# ... #}') are not allowed; only {{ name }}", start
            )
        elif kind in {"raw_begin", "linestatement_begin", "linecomment_begin"}:
            self.problem("template.block", "this Jinja construct is not allowed", start)

    def _close_variable(
        self, begin: int, tokens: list[tuple[str, str, int]], end: int, end_value: str
    ) -> None:
        if self.text.startswith("{{-", begin) or self.text.startswith("{{+", begin):
            self.problem(
                "template.syntax",
                "whitespace control ('{{-') is not allowed; write {{ name }}",
                begin,
            )
            return
        if end_value.strip() != "}}":
            self.problem(
                "template.syntax",
                "whitespace control ('-}}') is not allowed; write {{ name }}",
                end,
            )
            return
        if not tokens:
            self.problem("template.empty", "'{{ }}' holds no parameter name", begin)
            return
        name = self._single_name(tokens)
        if name is None:
            return
        reason = check_parameter_name(name)
        if reason:
            self.problem("template.parameter_name", reason, tokens[0][2])
        elif name not in self.scan.parameters:
            self.scan.parameters.append(name)

    def _single_name(self, tokens: list[tuple[str, str, int]]) -> str | None:
        """The one name the braces hold, or None after reporting why there is not one."""
        kinds = [kind for kind, _, _ in tokens]
        first_kind, first_value, first_start = tokens[0]
        # '123' or '1abc' lex as a number (then a name): report them as bad names.
        if first_kind == "integer" and (
            len(tokens) == 1
            or (kinds == ["integer", "name"] and tokens[1][2] == first_start + len(first_value))
        ):
            return "".join(value for _, value, _ in tokens)
        if first_kind == "name" and len(tokens) == 1:
            return first_value
        for kind, value, start in tokens:
            if kind != "name":
                self.problem(
                    "template.expression",
                    f"{_describe_token(kind, value)} is not allowed; only {{{{ name }}}}",
                    start,
                )
                return None
        self.problem(
            "template.syntax",
            "only one parameter name may stand between '{{' and '}}'",
            tokens[1][2],
        )
        return None

    def _lexer_error(self, exc: TemplateSyntaxError, inside: int | None) -> None:
        message = exc.message or "cannot be read"
        if "unexpected end" in message:
            offset = inside if inside is not None else self.offset
            self.problem("template.unbalanced", "'{{' is never closed with '}}'", offset)
            return
        # The lexer knows the line only; the last token it gave is the best column.
        line, column = _position(self.text, self.offset)
        if line != (exc.lineno or line):
            line, column = exc.lineno or 1, 1
        self.scan.problems.append(
            Problem(
                "template.syntax",
                f"Jinja cannot read this: {message}",
                line,
                column,
                self.scan.field_name,
            )
        )


def scan_field(source: str, field_name: str) -> tuple[list[str], list[Problem]]:
    """Parameters (first appearance order) and grammar problems of one template field."""
    result = _Scanner(source, field_name).run()
    return result.parameters, result.problems


def _size_problems(subject: str, body: str, text_body: str) -> list[Problem]:
    problems: list[Problem] = []
    if "\n" in subject or "\r" in subject:
        problems.append(
            Problem("template.subject", "the subject must be one line", 1, 1, "subject")
        )
    elif (control := first_control(subject)) is not None:
        problems.append(
            Problem(
                "template.subject_control",
                f"the subject must not contain control or invisible formatting characters "
                f"(found U+{ord(subject[control]):04X})",
                1,
                control + 1,
                "subject",
            )
        )
    if len(subject) > MAX_SUBJECT_CHARS:
        problems.append(
            Problem(
                "template.too_long",
                f"the subject is longer than {MAX_SUBJECT_CHARS} characters",
                1,
                MAX_SUBJECT_CHARS + 1,
                "subject",
            )
        )
    for name, text in (("body", body), ("text_body", text_body)):
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_BODY_BYTES:
            problems.append(
                Problem(
                    "template.too_large",
                    f"is {size:,} bytes; the limit is {MAX_BODY_BYTES:,} bytes (2 MB)",
                    1,
                    1,
                    name,
                )
            )
    return problems


def inspect_template(
    subject: str, body: str, body_type: str, text_body: str = ""
) -> TemplateAnalysis:
    """Parameters and problems of a whole template: subject, body and (HTML only) text part."""
    problems = _size_problems(subject, body, text_body)
    if problems and any(p.code == "template.too_large" for p in problems):
        # Do not tokenize megabytes the user must cut anyway.
        return TemplateAnalysis(parameters=(), problems=tuple(problems))
    fields = [("subject", subject), ("body", body)]
    if body_type == "html":
        fields.append(("text_body", text_body))
    parameters: list[str] = []
    first_seen: dict[str, Problem] = {}
    for field_name, source in fields:
        names, found = scan_field(source, field_name)
        problems.extend(found)
        for name in names:
            if name not in parameters:
                parameters.append(name)
                first_seen[name] = _first_position(source, name, field_name)
    if len(parameters) > MAX_PARAMETERS:
        extra = parameters[MAX_PARAMETERS]
        where = first_seen[extra]
        problems.append(
            Problem(
                "template.too_many_parameters",
                f"{len(parameters)} parameters; at most {MAX_PARAMETERS} are allowed "
                f"('{extra}' is number {MAX_PARAMETERS + 1})",
                where.line,
                where.column,
                where.field,
            )
        )
    return TemplateAnalysis(parameters=tuple(parameters), problems=tuple(problems))


def _first_position(source: str, name: str, field_name: str) -> Problem:
    text = _normalised(source)
    match = re.search(r"\{\{\s*" + re.escape(name) + r"\s*\}\}", text)
    offset = match.start() if match else 0
    line, column = _position(text, offset)
    return Problem("", "", line, column, field_name)


def analyse_template(subject: str, body: str, body_type: str, text_body: str = "") -> list[Problem]:
    """Every problem of a template, with positions: the editor calls this as the user types."""
    return list(inspect_template(subject, body, body_type, text_body).problems)


def require_valid_template(
    subject: str, body: str, body_type: str, text_body: str = ""
) -> tuple[str, ...]:
    """The template's parameters, or a ValidationError carrying the first problem."""
    analysis = inspect_template(subject, body, body_type, text_body)
    if analysis.problems:
        first = analysis.problems[0]
        more = len(analysis.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ValidationError(
            f"line {first.line}, column {first.column}: {first.message}{suffix}",
            field=first.field,
            code=first.code,
        )
    return analysis.parameters
