"""HTML cleaning with nh3, a report of what was removed, and charset detection for uploads.

Email HTML lives on tables, inline styles and a few presentational attributes,
so the allowlist is nh3's default plus those; everything that can run code or
send data somewhere (scripts, ``on*`` handlers, ``javascript:`` URLs, forms,
``<base>``, ``<meta http-equiv=refresh>``, frames and objects) goes. Inline CSS keeps
only the declarations ``css.py`` allows; ``<style>`` and ``<link rel=stylesheet>`` go. The report
compares what the input held with what nh3 kept, so it tells the user exactly
what the cleaning took away, counted per kind.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nh3

from kootui.core.errors import ValidationError
from kootui.core.templates.css import clean_style, declarations, url_scheme

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
HTML_SUFFIXES = (".html", ".htm")

# <style> blocks are dropped, not filtered: nh3 can judge declarations only in attributes,
# and selectors, @import and @font-face are more than an allowlist of values can vouch for.
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS | {"font", "tfoot", "section", "main"})
_GENERIC_ATTRIBUTES = {
    "style", "class", "id", "dir", "lang", "align", "valign", "width", "height",
    "bgcolor", "title", "role", "border",
}  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GENERIC_ATTRIBUTES,
    "table": {"cellpadding", "cellspacing", "summary"},
    "td": {"colspan", "rowspan", "nowrap"},
    "th": {"colspan", "rowspan", "scope", "nowrap"},
    "img": {"src", "alt", "hspace", "vspace"},
    "a": {"href", "target", "name", "rel"},
    "font": {"color", "face", "size"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type"},
    "ul": {"type"},
}
# Removed together with what they hold (a button's label means nothing without the form).
CONTENT_REMOVED_TAGS = frozenset(
    {"script", "noscript", "title", "template", "button", "select", "textarea", "style"}
)
URL_SCHEMES = frozenset(nh3.ALLOWED_URL_SCHEMES | {"cid"})

FORM_TAGS = frozenset({"form", "input", "button", "select", "textarea", "option", "optgroup"})
EMBED_TAGS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet"})
# The document wrapper is rebuilt when the message is composed: dropping it is no loss.
WRAPPER_TAGS = frozenset({"html", "head", "body", "meta", "title", "tbody"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "background", "xlink:href"})

KIND_LABELS = {  # kind -> (one, many)
    "script": ("script", "scripts"),
    "event_handler": ("event handler attribute", "event handler attributes"),
    "javascript_url": ("javascript: URL", "javascript: URLs"),
    "form": ("form element", "form elements"),
    "base": ("<base> element", "<base> elements"),
    "meta_refresh": ("<meta http-equiv=refresh>", "<meta http-equiv=refresh> elements"),
    "embed": ("frame or embedded object", "frames or embedded objects"),
    "stylesheet": ("style sheet", "style sheets"),
    "css": ("CSS declaration", "CSS declarations"),
    "comment": ("comment", "comments"),
    "element": ("other element", "other elements"),
    "attribute": ("other attribute", "other attributes"),
}


@dataclass(frozen=True)
class Removal:
    kind: str  # a key of KIND_LABELS
    count: int
    names: tuple[str, ...] = ()  # tags or attributes, for "other" kinds and handlers

    @property
    def label(self) -> str:
        one, many = KIND_LABELS[self.kind]
        return one if self.count == 1 else many

    def __str__(self) -> str:
        names = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.count} {self.label}{names}"


@dataclass(frozen=True)
class CleanResult:
    html: str
    removed: tuple[Removal, ...]

    @property
    def nothing_removed(self) -> bool:
        return not self.removed

    def summary(self) -> str:
        """'Removed: 2 scripts; 1 event handler attribute (onclick)' or 'Nothing removed'."""
        if not self.removed:
            return "Nothing removed"
        return "Removed: " + "; ".join(str(item) for item in self.removed)


@dataclass(frozen=True)
class HtmlUpload:
    """An uploaded file, decoded and cleaned, waiting for the user to confirm it."""

    filename: str
    charset: str
    charset_reason: str
    cleaned: CleanResult

    @property
    def html(self) -> str:
        return self.cleaned.html


class _Inventory(HTMLParser):
    """Counts what a piece of HTML holds, in the kinds the removal report speaks of."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: Counter[tuple[str, str]] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            self.items["meta_refresh", tag] += 1
        elif tag == "script":
            self.items["script", tag] += 1
        elif tag in FORM_TAGS:
            self.items["form", tag] += 1
        elif tag == "base":
            self.items["base", tag] += 1
        elif tag == "style" or (tag == "link" and "stylesheet" in values.get("rel", "").lower()):
            self.items["stylesheet", f"<{tag}>"] += 1
        elif tag in EMBED_TAGS:
            self.items["embed", tag] += 1
        elif tag not in WRAPPER_TAGS:
            self.items["element", tag] += 1
        if tag in {"meta", "base", "script", "style", "link"} | FORM_TAGS | EMBED_TAGS:
            return  # their attributes go with them
        for name, value in values.items():
            if name == "style":
                for property_name, _ in declarations(value):
                    self.items["css", property_name or "?"] += 1
            elif name.startswith("on"):
                self.items["event_handler", name] += 1
            elif name in URL_ATTRIBUTES and url_scheme(value) in {"javascript", "vbscript"}:
                self.items["javascript_url", name] += 1
            elif tag not in WRAPPER_TAGS:
                self.items["attribute", f"{tag}.{name}"] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.items["comment", ""] += 1


def _inventory(html: str) -> Counter[tuple[str, str]]:
    parser = _Inventory()
    parser.feed(html)
    parser.close()
    return parser.items


_NAMED_KINDS = frozenset(
    {"event_handler", "element", "attribute", "form", "embed", "stylesheet", "css"}
)


def _removals(before: Counter[tuple[str, str]], after: Counter[tuple[str, str]]) -> list[Removal]:
    gone = before - after
    removals: list[Removal] = []
    for kind in KIND_LABELS:
        entries = {name: count for (k, name), count in gone.items() if k == kind}
        if not entries:
            continue
        named = kind in {
            "event_handler",
            "element",
            "attribute",
            "form",
            "embed",
            "stylesheet",
            "css",
        }
        names = tuple(sorted(name for name in entries if name)) if named else ()
        removals.append(Removal(kind, sum(entries.values()), names))
    return removals


def sanitize_html(html: str) -> str:
    """``html`` through nh3 with the email allowlist; the one place the policy lives."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CONTENT_REMOVED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        generic_attribute_prefixes={"aria-"},
        link_rel=None,
        strip_comments=True,
        attribute_filter=_filter_attribute,
    )


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    # nh3 hands over the value with entities decoded, as a browser would read it.
    return clean_style(value) if name == "style" else value


def clean_html(html: str) -> CleanResult:
    """The cleaned HTML and what cleaning removed, per kind."""
    cleaned = sanitize_html(html)
    return CleanResult(
        html=cleaned, removed=tuple(_removals(_inventory(html), _inventory(cleaned)))
    )


# --- uploads: size, charset, cleaning ---------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# What browsers (the WHATWG Encoding standard) actually use for these labels.
_CHARSET_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
}


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    label = _CHARSET_SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _looks_chinese(text: str) -> bool:
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return False
    cjk = sum(1 for c in wide if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef")
    return cjk / len(wide) >= 0.8


def decode_html_bytes(data: bytes) -> tuple[str, str, str]:
    """(text, charset, why that charset): BOM, then <meta charset>, then UTF-8, then a guess.

    The guess after those is GB18030 when the bytes decode to mostly Chinese
    characters under it, otherwise Windows-1252 (what browsers assume for
    undeclared Western pages); a byte it cannot map becomes U+FFFD.
    """
    for bom, charset in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(charset), charset, "byte order mark"
            except UnicodeDecodeError:
                break
    declared = _declared_charset(data[:4096])
    if declared:
        try:
            return data.decode(declared), declared, "<meta charset> in the file"
        except UnicodeDecodeError:
            pass  # a wrong declaration is common; fall through to detection
    try:
        return data.decode("utf-8"), "utf-8", "valid UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _looks_chinese(text):
            return text, "gb18030", "not UTF-8; the bytes read as Chinese text in GB18030"
    except UnicodeDecodeError:
        pass
    return (
        data.decode("cp1252", errors="replace"),
        "cp1252",
        "not UTF-8 and no charset declared; assumed Windows-1252",
    )


def prepare_html_upload(data: bytes, filename: str) -> HtmlUpload:
    """Check, decode and clean the bytes of an uploaded ``.html`` file."""
    if not filename.lower().endswith(HTML_SUFFIXES):
        raise ValidationError(
            "choose an .html or .htm file", field="upload", code="template.upload_type"
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"the file is {len(data):,} bytes; the limit is {MAX_UPLOAD_BYTES:,} bytes (2 MB)",
            field="upload",
            code="template.upload_too_large",
        )
    text, charset, reason = decode_html_bytes(data)
    if "\x00" in text:
        raise ValidationError(
            "the file holds NUL bytes; it does not look like an HTML file",
            field="upload",
            code="template.upload_binary",
        )
    return HtmlUpload(
        filename=Path(filename).name,
        charset=charset,
        charset_reason=reason,
        cleaned=clean_html(text),
    )


def read_html_file(path: Path) -> HtmlUpload:
    """Read a local file (size checked before reading) and prepare it as an upload."""
    try:
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"the file is {size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,} bytes (2 MB)",
                field="upload",
                code="template.upload_too_large",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            f"cannot read {path.name}: {exc.strerror or exc}",
            field="upload",
            code="template.upload_unreadable",
        ) from exc
    return prepare_html_upload(data, path.name)
