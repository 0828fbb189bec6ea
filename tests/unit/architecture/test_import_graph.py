"""The house's import rules, read from the source with ``ast`` (nothing is imported):

- no import cycle between kootui's modules, at module level or inside functions
  (imports under ``if TYPE_CHECKING:`` are types only and do not count);
- a core package's ``__init__`` is its face: code outside the package imports from
  the package, never from one of its modules;
- no test module imports another test module (shared helpers live in tests/support).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _sources(folder: str) -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in (REPO / folder).rglob("*.py")
        if "migrations" not in path.parts and "__snapshots__" not in path.parts
    }


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import the module runs, at any depth."""
    is_package = path.name == "__init__.py"
    stack: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                stack.extend(child.orelse)  # type: ignore[attr-defined]
                continue
            stack.append(child)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield child.lineno, alias.name
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = module.split(".") if is_package else module.split(".")[:-1]
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                yield child.lineno, base
                for alias in child.names:  # `from package import module`
                    yield child.lineno, f"{base}.{alias.name}"


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Who runs whom on import. Importing a.b.c runs the packages a and a.b first, so an
    import is an edge to the module and to every package above it (except the importer's
    own packages, which are running already)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _, imported in _imports(name, path):
            target = _resolve(imported, modules)
            while target:
                if target != name and not name.startswith(target + "."):
                    graph[name].add(target)
                target = _resolve(target.rpartition(".")[0], modules) or ""
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of two or more modules (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_kootui_has_no_import_cycle() -> None:
    assert _cycles(_graph(_sources("kootui"))) == []


def _faces(modules: dict[str, Path]) -> list[str]:
    return sorted(
        name
        for name, path in modules.items()
        if name.startswith("kootui.core.") and path.name == "__init__.py"
    )


def test_outside_code_imports_a_core_package_through_its_face() -> None:
    modules = _sources("kootui")
    faces = _faces(_sources("kootui"))
    assert "kootui.core.dispatch" in faces and "kootui.core.store" in faces
    offences = []
    for name, path in modules.items():
        for line, imported in _imports(name, path):
            owners = [face for face in faces if imported.startswith(face + ".")]
            if not owners:
                continue
            face = max(owners, key=len)  # the innermost package holding the module
            if name == face or name.startswith(face + "."):
                continue
            if _resolve(imported, modules) == imported and imported not in faces:
                offences.append(f"{path.relative_to(REPO)}:{line} imports {imported}")
    assert offences == []


def test_no_test_module_imports_another_test_module() -> None:
    offences = []
    for name, path in _sources("tests").items():
        for line, imported in _imports(name, path):
            if imported.startswith("tests.") and imported.rpartition(".")[2].startswith("test_"):
                offences.append(f"{path.relative_to(REPO)}:{line} imports {imported}")
    assert offences == []
