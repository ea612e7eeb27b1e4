"""The UI is a client of the HTTP API: it shares the wire format (contract/) and the settings
tree (core/settings.py), never the server's code (tests/test_imports.py checks the first-party
graph), and neither it nor the contract loads the server's third-party world."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _names(folder: str) -> dict[str, set[str]]:
    """Per file of `folder`: the top-level package of every import, and "sys.path" where the
    file touches sys.path."""
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).glob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                names |= {"sys.path"} if (node.value.id, node.attr) == ("sys", "path") else set()
        out[path.name] = names
    return out


def test_the_ui_leaves_sys_path_alone() -> None:
    files = _names("ui")
    assert "app.py" in files and "client.py" in files
    assert {name for name, found in files.items() if "sys.path" in found} == set()


def test_the_contract_needs_only_pydantic() -> None:
    allowed = {"__future__", "collections", "contract", "enum", "typing", "pydantic"}
    assert {name: found - allowed for name, found in _names("contract").items()} == {
        name: set() for name in _names("contract")
    }


def test_the_clients_load_without_the_server() -> None:
    code = (
        "import sys, contract.ask, contract.documents, contract.ops, ui.client, "
        "ui.documents_client\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(loaded & {'fastapi', 'starlette', 'service', 'ingest', 'torch', 'faiss'}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
