"""The package's layers: its modules import one another as a tree, never in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import bpclass

PACKAGE = Path(bpclass.__file__).parent


def _imports(path: Path) -> set[str]:
    """The bpclass modules a module imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("bpclass.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bpclass"):
            if node.module == "bpclass":  # from bpclass import features (a module), or __version__
                found |= {f"bpclass.{a.name}" for a in node.names if (PACKAGE / f"{a.name}.py").exists()}
            else:
                found.add(node.module)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {f"bpclass.{p.stem}": p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return {name: _imports(path) & set(modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle of imports, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name):
        state[name] = 1
        path.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                return path[path.index(other) :] + [other]
            if other not in state and (found := visit(other)):
                return found
        path.pop()
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_modules_import_one_another_without_circles():
    graph = _graph()
    assert {"bpclass.model", "bpclass.modelfile", "bpclass.passes", "bpclass.corpus"} <= set(graph)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_circle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_layers_point_down():
    graph = _graph()
    # The model knows nothing of the CLI or of corpus mode; the features know no model.
    assert not graph["bpclass.model"] & {"bpclass.cli", "bpclass.corpus", "bpclass.records"}
    assert not graph["bpclass.features"] & {"bpclass.model", "bpclass.passes", "bpclass.estimator"}
    assert graph["bpclass.patterns"] == set()
