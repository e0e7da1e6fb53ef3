"""The package's layout holds: imports point down the layers, packages import each other in no cycle,
modules stay small, and no two modules share a name that invites confusion.

docs/architecture.md draws the layers; :data:`LAYERS` is that drawing, checked.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "kei_crawler"

# Lowest first. A module may import from its own layer or a lower one, never a higher one; within a layer,
# the packages' imports form no cycle.
LAYERS: list[set[str]] = [
    {"text", "urls", "replica", "__init__"},
    {"items"},
    {"pages", "storage"},
    {"config"},
    {"run"},
    {
        "spiders",
        "pipelines",
        "middlewares",
        "extensions",
        "settings",
        "setting_checks",
        "squeues",
        "logformatter",
    },
    {"jobs", "monitor", "evaluation", "report"},
    {"commands"},
    {"__main__"},
]
MAX_LINES = 300


def _unit(module: str) -> str:
    """The package (or top-level module) ``kei_crawler.<unit>…`` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every kei_crawler module ``path`` imports, at any depth (function-level imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("kei_crawler"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kei_crawler"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    modules = _modules()
    own = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
    return {name for name in found if name in modules and name != own}


MODULES = _modules()
GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _layer(unit: str) -> int:
    for number, layer in enumerate(LAYERS):
        if unit in layer:
            return number
    raise AssertionError(f"kei_crawler.{unit} is in no layer of LAYERS: add it where it belongs")


def test_every_package_has_a_layer() -> None:
    for name in MODULES:
        _layer(_unit(name))


def test_no_import_points_up_a_layer() -> None:
    upward = [
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        for target in targets
        if _layer(_unit(target)) > _layer(_unit(name))
    ]
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_packages_import_each_other_in_no_cycle() -> None:
    packages: dict[str, set[str]] = defaultdict(set)
    for name, targets in GRAPH.items():
        for target in targets:
            if _unit(target) != _unit(name):
                packages[_unit(name)].add(_unit(target))
    assert _cycles(packages) == []


def test_modules_import_each_other_in_no_cycle() -> None:
    # A package's __init__ re-exporting its modules is not a cycle with them.
    graph = {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in GRAPH.items()}
    assert _cycles(graph) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by what it holds"


def test_no_two_modules_share_a_name() -> None:
    """``normalize``, ``reader`` and ``listing`` each existed twice; a name says where a thing is. A
    command's module is named for its command (``commands/diff.py`` is ``kei-crawler diff``)."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for name, path in MODULES.items():
        leaf = name.rsplit(".", 1)[-1]
        if path.name not in ("__init__.py", "__main__.py") and not name.startswith("kei_crawler.commands."):
            by_name[leaf].append(name)
    assert {leaf: names for leaf, names in by_name.items() if len(names) > 1} == {}
