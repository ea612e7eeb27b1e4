"""scripts/check_datasets.py: the shipped datasets pass, and the judge-set rules catch what
they are for (bad source or split, an unbalanced split, too few system pairs)."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import check_datasets as cd  # noqa: E402

PASSAGE = "LoRA (Low-Rank Adaptation) 具有以下几个特点：总之，LoRA通过低秩适应的方法，可以在减少存储需求和加速推理过程的同时，保持模型的关键特征和性能。这使得它成为在资源受限环境下使用大型语言模型的有效策略。"  # noqa: E501


def test_shipped_datasets_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert cd.main([]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "split: calib" in out and "source: hand" in out


def _pair(i: int, **kw: Any) -> dict[str, Any]:
    row = {"id": f"j-{i:03d}", "passages": [PASSAGE], "claim": "LoRA 能减少存储需求。",
           "supported": True, "type": "paraphrase", "source": "hand", "split": "calib"}  # fmt: skip
    return row | kw


def _problems(rows: list[dict[str, Any]]) -> list[str]:
    rep = cd.Report()
    cd.check_judge(rows, cd.load_corpus(), rep)
    return rep.problems


def test_source_and_split_values_are_checked() -> None:
    probs = _problems([_pair(1, source="gpt"), _pair(2, split="train")])
    assert any("j-001: source 'gpt'" in p for p in probs)
    assert any("j-002: split 'train'" in p for p in probs)
    assert not any("j-003" in p for p in _problems([_pair(3, source="system:llamacpp-0.5b")]))
    missing = {k: v for k, v in _pair(4).items() if k != "split"}
    assert any("j-004: keys" in p for p in _problems([missing]))


def test_split_must_be_balanced_within_each_type() -> None:
    rows = [_pair(i, split="calib") for i in range(1, 5)] + [_pair(5, split="test")]
    assert any("type paraphrase: 4 calib vs 1 test" in p for p in _problems(rows))
    even = [_pair(i, split="calib" if i % 2 else "test") for i in range(1, 6)]
    assert not any("unbalanced" in p for p in _problems(even))


def test_too_few_system_pairs_or_one_label_only() -> None:
    rows = [_pair(i, source="system:extractive", split="calib" if i % 2 else "test")
            for i in range(1, 50)]  # fmt: skip
    assert any("49 system pairs" in p and "both labels" in p for p in _problems(rows))


def test_shipped_judge_set_is_split_by_type(tmp_path: Any) -> None:
    rows = [json.loads(line) for line in (ROOT / "eval/datasets/judge.jsonl").open()]
    assert len(rows) >= 200
    for typ in {r["type"] for r in rows}:
        calib = sum(r["split"] == "calib" for r in rows if r["type"] == typ)
        test = sum(r["split"] == "test" for r in rows if r["type"] == typ)
        assert abs(calib - test) <= 2, typ
    system = [r for r in rows if r["source"].startswith("system:")]
    assert {r["supported"] for r in system} == {True, False}


def test_notes_wrong_is_optional_and_must_say_what() -> None:
    item = {"id": "dev-001", "question": "q", "kind": "unanswerable", "evidence": [],
            "sources": [], "answer_points": []}  # fmt: skip
    rep = cd.Report()
    cd.check_dev([item, {**item, "id": "dev-002", "notes_wrong": "the figure is not GPT-3's"}],
                 {}, rep)  # fmt: skip
    # on an unanswerable item it makes no sense: the notes answer nothing there
    assert [p for p in rep.problems if "notes_wrong" in p] == [
        "dev dev-002: notes_wrong must say what is wrong, on an answerable item"
    ]
