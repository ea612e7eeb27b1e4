"""The first-party import graph, read from the source with ast: no cycles (imports inside
functions count too: a late import that dodges a cycle is still one; names imported only for
the type checker do not), the UI never reaches into the server, and eval uses no other
package's private names."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("contract", "core", "ingest", "service", "eval", "ui")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imported(node: ast.AST, here: str, is_pkg: bool, known: set[str]) -> Iterator[str]:
    """First-party modules an import statement loads; `from pkg import mod` counts as pkg.mod
    when that is a module, else as pkg. A package's own __init__ is not an edge (Python runs
    it first, which is no cycle of ours)."""
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names if a.name in known)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = here.split(".")
            anchor = anchor[: len(anchor) - node.level + (1 if is_pkg else 0)]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            full = f"{base}.{alias.name}"
            if full in known:
                yield full
            elif base in known:
                yield base


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:` (names for the type checker only)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                todo.extend(child.orelse)
                continue
            todo.append(child)


def graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    edges: dict[str, set[str]] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        targets = set()
        for node in _runtime_nodes(tree):
            targets.update(_imported(node, name, is_pkg, known))
        # importing one's own package (or a parent) is Python running its __init__ first
        edges[name] = {t for t in targets if t != name and not name.startswith(t + ".")}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read_from_the_real_tree() -> None:
    edges = graph()
    # a few edges every reader of the code would name: the reader must see them
    assert "service.wiring" in edges["service.app"]
    assert "service.context" in edges["service.security"]
    assert "service.context" in edges["service.error_handlers"]
    assert "core.settings" in edges["eval.run"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    late = ast.parse("def f():\n    import service.app\nif TYPE_CHECKING:\n    import core.x\n")
    seen = {n.names[0].name for n in _runtime_nodes(late) if isinstance(n, ast.Import)}
    assert seen == {"service.app"}


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_ui_imports_nothing_from_the_service() -> None:
    edges = graph()
    leaks = {
        m: sorted(t for t in ts if t.startswith(("service", "ingest", "eval")))
        for m, ts in edges.items()
        if m.startswith("ui")
    }
    assert {m: ts for m, ts in leaks.items() if ts} == {}


def test_eval_imports_no_private_name_from_another_package() -> None:
    private = []
    for name, path in _modules().items():
        if not name.startswith("eval"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] == "eval":
                    continue
                private += [
                    f"{name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")
                ]
    assert private == []


def test_the_pipeline_knows_no_http() -> None:
    """The pipeline and its typed stages and events render nothing: no web framework, no
    error bodies, no SSE; the API layer turns them into HTTP."""
    edge = {"service.app", "service.error_handlers", "service.streaming", "service.openai_api"}
    for name in ("service.pipeline", "service.respond", "service.events", "service.observer"):
        path = ROOT / (name.replace(".", "/") + ".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        third_party = {
            a.name.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import)
            for a in n.names
        } | {
            n.module.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module and n.level == 0
        }
        assert not third_party & {"fastapi", "starlette"}, name
        assert not graph()[name] & edge, name
