"""The built-in public templates: one TOML file per scenario, each in English and Chinese.

A scenario file holds, per language, a title, a subject, a preheader, a footer,
sample values and a list of content blocks (heading, text, code, button, rows,
note). The loader lays the blocks out twice, as responsive email HTML (tables,
inline styles, 600 px wide at most, inside ``layout.html``) and as plain text,
so both parts always say the same thing. ``sync_public_templates`` keeps the
template table in step with these files on every start: new ones are added,
changed ones updated, and users can copy but never edit or delete them.
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.store import BodyType, Template, TemplateStatus
from kootui.core.templates.syntax import require_valid_template

LOCALES = ("en", "zh")
_FONT = "Arial,Helvetica,'PingFang SC','Microsoft YaHei',sans-serif"


@dataclass(frozen=True)
class PublicTemplate:
    public_key: str  # "<scenario>.<locale>", e.g. "otp.zh"
    locale: str
    title: str
    subject: str
    body: str
    text_body: str
    support_unsubscribe: bool
    parameters: tuple[str, ...]
    samples: Mapping[str, str]


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _block_html(block: list[Any], accent: str) -> str:
    kind = block[0]
    if kind == "heading":
        return (
            '<h1 style="margin:0 0 16px;font-size:22px;line-height:30px;color:#111827;">'
            f"{_text(block[1])}</h1>"
        )
    if kind == "text":
        return f'<p style="margin:0 0 16px;">{_text(block[1])}</p>'
    if kind == "note":
        return (
            '<p style="margin:16px 0 0;font-size:13px;line-height:20px;color:#6b7280;">'
            f"{_text(block[1])}</p>"
        )
    if kind == "code":
        return (
            '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
            'style="margin:4px 0 20px;"><tbody><tr><td bgcolor="#f1f5f9" '
            'style="background-color:#f1f5f9;border-radius:6px;padding:14px 24px;'
            "font-family:'Courier New',Courier,monospace;font-size:30px;line-height:36px;"
            f'font-weight:bold;letter-spacing:6px;color:#111827;">{_text(block[1])}</td></tr>'
            "</tbody></table>"
        )
    if kind == "button":
        return (
            '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
            f'style="margin:4px 0 20px;"><tbody><tr><td bgcolor="{accent}" '
            f'style="background-color:{accent};border-radius:6px;">'
            f'<a href="{html.escape(block[2])}" target="_blank" style="display:inline-block;'
            "padding:12px 24px;font-size:15px;line-height:20px;font-weight:bold;"
            f'color:#ffffff;text-decoration:none;">{_text(block[1])}</a></td></tr>'
            "</tbody></table>"
        )
    if kind == "rows":
        cell = "padding:8px 0;border-bottom:1px solid #e5e7eb;"
        rows = "".join(
            f'<tr><td style="{cell}color:#6b7280;width:40%;">{_text(label)}</td>'
            f'<td style="{cell}font-weight:bold;text-align:right;">{_text(value)}</td></tr>'
            for label, value in block[1]
        )
        return (
            '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
            f'style="margin:4px 0 20px;border-collapse:collapse;"><tbody>{rows}</tbody></table>'
        )
    raise ValueError(f"unknown block kind {kind!r}")


def _block_text(block: list[Any]) -> str:
    kind = block[0]
    if kind in {"heading", "text", "note"}:
        return str(block[1])
    if kind == "code":
        return f"    {block[1]}"
    if kind == "button":
        return f"{block[1]}: {block[2]}"
    if kind == "rows":
        return "\n".join(f"{label}: {value}" for label, value in block[1])
    raise ValueError(f"unknown block kind {kind!r}")


def _layout() -> str:
    return (resources.files(__package__) / "layout.html").read_text(encoding="utf-8")


def _build(scenario: str, data: dict[str, Any], locale: str, layout: str) -> PublicTemplate:
    part = data[locale]
    accent = data["accent"]
    content = "\n".join(_block_html(block, accent) for block in part["blocks"])
    body = (
        layout.replace("[[preheader]]", _text(part["preheader"]))
        .replace("[[accent]]", accent)
        .replace("[[brand]]", "{{ company }}")
        .replace("[[footer]]", _text(part["footer"]))
        .replace("[[content]]", content)
    )
    text_body = (
        "{{ company }}\n\n"
        + "\n\n".join(_block_text(block) for block in part["blocks"])
        + f"\n\n--\n{part['footer']}\n"
    )
    parameters = require_valid_template(part["subject"], body, BodyType.HTML, text_body)
    return PublicTemplate(
        public_key=f"{scenario}.{locale}",
        locale=locale,
        title=part["title"],
        subject=part["subject"],
        body=body,
        text_body=text_body,
        support_unsubscribe=bool(data["support_unsubscribe"]),
        parameters=parameters,
        samples=dict(part["samples"]),
    )


@lru_cache(maxsize=1)
def load_public_templates() -> tuple[PublicTemplate, ...]:
    """Every built-in template, in scenario-name order, English before Chinese."""
    layout = _layout()
    built: list[PublicTemplate] = []
    files = sorted(
        (entry for entry in resources.files(__package__).iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: entry.name,
    )
    for entry in files:
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        scenario = entry.name.removesuffix(".toml")
        built.extend(_build(scenario, data, locale, layout) for locale in LOCALES)
    return tuple(built)


def public_template(public_key: str) -> PublicTemplate:
    for template in load_public_templates():
        if template.public_key == public_key:
            return template
    raise KeyError(public_key)


def _fields(template: PublicTemplate) -> dict[str, Any]:
    return {
        "locale": template.locale,
        "title": template.title,
        "subject": template.subject,
        "body_type": BodyType.HTML.value,
        "body": template.body,
        "text_body": template.text_body,
        "text_body_edited": False,
        "support_unsubscribe": template.support_unsubscribe,
        "parameters": list(template.parameters),
        "status": TemplateStatus.APPROVED.value,
    }


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int


def _sync_once(context: Context) -> SyncResult:
    now = context.clock.now()
    added = updated = 0
    with context.store.session() as session:
        stored = {
            row.public_key: row
            for row in session.exec(select(Template).where(col(Template.public_key).is_not(None)))
        }
        for template in load_public_templates():
            fields = _fields(template)
            row = stored.get(template.public_key)
            if row is None:
                session.add(
                    Template(
                        public_key=template.public_key, created_at=now, updated_at=now, **fields
                    )
                )
                added += 1
            elif any(getattr(row, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(row, name, value)
                row.updated_at = now
                session.add(row)
                updated += 1
    return SyncResult(added=added, updated=updated)


@requires(Act.ENGINE_RUN)
def sync_public_templates(context: Context) -> SyncResult:
    """Bring the built-ins in the store up to this version of kootui; idempotent.

    Two processes starting at once may both insert; the loser's unique-key error
    is retried once, when it finds the rows the winner wrote.
    """
    try:
        return _sync_once(context)
    except IntegrityError:
        return _sync_once(context)
