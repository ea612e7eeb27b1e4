"""`python -m eval.run` with answers, end to end on a tiny real index (extractive, no judge)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from eval.dataset import EvalItem
from eval.run import pick_items
from tests.conftest import ROOT
from tests.eval.tiny_run import run_tiny


def test_limit_takes_evenly_spaced_items() -> None:
    items = [EvalItem(id=str(i), question="q", kind="specific") for i in range(10)]
    assert pick_items(items, None) == (items, None)
    assert pick_items(items, 20) == (items, None)
    picked, stride = pick_items(items, 4)
    assert [i.id for i in picked] == ["0", "2", "5", "7"] and stride == 2.5


def test_eval_run_answers_cli(small_corpus: Path, tmp_path: Path) -> None:
    run = run_tiny(small_corpus, tmp_path, "--generator", "extractive", "--judge", "none")
    proc, out, cmd, env = run.proc, run.out, run.cmd, run.env
    assert proc.returncode == 0, proc.stderr
    assert "| all | 3 | 0 |" in proc.stdout

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {"retrieval", "answers", "settings", "manifest", "run"} <= set(report)
    ans = report["answers"]
    assert ans["n"] == 3 and ans["errors"] == 0
    assert ans["refusal_rate_unanswerable"] == 1.0  # 红烧肉 is refused
    assert ans["false_refusal_rate"] is not None
    assert "hallucination_rate" not in ans  # --judge none
    assert set(ans["by_kind"]) == {"specific", "multi", "unanswerable"}
    assert ans["generator"]["kind"] == "extractive" and ans["judge"]["kind"] == "none"
    assert set(ans["latency_ms"]) == {"retrieve", "first_token", "total"}
    assert ans["refusal_tradeoff"] and report["settings"]["generator"] == "extractive"
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "## Answers" in md and "## Retrieval" in md
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 3 and "<script" not in page and "src=" not in page
    assert len((out / "answers.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    rows = [json.loads(x) for x in (out / "rows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["t1", "t2", "t3"]
    assert rows[2]["refused"] is True and rows[2]["refusal_reason"]  # 红烧肉, and why
    assert all(r["total_ms"] is not None and r["judged"] is False for r in rows)
    assert "## Per question" in md and "| t3 | unanswerable |" in md
    cached = (out / "cache" / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(cached) == 3

    # a rerun answers nothing again: every answer comes from the cache
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    again = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert again["run"]["answers_from_cache"] == 3
    assert len((out / "cache" / "answers.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    # the same run twice: compare finds nothing to report
    cmp = subprocess.run(
        [sys.executable, "-m", "eval.run", "--compare", str(out), str(out), "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert cmp.returncode == 0, cmp.stderr
    assert "3 questions compared: 0 regressed, 0 improved only, 3 unchanged" in cmp.stdout
