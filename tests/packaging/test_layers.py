"""No package cycles: the import graph between the packages is a DAG, in the documented layers.

Layers (docs/architecture.md), lowest first:
    core, prompts < scenarios < agents < evals < graphs < shell (`treatylab` itself).
Every import counts, also those inside functions (a lazy import is still a dependency);
only `if TYPE_CHECKING:` blocks are left out, as they never run.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"agents": "agents", "graphs": "graphs", "scenarios": "scenarios", "evals": "evals",
           "prompts": "prompts", "shell": "treatylab"}
LAYERS = ["core", "prompts", "scenarios", "agents", "evals", "graphs", "shell"]
RANK = {"core": 0, "prompts": 0, "scenarios": 1, "agents": 2, "evals": 3, "graphs": 4, "shell": 5}


def package_of(module: str) -> str | None:
    """Which of the layered packages a `treatylab...` module belongs to."""
    parts = module.split(".")
    if parts[0] != "treatylab":
        return None
    if len(parts) == 1:
        return "shell"
    if parts[1] == "core":
        return "core"
    return parts[1] if parts[1] in FOLDERS and parts[1] != "shell" else "shell"


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _type_checking_lines(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from treatylab import prompts` imports the subpackage, not the shell
            found += [(node.lineno, f"{node.module}.{alias.name}") if node.module == "treatylab"
                      else (node.lineno, node.module) for alias in node.names]
    return found


def import_graph() -> dict[tuple[str, str], list[str]]:
    """(from package, to package) -> 'file:line: module' for every cross-package import."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, folder in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT)
            source = "core" if rel.parts[:2] == ("treatylab", "core") else name
            for line, module in imported_modules(path):
                target = package_of(module)
                if target is not None and target != source:
                    edges[(source, target)].append(f"{rel}:{line}: {module}")
    return dict(edges)


def find_cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_finder_sees_a_cycle() -> None:
    assert find_cycle({("a", "b"), ("b", "c"), ("c", "a")}) == ["a", "b", "c", "a"]
    assert find_cycle({("a", "b"), ("a", "c"), ("b", "c")}) is None


def test_the_graph_is_read_from_the_source() -> None:
    edges = import_graph()
    assert ("graphs", "agents") in edges and ("shell", "graphs") in edges
    assert ("agents", "core") in edges and ("evals", "scenarios") in edges


def test_no_package_cycles() -> None:
    edges = import_graph()
    cycle = find_cycle(set(edges))
    detail = [] if cycle is None else [hit for a, b in zip(cycle, cycle[1:]) for hit in edges[(a, b)]]
    assert cycle is None, f"package cycle {' -> '.join(cycle or [])}:\n" + "\n".join(detail)


def test_imports_go_down_the_layers() -> None:
    upward = [hit for (a, b), hits in import_graph().items() if RANK[b] > RANK[a] for hit in hits]
    assert upward == []
