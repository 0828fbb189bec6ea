"""The one check: ``@requires(action)`` on every core entry point that takes a Context.

The decorated function's Context carries the principal; the guard evaluates it before the
call, raises ``AccessDenied`` (code ``access.denied``, 403) with the explanation when
refused, and writes the audit log: every refusal, every allowed write (the owner's only
when it changes access: see ``actions``). Only the outermost
checked call is checked: one entry point calling another (task creation reading its
template) is one action, the one the face asked for. The owner's reads cost one
attribute test; no face checks a permission itself. A coroutine function (the domain-check
loop) is checked when it is called; the calls it makes are then checked on their own."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from kootui.core.access.actions import Act, action_spec
from kootui.core.access.audit_write import write_audit
from kootui.core.access.decide import Decision, evaluate
from kootui.core.access.principal import PrincipalKind
from kootui.core.errors import AccessDenied

if TYPE_CHECKING:
    from kootui.core.context import Context

P = ParamSpec("P")
R = TypeVar("R")
ACTION_ATTRIBUTE = "__kootui_action__"
ResourceOf = Callable[[Mapping[str, Any]], str]

_inside_checked_call: ContextVar[bool] = ContextVar("kootui_inside_checked_call", default=False)


def check_access(context: Context, action: Act | str, resource: str = "") -> Decision:
    """Evaluate the context's principal for one action; refuse (audited) or return the
    allowing decision. For a face that must decide before it has a core call to make
    (an SMTP session refusing at MAIL FROM), and for the guard itself."""
    principal = context.principal
    decision = evaluate(principal, str(action), resource)
    if not decision.allowed:
        write_audit(context, principal, decision)
        raise AccessDenied(decision.explanation, action=str(action))
    return decision


def _context_of(args: tuple[Any, ...], kwargs: Mapping[str, Any], position: int) -> Context:
    context: Context = kwargs["context"] if "context" in kwargs else args[position]
    return context


def requires(
    action: Act, *, resource: ResourceOf | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare (and enforce) the action of a core entry point. ``resource`` builds the
    resource name (``domain/example.com``) from the call's arguments by parameter name."""
    spec = action_spec(action)

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)
        names = list(signature.parameters)
        # The Context is the parameter named "context", wherever it stands (a helper that
        # takes the caller's session first), else the first.
        position = names.index("context") if "context" in names else 0

        def resource_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
            if resource is None:
                return ""
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            return resource(bound.arguments)

        @functools.wraps(function)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            if _inside_checked_call.get():
                return function(*args, **kwargs)
            context = _context_of(args, kwargs, position)
            principal = context.principal
            audited = spec.audited_when_allowed and (
                principal.kind is not PrincipalKind.OWNER or spec.guards_access
            )
            decision = None
            if not principal.unrestricted or audited:
                decision = check_access(context, action, resource_of(args, kwargs))
            token = _inside_checked_call.set(True)
            try:
                result = function(*args, **kwargs)
            finally:
                _inside_checked_call.reset(token)
            if audited and decision is not None:
                write_audit(context, principal, decision)
            return result

        setattr(checked, ACTION_ATTRIBUTE, spec.name)
        return checked

    return decorate


def declared_action(function: object) -> str | None:
    """The action a core entry point declared with ``@requires``, if any."""
    action = getattr(function, ACTION_ATTRIBUTE, None)
    return action if isinstance(action, str) else None
