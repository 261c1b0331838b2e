"""The package's shape: layers visible in the layout, no import cycle, small modules and functions.

The layer direction itself is import-linter's contract (``pyproject.toml``, run by ``make test``);
here: no cycle among modules (imports inside functions count, as grimp reads every import
statement), no function over 120 lines and no module over 800 (docs/architecture.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "replication"
LAYERS = ("engine", "record", "data", "analyses", "audit", "compare", "report", "pipeline", "cli")
MAX_FUNCTION_LINES = 120
MAX_MODULE_LINES = 800


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_layers_are_subpackages():
    for layer in LAYERS:
        assert (PACKAGE / layer / "__init__.py").is_file() or (PACKAGE / f"{layer}.py").is_file(), layer


def test_no_import_cycle():
    graph = grimp.build_graph("replication")
    g = nx.DiGraph()
    for module in graph.modules:
        g.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            g.add_edge(module, imported)
    cycles = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_and_function_sizes(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name}: over {MAX_MODULE_LINES} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


def test_engine_imports_nothing_else_of_the_package():
    graph = grimp.build_graph("replication")
    outside = {imported for module in graph.find_descendants("replication.engine") | {"replication.engine"}
               for imported in graph.find_modules_directly_imported_by(module)
               if imported.startswith("replication.") and not imported.startswith("replication.engine")}
    assert not outside, f"the engine imports {sorted(outside)}"
