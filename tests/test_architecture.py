"""The layers of DESIGN.md hold: no import cycle, nothing imports a higher layer, SQL runs
only in dashboard/db.py, streamlit only in the UI.

Imports are read from the source (every ``import`` statement, also those inside
functions), so a lazy import cannot hide a cycle or an arrow back up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dashboard", "queries", "data", "pages")

# Each module may import modules of its own rank or lower (longest prefix wins). The
# order is DESIGN.md's flow: statements -> execution -> statistics/charts -> the registry
# of views -> renderers (exports, CLI, UI) -> the Streamlit entry and its pages.
RANKS = {
    "dashboard": 0,  # the package itself (empty __init__)
    "queries": 0,
    "dashboard.config": 1,
    "dashboard.duckdb_dialect": 1,
    "dashboard.chdb_dialect": 1,
    "dashboard.i18n": 1,
    "dashboard.access": 1,
    "dashboard.auth": 1,
    "dashboard.store_lock": 1,  # the embedded store shared between processes
    "dashboard.db": 2,
    "dashboard.metrics": 3,
    "dashboard.rollup_store": 3,
    "dashboard.audit": 3,
    "dashboard.users": 4,
    "dashboard.charts": 4,
    "dashboard.state": 4,
    "dashboard.ingest": 4,
    "dashboard.service": 4,
    "dashboard.customers": 4,
    "dashboard.followup": 4,
    "dashboard.why": 4,
    "dashboard.text": 4,
    "dashboard.views": 5,
    "data": 5,
    "dashboard.export": 6,
    "dashboard.bench": 6,
    "dashboard.ui": 7,
    "dashboard.cli": 7,
    "dashboard.app": 8,
    "pages": 8,
}
STREAMLIT_ALLOWED = ("dashboard.ui", "dashboard.app", "pages")
SQL_CALLS = {"execute", "exec_driver_sql", "executemany", "raw_connection", "create_all"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(p): p
        for package in PACKAGES
        for p in (ROOT / package).rglob("*.py")
        if "__pycache__" not in p.parts
    }


SOURCES = _sources()


def _resolve(name: str) -> str | None:
    """The project module an imported name refers to (a package's module, or None)."""
    while name:
        if name in SOURCES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> set[str]:
    tree = ast.parse(SOURCES[module].read_text(), filename=str(SOURCES[module]))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from pkg import mod" may name a module of pkg, or a name defined in pkg
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target and target != module:
                found.add(target)
    return found


GRAPH = {module: _imports(module) for module in SOURCES}


def _rank(module: str) -> int:
    prefix = max((p for p in RANKS if module == p or module.startswith(p + ".")), key=len)
    return RANKS[prefix]


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            # A package's __init__ re-exporting its modules is not a cycle with them.
            if node.startswith(target + ".") or target.startswith(node + "."):
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return found


def test_every_module_has_a_layer():
    assert all(any(m == p or m.startswith(p + ".") for p in RANKS) for m in SOURCES)


def test_no_import_cycles():
    assert _cycles() == []


def test_nothing_imports_a_higher_layer():
    upward = [
        f"{module} (layer {_rank(module)}) imports {target} (layer {_rank(target)})"
        for module, targets in sorted(GRAPH.items())
        for target in sorted(targets)
        if _rank(target) > _rank(module)
    ]
    assert upward == []


def _calls(module: str):
    tree = ast.parse(SOURCES[module].read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and receiver.id == "db":
                continue  # db's own helpers (db.execute(conn, statement)) are the way
            yield node.func.attr, node.lineno


@pytest.mark.parametrize("module", sorted(m for m in SOURCES if m != "dashboard.db"))
def test_sql_runs_only_in_db(module):
    offending = [(name, line) for name, line in _calls(module) if name in SQL_CALLS]
    assert offending == [], f"{module} runs SQL itself; give dashboard/db.py a helper"


def test_streamlit_only_in_the_ui():
    outside = [
        module
        for module, path in SOURCES.items()
        if not module.startswith(STREAMLIT_ALLOWED)
        and any(
            (isinstance(n, ast.Import) and any(a.name.startswith("streamlit") for a in n.names))
            or (isinstance(n, ast.ImportFrom) and (n.module or "").startswith("streamlit"))
            for n in ast.walk(ast.parse(path.read_text()))
        )
    ]
    assert outside == []


def test_the_checks_see_a_planted_cycle_and_an_upward_import():
    # The walker must not pass vacuously: the real graph has edges and a fake cycle shows.
    assert sum(len(targets) for targets in GRAPH.values()) > 100
    saved = dict(GRAPH)
    try:
        GRAPH["queries.filters"] = GRAPH["queries.filters"] | {"dashboard.ui.cache"}
        assert _cycles() != []
        assert _rank("dashboard.ui.cache") > _rank("queries.filters")
    finally:
        GRAPH.clear()
        GRAPH.update(saved)
