"""The package's layers, as the folder names say: imports point down only, and nothing cycles.

core → content → site / print → build → commands. Every import counts, function-local and
TYPE_CHECKING ones too: a late import hides a cycle from Python, not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "xindelu"
LAYERS = {"core": 0, "content": 1, "site": 2, "print": 2, "build": 3, "commands": 4}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """Every module of the package that ``path`` imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("xindelu."):
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(path, name, known) for name, path in found.items()}


def layer(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_the_package_is_layers_with_few_modules_on_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= 4, top
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert set(LAYERS) <= folders


def test_imports_only_point_down() -> None:
    upward = []
    for name, targets in graph().items():
        for target in targets:
            here, there = layer(name), layer(target)
            if here is None or there is None:
                continue
            if LAYERS[there] > LAYERS[here] or (LAYERS[there] == LAYERS[here] and here != there):
                upward.append(f"{name} → {target}")
    assert upward == []


def test_no_import_cycle() -> None:
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the stack, 2: done

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert cycles == []


def test_the_checker_sees_a_cycle_and_an_upward_import(tmp_path: Path) -> None:
    """The walk above finds what it looks for: a late import that closes a cycle counts."""
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from xindelu.build import pipeline\n", "utf-8")
    assert "xindelu.build.pipeline" in imports_of(a, "xindelu.site.a", {"xindelu.build.pipeline", "xindelu.build"})
    b = tmp_path / "b.py"
    b.write_text("from . import memo\nfrom ..core.errors import ContentError\n", "utf-8")
    assert imports_of(b, "xindelu.build.b", {"xindelu.build.memo", "xindelu.core.errors"}) == {
        "xindelu.build.memo",
        "xindelu.core.errors",
    }
