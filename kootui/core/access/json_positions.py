"""A small JSON reader that keeps where each value starts (line and column, from 1), so a
policy's problems point at the exact place, as the template editor's do. It accepts what
``json.loads`` accepts (strict: no NaN, no trailing commas) and nothing else."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

MAX_DEPTH = 32


@dataclass(frozen=True)
class Located:
    """A JSON value and where it starts. Objects are ``dict[str, Located]``, arrays
    ``list[Located]``; ``key_at`` maps an object's keys to where each key starts."""

    value: object
    line: int
    column: int
    key_at: dict[str, tuple[int, int]] | None = None


class JsonProblem(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_SPACE = " \t\r\n"


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def where(self, offset: int | None = None) -> tuple[int, int]:
        offset = self.at if offset is None else offset
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, column

    def fail(self, message: str, offset: int | None = None) -> JsonProblem:
        line, column = self.where(offset)
        return JsonProblem(message, line, column)

    def skip_space(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in _SPACE:
            self.at += 1

    def value(self, depth: int) -> Located:
        self.skip_space()
        if depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep")
        if self.at >= len(self.text):
            raise self.fail("a value is missing here (the text ends)")
        line, column = self.where()
        char = self.text[self.at]
        if char == "{":
            return self.object(depth, line, column)
        if char == "[":
            return self.array(depth, line, column)
        if char == '"':
            return Located(self.string(), line, column)
        for word, meaning in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.at):
                self.at += len(word)
                return Located(meaning, line, column)
        number = _NUMBER.match(self.text, self.at)
        if number:
            self.at = number.end()
            return Located(json.loads(number.group()), line, column)
        raise self.fail(f"unexpected {char!r}: expected a value")

    def string(self) -> str:
        match = _STRING.match(self.text, self.at)
        if not match:
            raise self.fail("a string is not closed or holds a bad escape or control character")
        self.at = match.end()
        text: str = json.loads(match.group())
        return text

    def expect(self, char: str, what: str) -> None:
        self.skip_space()
        if self.at >= len(self.text) or self.text[self.at] != char:
            found = "the end" if self.at >= len(self.text) else repr(self.text[self.at])
            raise self.fail(f"expected {what}, found {found}")
        self.at += 1

    def object(self, depth: int, line: int, column: int) -> Located:
        self.at += 1
        members: dict[str, Located] = {}
        key_at: dict[str, tuple[int, int]] = {}
        self.skip_space()
        if self.text.startswith("}", self.at):
            self.at += 1
            return Located(members, line, column, key_at)
        while True:
            self.skip_space()
            if not self.text.startswith('"', self.at):
                raise self.fail('expected a key in double quotes ("Effect")')
            key_offset = self.at
            key = self.string()
            if key in members:
                raise self.fail(f"{key!r} is given twice", key_offset)
            key_at[key] = self.where(key_offset)
            self.expect(":", "':' after the key")
            members[key] = self.value(depth + 1)
            self.skip_space()
            if self.text.startswith(",", self.at):
                self.at += 1
                continue
            self.expect("}", "',' or '}'")
            return Located(members, line, column, key_at)

    def array(self, depth: int, line: int, column: int) -> Located:
        self.at += 1
        items: list[Located] = []
        self.skip_space()
        if self.text.startswith("]", self.at):
            self.at += 1
            return Located(items, line, column)
        while True:
            items.append(self.value(depth + 1))
            self.skip_space()
            if self.text.startswith(",", self.at):
                self.at += 1
                continue
            self.expect("]", "',' or ']'")
            return Located(items, line, column)


def read_located(text: str) -> Located:
    """The document's top value with positions, or a ``JsonProblem`` at the first fault."""
    reader = _Reader(text)
    top = reader.value(0)
    reader.skip_space()
    if reader.at < len(text):
        raise reader.fail("unexpected text after the end of the document")
    return top
