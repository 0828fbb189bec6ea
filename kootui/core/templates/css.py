"""Inline CSS: an allowlist of properties and of value forms, for the HTML cleaner and for
parameter values that land in a ``style`` attribute.

A declaration is kept only when its property is in ``ALLOWED_PROPERTIES`` and its value
is made of plain characters (letters, digits, spaces and ``#%.,+-_/:?=&~!'"``), calls
only ``ALLOWED_FUNCTIONS``, and every ``url()`` in it points to http, https or cid.
Anything this cannot judge goes: a backslash (CSS escapes such as ``j\\61vascript:``),
``/*`` comments splitting a keyword, ``@``, braces, ``<``, ``;`` inside quotes, unbalanced
quotes, ``expression(``, ``behavior``, ``-moz-binding``, ``-o-link``... The browser sees
the value with HTML entities decoded, and so does this (nh3 and ``html.parser`` hand
over decoded attribute values). ``{{ name }}`` stands for a value checked when the
message is rendered (``css_value_problem``).
"""

from __future__ import annotations

import re
import unicodedata

ALLOWED_PROPERTIES = frozenset(
    {
        "background", "background-color", "background-image", "background-position",
        "background-repeat", "background-size", "border", "border-bottom",
        "border-bottom-color", "border-bottom-left-radius", "border-bottom-right-radius",
        "border-bottom-style", "border-bottom-width", "border-collapse", "border-color",
        "border-left", "border-left-color", "border-left-style", "border-left-width",
        "border-radius", "border-right", "border-right-color", "border-right-style",
        "border-right-width", "border-spacing", "border-style", "border-top",
        "border-top-color", "border-top-left-radius", "border-top-right-radius",
        "border-top-style", "border-top-width", "border-width", "box-sizing", "caption-side",
        "clear", "color", "color-scheme", "direction", "display", "float", "font",
        "font-family", "font-size", "font-style", "font-variant", "font-weight", "height",
        "letter-spacing", "line-height", "list-style", "list-style-position",
        "list-style-type", "margin", "margin-bottom", "margin-left", "margin-right",
        "margin-top", "max-height", "max-width", "min-height", "min-width", "mso-hide",
        "mso-line-height-rule", "mso-table-lspace", "mso-table-rspace", "opacity",
        "outline", "overflow", "padding", "padding-bottom", "padding-left", "padding-right",
        "padding-top", "table-layout", "text-align", "text-decoration", "text-indent",
        "text-transform", "vertical-align", "visibility", "white-space", "width",
        "word-break", "word-spacing", "word-wrap", "overflow-wrap",
    }
)  # fmt: skip
ALLOWED_FUNCTIONS = frozenset(
    {"rgb", "rgba", "hsl", "hsla", "url", "calc", "linear-gradient", "radial-gradient"}
)
CSS_URL_SCHEMES = frozenset({"http", "https", "cid"})

PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z][A-Za-z0-9_]*\s*\}\}")
_PLAIN_ASCII = re.compile(r"[A-Za-z0-9 #%.,+\-_/:?=&~!'\"()]*")
_PARAMETER_ASCII = re.compile(r"[A-Za-z0-9 #%.,+\-_/:?=&~!]*")
_FUNCTION = re.compile(r"([A-Za-z-]*)\(")
_URL = re.compile(r"""url\(\s*(?:"([^"()]*)"|'([^'()]*)'|([^\s"'()]*))\s*\)""", re.IGNORECASE)
_URL_OPENING = re.compile(r"""url\(\s*["']?\s*\Z""", re.IGNORECASE)
_PLACEHOLDER_MARK = "\ue000"  # a private-use character stands for {{ name }} while checking


def url_scheme(value: str) -> str:
    # Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
    squeezed = re.sub(r"[\x00-\x20]+", "", value).lower()
    match = re.match(r"([a-z][a-z0-9+.-]*):", squeezed)
    return match.group(1) if match else ""


def declarations(style: str) -> list[tuple[str, str]]:
    """(property, value) pairs of a style attribute, property lower-cased, blanks squeezed:
    what the cleaner keeps or drops, and what the removal report counts."""
    pairs = []
    for piece in style.split(";"):
        if piece.strip():
            name, _, value = piece.partition(":")
            pairs.append((name.strip().lower(), " ".join(value.split())))
    return pairs


def _plain_characters(text: str, ascii_pattern: re.Pattern[str]) -> bool:
    if text.isascii():
        return ascii_pattern.fullmatch(text) is not None
    # Beyond ASCII only letters, marks, digits and spaces (a font called 微软雅黑).
    return all(
        ascii_pattern.fullmatch(char) if char.isascii() else _is_word_character(char)
        for char in text
    )


def _is_word_character(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LMN" or category == "Zs"


# Words of the old script hooks; outside a URL no real style holds one.
_TELLTALE = re.compile(r"expression|javascript|vbscript|behaviou?r|binding|-o-link", re.IGNORECASE)


def _url_is_allowed(target: str) -> bool:
    if target.startswith(_PLACEHOLDER_MARK):
        return True  # checked against the recipient's value when the message is rendered
    return url_scheme(target) in CSS_URL_SCHEMES


def value_is_allowed(value: str) -> bool:
    """Whether a declaration's value has only the plain forms this module lists."""
    if _PLACEHOLDER_MARK in value:
        return False
    marked = PLACEHOLDER.sub(_PLACEHOLDER_MARK, value)
    if _TELLTALE.search(_URL.sub("url()", marked)):
        return False  # harmless as a plain word, but no real style needs one: keep it out
    urls = [next(group for group in match.groups() if group is not None)
            for match in _URL.finditer(marked)]  # fmt: skip
    if not all(_url_is_allowed(target) for target in urls):
        return False
    plain = marked.replace(_PLACEHOLDER_MARK, "x")
    if not _plain_characters(plain, _PLAIN_ASCII):
        return False
    if plain.count('"') % 2 or plain.count("'") % 2:
        return False
    opened: list[str] = _FUNCTION.findall(plain)
    if len(opened) != plain.count("(") or plain.count("(") != plain.count(")"):
        return False
    if any(name.lower() not in ALLOWED_FUNCTIONS for name in opened):
        return False
    return len(urls) == sum(name.lower() == "url" for name in opened)


def declaration_is_allowed(name: str, value: str) -> bool:
    return name in ALLOWED_PROPERTIES and bool(value) and value_is_allowed(value)


def clean_style(style: str) -> str | None:
    """The style attribute with every declaration not allowed removed; unchanged when all
    are allowed, None when none is."""
    pairs = declarations(style)
    kept = [(name, value) for name, value in pairs if declaration_is_allowed(name, value)]
    if len(kept) == len(pairs):
        return style if pairs else None
    return ";".join(f"{name}:{value}" for name, value in kept) or None


def style_parameters(style: str) -> dict[str, bool]:
    """The parameters a style attribute uses: True for one that starts a ``url()``."""
    found: dict[str, bool] = {}
    for placeholder in PLACEHOLDER.finditer(style):
        name = placeholder.group().strip("{} \t\n")
        starts_url = _URL_OPENING.search(style, 0, placeholder.start()) is not None
        found[name] = found.get(name, False) or starts_url
    return found


def css_value_problem(value: str, *, starts_url: bool = False) -> str | None:
    """Why a parameter value cannot go into a style attribute, or None when it can.

    A value may hold plain characters only - no parentheses, quotes, backslash or ``;``,
    so it cannot open a function, close the attribute or add a declaration. One that
    starts a ``url()`` must be an http, https or cid address without blanks; any other
    that starts with a scheme must start with one of those."""
    if not _plain_characters(value, _PARAMETER_ASCII):
        return "may hold only letters, digits, spaces and # % . , + - _ / : ? = & ~ !"
    scheme = url_scheme(value)
    if starts_url and (scheme not in CSS_URL_SCHEMES or value.split() != [value]):
        return "must be a web address such as https://cdn.example.com/image.png"
    if scheme and scheme not in CSS_URL_SCHEMES:
        return f"must be a web address (http, https) or a plain value, not '{scheme}:'"
    if not starts_url and _TELLTALE.search(value):
        return "must not hold a script word (expression, javascript, behavior, binding)"
    return None
