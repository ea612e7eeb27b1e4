"""Run comparison on two hand-made sets of rows with known changes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eval.compare import compare_rows, render_compare, run_compare
from eval.rows import write_rows
from tests.conftest import ROOT


def _row(id: str, kind: str = "specific", **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": id, "question": f"{id}？", "kind": kind, "rank": 1}
    base.update(refused=False, points_hit=[], points_missed=[], unsupported=[])
    return base | kw


def _u(text: str) -> dict[str, Any]:
    return {"text": text, "cites": [1], "p": 0.1}


A = [
    _row("same"),
    _row("rank", rank=2),
    _row("lost", points_hit=["甲", "乙"]),
    _row("refuse"),
    _row("u-answered", kind="unanswerable", rank=None, refused=True),
    _row("fixed", unsupported=[_u("错话。")], points_hit=["甲"], points_missed=["乙"]),
    _row("mixed", rank=3, points_hit=["甲"], points_missed=["乙"]),
    _row("gone"),
]
B = [
    _row("same"),
    _row("rank", rank=None),  # fell out of the top k
    _row("lost", points_hit=["甲"], points_missed=["乙"], unsupported=[_u("新错话。")]),
    _row("refuse", refused=True, refusal_reason="no_evidence"),
    _row("u-answered", kind="unanswerable", rank=None, refused=False, unsupported=[_u("编的。")]),
    _row("fixed", points_hit=["甲", "乙"]),
    _row("mixed", rank=1, points_hit=["乙"], points_missed=["甲"]),
    _row("new"),
]


def test_changes_are_found_and_regressions_come_first() -> None:
    cmp = compare_rows(A, B)
    assert cmp["n_compared"] == 7 and cmp["only_a"] == ["gone"] and cmp["only_b"] == ["new"]
    by = {c["id"]: c for c in cmp["changes"]}
    assert "same" not in by and cmp["unchanged"] == 1
    assert by["rank"]["worse"] == ["rank 2 → miss"] and by["rank"]["better"] == []
    assert by["lost"]["worse"] == ["lost point: 乙", "new unsupported: 新错话。"]
    assert by["refuse"]["worse"] == ["newly refused (no_evidence)"]
    assert by["u-answered"]["worse"] == ["now answered", "new unsupported: 编的。"]
    assert by["fixed"]["worse"] == []
    assert by["fixed"]["better"] == ["gained point: 乙", "unsupported gone: 错话。"]
    assert by["mixed"]["worse"] == ["lost point: 甲"]
    assert by["mixed"]["better"] == ["rank 3 → 1", "gained point: 乙"]
    order = [c["id"] for c in cmp["changes"]]
    # most regressions first; mixed after pure regressions with as many; improvements last
    assert order == ["lost", "u-answered", "rank", "refuse", "mixed", "fixed"]
    assert (cmp["regressed"], cmp["improved"]) == (5, 1)
    assert cmp["counts"] == {
        "rank_worse": 1, "rank_better": 1, "refusal_worse": 2, "refusal_better": 0,
        "points_lost": 2, "points_gained": 2, "unsupported_new": 2, "unsupported_gone": 1,
    }  # fmt: skip


def test_unjudged_rows_compare_on_rank_and_refusal_only() -> None:
    a = [_row("q", points_hit=None, points_missed=None, unsupported=None)]
    b = [_row("q", rank=4, points_hit=None, points_missed=None, unsupported=None)]
    cmp = compare_rows(a, b)
    assert cmp["changes"][0]["worse"] == ["rank 1 → 4"]
    # unanswerable refused → refused, and a rank that only unanswerables lack: no change
    u = [_row("u", kind="unanswerable", rank=None, refused=True)]
    assert compare_rows(u, u)["changes"] == []


def test_markdown_lists_only_changed_questions() -> None:
    md = render_compare(Path("a"), Path("b"), compare_rows(A, B))
    assert md.startswith("# Comparison: `a` (A) → `b` (B)")
    assert "7 questions compared: 5 regressed, 1 improved only, 1 unchanged" in md
    assert "Only in A: gone." in md and "Only in B: new." in md
    table = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert [line.split(" | ")[0] for line in table[1:]] == [
        "| lost", "| u-answered", "| rank", "| refuse", "| mixed", "| fixed"
    ]  # fmt: skip
    assert "| r1 answered pts 2/2 unsup 0 | r1 answered pts 1/2 unsup 1 |" in md
    assert "No question changed." in render_compare(Path("a"), Path("a"), compare_rows(A, A))


def test_compare_cli_writes_markdown_and_prints_regressions(tmp_path: Path) -> None:
    for name, rows in (("a", A), ("b", B)):
        (tmp_path / name).mkdir()
        write_rows(tmp_path / name / "rows.jsonl", rows)
    out = tmp_path / "cmp"
    cmd = [sys.executable, "-m", "eval.run", "--compare", str(tmp_path / "a"), str(tmp_path / "b")]
    proc = subprocess.run(
        [*cmd, "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stdout.splitlines()[0] == "lost (specific): lost point: 乙; new unsupported: 新错话。"
    )
    assert "7 questions compared: 5 regressed" in proc.stdout
    assert (out / "compare.md").is_file()
    assert json.loads((out / "compare.json").read_text(encoding="utf-8"))["regressed"] == 5
    # a directory without rows is an error with a message, not a traceback
    with pytest.raises(ValueError, match="no rows"):
        run_compare(tmp_path / "a", tmp_path / "nothing", out)
