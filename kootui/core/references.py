"""What a person types to name a thing on the command line: its ID, or its name.

Scripts hold IDs; people remember names (`--sender news@mail.acme.com`, `--template
"Order shipped"`). A reference of digits only is an ID; anything else is the thing's
exact name, compared without regard to case. A name two things share is refused with
their IDs, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from kootui.core.errors import NotFound, ValidationError

Found = TypeVar("Found")


def resolve_reference(
    reference: str,
    *,
    by_id: Callable[[int], Found],
    by_name: Callable[[str], Sequence[tuple[int, Found]]],
    what: str,
    field: str,
    listing: str,
) -> Found:
    """``by_id(n)`` for digits, else the one ``(id, thing)`` ``by_name`` finds.

    ``what`` names the kind ("sender address"), ``field`` the input, ``listing`` the
    command that lists them (said when nothing matches)."""
    text = reference.strip()
    if not text:
        raise ValidationError(f"name a {what} by its ID or its name", field=field)
    if text.isdigit():
        return by_id(int(text))
    found = by_name(text)
    if not found:
        raise NotFound(
            f"there is no {what} {text!r}; `{listing}` lists them with their IDs",
            field=field,
            code=f"{field}.not_found",
        )
    if len(found) > 1:
        ids = ", ".join(str(found_id) for found_id, _ in found)
        raise ValidationError(
            f"{len(found)} {what}s are named {text!r} (IDs {ids}); name one by its ID",
            field=field,
            code=f"{field}.ambiguous",
        )
    return found[0][1]
