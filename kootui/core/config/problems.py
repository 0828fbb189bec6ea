"""Turning what is wrong with the configured values into one SettingsError line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, get_args, get_origin

from pydantic import SecretStr
from pydantic import ValidationError as PydanticValidationError

from kootui.core.config.models import SECTIONS
from kootui.core.errors import SettingsError

_RANGE_ERRORS = {
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "finite_number",
}


def refuse_unknown_keys(values: Mapping[str, Any], origins: Mapping[str, str]) -> None:
    """An unknown section or key is an error, so a typo never falls back to a default."""
    for section, table in values.items():
        if section not in SECTIONS:
            raise SettingsError(
                f"unknown section; known: {', '.join(sorted(SECTIONS))} "
                f"({_source(origins, section)})",
                code="settings.unknown_key",
                field=f"[{section}]",
            )
        if not isinstance(table, Mapping):
            raise SettingsError(
                f"must be a table ({_source(origins, section)})",
                code="settings.bad_value",
                field=section,
            )
        fields = SECTIONS[section].model_fields
        for key in table:
            if key not in fields:
                known = ", ".join(f"{section}.{name}" for name in fields)
                raise SettingsError(
                    f"unknown key; known: {known} ({_source(origins, f'{section}.{key}')})",
                    code="settings.unknown_key",
                    field=f"{section}.{key}",
                )


def settings_error(error: PydanticValidationError, origins: Mapping[str, str]) -> SettingsError:
    """The first problem pydantic found, naming the key and where its value came from."""
    problem = error.errors(include_url=False)[0]
    location = [str(part) for part in problem["loc"]]
    section, key = [*location, "", ""][:2]
    name = f"{section}.{key}" if key else section
    reason = _reason(problem["msg"])
    model = SECTIONS.get(section)
    field = model.model_fields.get(key) if model is not None else None
    metadata = list(field.metadata) if field is not None else []
    item = ""
    if len(location) > 2 and location[2].isdigit() and field is not None:
        item = f" (item {int(location[2]) + 1})"
        metadata = _item_metadata(field.annotation)
    if problem["type"] in _RANGE_ERRORS and field is not None:
        allowed = _allowed_range(metadata)
        if allowed:
            reason = f"must be {allowed}"
        if field.annotation is not SecretStr and len(repr(problem["input"])) <= 40:
            reason += f", not {problem['input']!r}"
    reason += item
    return SettingsError(
        f"{reason} ({_source(origins, name)})", code="settings.bad_value", field=name
    )


def _reason(message: str) -> str:
    message = message.removeprefix("Value error, ")
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
    return message


def _item_metadata(annotation: Any) -> list[Any]:
    """The constraints on each item of a ``tuple[Annotated[float, Field(...)], ...]``."""
    args = get_args(annotation)
    if get_origin(annotation) is tuple and args and get_origin(args[0]) is Annotated:
        return [rule for info in get_args(args[0])[1:] for rule in getattr(info, "metadata", [])]
    return []


def _allowed_range(metadata: list[Any]) -> str:
    """'above 0, at most 3600' or '1 to 65535' from the field's pydantic constraints
    (annotated_types' Gt, Ge, Lt and Le, read by their one attribute)."""
    bounds = {
        name: getattr(rule, name)
        for rule in metadata
        for name in ("gt", "ge", "lt", "le")
        if isinstance(getattr(rule, name, None), int | float)
    }
    low = f"above {bounds['gt']:g}" if "gt" in bounds else ""
    low = f"{bounds['ge']:g}" if "ge" in bounds else low
    high = f"below {bounds['lt']:g}" if "lt" in bounds else ""
    high = f"{bounds['le']:g}" if "le" in bounds else high
    if low and high:
        return f"{low} to {high}" if "ge" in bounds else f"{low}, at most {high}"
    return low or high


def _source(origins: Mapping[str, str], name: str) -> str:
    if name in origins:
        return origins[name]
    section = name.partition(".")[0]
    return origins.get(section, "the defaults")
