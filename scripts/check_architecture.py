"""Check what the layer contracts (lint-imports) do not: no import cycle between votesys
modules, no votesys import inside a function without a comment saying why it cannot be at
the top, and no module over 400 lines but those still to be split (which may not grow).
Run by scripts/test after lint-imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "votesys"
MAX_LINES = 400
# Modules still to be split by job, with their length then: each may shrink, none may grow.
# (None today: keep it so.)
STILL_TO_SPLIT: dict[str, int] = {}


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), in the graph of
    every import, at the top or inside a function."""
    graph = grimp.build_graph("votesys", cache_dir=None)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def unexplained_inner_imports() -> list[str]:
    """A votesys import inside a function needs a comment on one of the lines just above
    its import block (or on its own line) saying why."""
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for stmt in ast.walk(node):
                if not isinstance(stmt, ast.Import | ast.ImportFrom):
                    continue
                names = (
                    [stmt.module or ""]
                    if isinstance(stmt, ast.ImportFrom)
                    else [a.name for a in stmt.names]
                )
                if not any(n == "votesys" or n.startswith("votesys.") for n in names):
                    continue
                first = stmt.lineno - 1
                while first > 0 and lines[first - 1].lstrip().startswith(("from ", "import ")):
                    first -= 1
                context = lines[max(first - 1, 0) : stmt.lineno]
                if not any("#" in line for line in context):
                    problems.append(
                        f"{path.relative_to(ROOT)}:{stmt.lineno}: {lines[first].strip()}"
                    )
    return problems


def oversized() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = str(path.relative_to(ROOT))
        n = len(path.read_text(encoding="utf-8").splitlines())
        allowed = STILL_TO_SPLIT.get(name, MAX_LINES)
        if n > allowed:
            problems.append(f"{name}: {n} lines (at most {allowed})")
    return problems


def main() -> int:
    problems = [f"import cycle: {' -> '.join(c)}" for c in cycles()]
    problems += [
        f"import inside a function with no comment why: {p}" for p in unexplained_inner_imports()
    ]
    problems += [f"module too long: {p}" for p in oversized()]
    for line in problems:
        print(line)
    left = ", ".join(k.removeprefix("votesys/") for k in STILL_TO_SPLIT) or "none"
    print(f"{len(problems)} architecture problem(s); modules still to split: {left}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
