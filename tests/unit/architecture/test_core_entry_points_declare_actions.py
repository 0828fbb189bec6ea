"""Access control has one check, in one place: every public function of every core face
that takes a Context declares its action with ``@requires`` (``kootui.core.access``), so a
new entry point cannot be reached by a principal without being checked."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import kootui.core
from kootui.core.access import ACTIONS, declared_action
from kootui.core.context import Context

# The check itself: a face calls it to decide before it has a core call to make.
THE_CHECK = {"kootui.core.access.check_access"}


def _core_faces() -> list[str]:
    return sorted(
        f"kootui.core.{module.name}" for module in pkgutil.iter_modules(kootui.core.__path__)
    )


def _takes_context(function: object) -> bool:
    try:
        parameters = inspect.signature(inspect.unwrap(function)).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    for parameter in parameters.values():
        annotation = parameter.annotation
        if annotation is Context or annotation in ("Context", "kootui.core.context.Context"):
            return True
    return False


def _entry_points() -> dict[str, object]:
    found: dict[str, object] = {}
    for face_name in _core_faces():
        face = importlib.import_module(face_name)
        names = getattr(face, "__all__", None) or [n for n in vars(face) if not n.startswith("_")]
        for name in names:
            value = getattr(face, name, None)
            qualified = f"{face_name}.{name}"
            if inspect.isfunction(value) and _takes_context(value) and qualified not in THE_CHECK:
                found[qualified] = value
    return found


def test_every_core_entry_point_that_takes_a_context_declares_its_action() -> None:
    entry_points = _entry_points()
    assert len(entry_points) > 100  # the walk finds the faces' functions
    missing = sorted(
        name for name, function in entry_points.items() if not declared_action(function)
    )
    assert not missing, f"declare an action with @requires(Act....) on: {missing}"
    unknown = {
        name: declared_action(function)
        for name, function in entry_points.items()
        if declared_action(function) not in ACTIONS
    }
    assert not unknown, f"these declare an action missing from actions.ACTIONS: {unknown}"


def test_the_walk_would_name_a_function_without_an_action() -> None:
    def undeclared(context: Context) -> None:
        return None

    assert _takes_context(undeclared)
    assert declared_action(undeclared) is None


def test_read_only_entry_points_declare_read_actions() -> None:
    for name, function in _entry_points().items():
        short = name.rsplit(".", 1)[1]
        if short.startswith(("list_", "get_", "find_", "query_")):
            action = declared_action(function)
            assert action is not None and ACTIONS[action].kind.value in ("read", "busy"), name
