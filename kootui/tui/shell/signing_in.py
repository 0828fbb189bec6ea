"""Who this console acts as: the owner (sign-in off), or the user who signed in.

The checks are the core's (``kootui.core.access``): whether sign-in is on, the password
and the lockout, the idle time. These run on worker threads and load the access core
when first called, never while the console draws its first frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kootui.core.errors import InvalidState

if TYPE_CHECKING:
    from kootui.core.access import Principal
    from kootui.core.context import Context

SIGN_IN_OFF = (
    "sign-in is off for this workspace: an administrator turns it on with `kootui iam enable`"
)


@dataclass(frozen=True)
class SignInFace:
    """Where this console runs: the terminal, or a browser through ``kootui web``
    (``required``: it signs in even if the store says sign-in is off, and refuses)."""

    face: str = "console"
    address: str = ""
    required: bool = False


@dataclass(frozen=True)
class SignInState:
    """Read from the store once it is open: whether to sign in, and the idle time."""

    on: bool
    idle_minutes: int


def sign_in_state(context: Context) -> SignInState:
    from kootui.core.access import iam_enabled, idle_sign_out_minutes

    if not iam_enabled(context):
        return SignInState(False, 0)
    return SignInState(True, idle_sign_out_minutes(context))


def signer(context: Context, face: SignInFace) -> Callable[[str, str], Principal]:
    """What the sign-in screen calls (on a thread) with the name and password typed."""

    def sign_in(name: str, password: str) -> Principal:
        from kootui.core.access import Face, authenticate, iam_enabled

        if not iam_enabled(context):
            raise InvalidState(SIGN_IN_OFF, code="signin.off")
        return authenticate(context, name, password, Face(face.face), face.address)

    return sign_in


def resumer(
    context: Context, face: SignInFace, signed_in: Principal
) -> Callable[[str, str], Principal]:
    """After the idle sign-out: only the same user resumes the console they left."""
    sign_in = signer(context, face)

    def resume(name: str, password: str) -> Principal:
        return sign_in(signed_in.name, password)

    return resume
