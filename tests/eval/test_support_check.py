"""The support-check benchmark counts what it should, on hand-made pairs."""

from __future__ import annotations

import json
from pathlib import Path

from eval.support_check import main, score
from service.support import SupportChecker

P = "bf16 用8bit 表示指数, 7bit 表示小数, fp16用5bit 表示指数, 10bit 表示小数."
PAIRS = [
    {"passages": [P], "claim": "bf16 用 8bit 表示指数。", "supported": True, "split": "calib"},
    {"passages": [P], "claim": "bf16 用 9bit 表示指数。", "supported": False, "split": "test"},
    {"passages": [P], "claim": "fp16 精度比 bf16 低得多。", "supported": False, "split": "test"},
]


def test_score_counts_kept_and_dropped() -> None:
    got = score(PAIRS, SupportChecker())
    assert got["n"] == 3 and got["recall"] == 1.0 and got["unsupported_kept"] == 0
    assert got["precision"] == 1.0 and got["accuracy"] == 1.0


def test_cli_reports_each_split(tmp_path: Path, capsys) -> None:
    f = tmp_path / "pairs.jsonl"
    f.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PAIRS), encoding="utf-8")
    assert main(["--pairs", str(f)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"all", "calib", "test"} and out["test"]["n"] == 2
    assert main(["--pairs", str(tmp_path / "missing.jsonl")]) == 2
