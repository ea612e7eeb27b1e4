"""Judge calibration with a calib/test split: the threshold sees only calib, the figures that
count come from test. Probabilities are scripted, so every figure is known."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from eval.calibrate import calibrate, format_calibration, load_pairs

# (claim, supported, p, type, source, split)
ROWS = [
    ("c1", True, 0.9, "paraphrase", "hand", "calib"),
    ("c2", True, 0.7, "verbatim", "system:extractive", "calib"),
    ("c3", False, 0.4, "wrong_number", "hand", "calib"),
    ("c4", False, 0.2, "contradiction", "system:llamacpp", "calib"),
    ("t1", True, 0.6, "paraphrase", "hand", "test"),
    ("t2", False, 0.55, "wrong_number", "hand", "test"),
    ("t3", True, 0.45, "verbatim", "system:extractive", "test"),
    ("t4", False, 0.1, "contradiction", "system:llamacpp", "test"),
]
P = {claim: p for claim, _, p, *_ in ROWS}


class TableJudge:
    name = "table"
    threshold = 0.5

    async def supported(self, passages: list[str], claim: str) -> float:
        return P[claim]


def _write(path: Path, split: bool = True) -> Path:
    rows = [
        {"id": f"j-{i:03d}", "passages": ["p"], "claim": c, "supported": y, "type": t,
         "source": s, **({"split": sp} if split else {})}
        for i, (c, y, _, t, s, sp) in enumerate(ROWS)
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_threshold_is_picked_on_calib_and_scored_on_test(tmp_path: Path) -> None:
    pairs = load_pairs(_write(tmp_path / "judge.jsonl"))
    assert pairs[1].source == "system:extractive" and pairs[1].split == "calib"
    cal = asyncio.run(calibrate(TableJudge(), pairs, "accuracy", progress=False))
    # calib separates perfectly anywhere in (0.4, 0.7]; ties go to the value nearest 0.5
    assert cal["best"]["threshold"] == 0.5 and cal["best"]["accuracy"] == 1.0
    split = cal["split"]
    assert split["calib"]["n"] == 4 and split["calib"]["accuracy"] == 1.0
    test = split["test"]
    # at 0.5: t1 in (TP), t2 in (FP), t3 out (FN), t4 out (TN)
    assert (test["tp"], test["fp"], test["fn"], test["tn"]) == (1, 1, 1, 1)
    assert (test["accuracy"], test["precision"], test["recall"]) == (0.5, 0.5, 0.5)
    assert test["auc"] == 0.75 and test["n"] == 4 and test["n_supported"] == 2
    assert split["test_by_source"]["system:llamacpp"]["accuracy"] == 1.0
    assert split["test_by_source"]["hand"]["accuracy"] == 0.5
    assert split["test_by_type"]["verbatim"]["accuracy"] == 0.0
    assert {p["split"] for p in cal["pairs"]} == {"calib", "test"}
    text = format_calibration(cal)
    assert "threshold 0.500 picked on calib only" in text
    assert "TEST (held out) n=4 (2 supported): accuracy 0.500, precision 0.500" in text
    assert "AUC 0.75" in text and "on the calib split" in text


def test_without_split_the_threshold_is_picked_on_everything(tmp_path: Path) -> None:
    pairs = load_pairs(_write(tmp_path / "judge.jsonl", split=False))
    assert pairs[0].source == "hand" and pairs[0].split == ""
    cal = asyncio.run(calibrate(TableJudge(), pairs, "accuracy", progress=False))
    assert cal["split"] is None and "held out" not in format_calibration(cal)
    # over all 8, t2 (0.55, unsupported) and t3 (0.45, supported) overlap: one stays wrong
    assert cal["best"]["accuracy"] == 0.875
