"""The explain for a user (or a principal a face already holds): which statement of which
policy decides an action on a resource, or that none allows it (default deny)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kootui.core.access.actions import ACTIONS, Act
from kootui.core.access.decide import Decision, evaluate
from kootui.core.access.documents import Face
from kootui.core.access.guard import requires
from kootui.core.access.principal import Principal
from kootui.core.access.signin import principal_of_user
from kootui.core.access.users import find_user_row
from kootui.core.errors import ValidationError

if TYPE_CHECKING:
    from kootui.core.context import Context


def action_named(text: str) -> str:
    """The table's spelling of an action typed in any case (``kooMessage:domain:update``)."""
    wanted = text.strip().lower()
    for name in ACTIONS:
        if name.lower() == wanted:
            return name
    raise ValidationError(
        f"{text.strip()!r} is not an action; `kootui iam actions` lists them",
        field="action",
        code="access.unknown_action",
    )


def explain_principal(
    principal: Principal,
    action: str,
    resource: str = "",
    face: Face | None = None,
    address: str = "",
) -> Decision:
    """The decision for a principal a face holds (the signed-in user, a checked key)."""
    asking = principal.at(face, address) if face is not None else principal
    return evaluate(asking, action_named(action), resource.strip())


@requires(Act.USER_READ, resource=lambda a: f"user/{a['name']}")
def explain_user(
    context: Context,
    name: str,
    action: str,
    resource: str = "",
    *,
    face: Face | None = None,
    address: str = "",
) -> Decision:
    """Which statement decides ``action`` on ``resource`` for the user ``name`` as their
    policies are now, asked from ``face`` and ``address`` (conditions need them)."""
    with context.store.session() as session:
        principal = principal_of_user(session, find_user_row(session, name))
    return explain_principal(principal, action, resource, face, address)
