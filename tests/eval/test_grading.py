"""eval.grading's arithmetic on a scripted grader, and the hand-written grading set itself."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from eval.grading import format_report, run, write_outputs
from eval.grading_items import Graded, GradedPoint, GradingItem, load_grading
from eval.grading_metrics import evaluate, pearson, ranks, spearman, summarize

ROOT = Path(__file__).resolve().parents[2]


def _item(iid: str, kind: str, points: list[tuple[str, bool]], hand: float, **kw: object):
    return GradingItem.model_validate(
        {
            "id": iid,
            "question": f"问题 {iid}？",
            "answer": "用户的回答",
            "kind": kind,
            "expected_points": [{"text": t, "covered": c} for t, c in points],
            "hand_score": hand,
            **kw,
        }
    )


class ScriptedGrader:
    """Answers each item id with a fixed verdict; an id without one fails like a bad call."""

    def __init__(self, replies: dict[str, Graded]) -> None:
        self.replies = replies
        self.asked: list[str] = []

    def grade(self, item: GradingItem) -> Graded:
        self.asked.append(item.id)
        if item.id not in self.replies:
            raise LookupError(f"no such question: {item.question}")
        return self.replies[item.id]


ITEMS = [
    _item("a", "complete", [("数据偏差", True), ("训练目标的限制", False)], 0.5),
    _item(
        "b",
        "wrong",
        [("引入噪声", True), ("温度参数调整", True)],
        1.0,
        contradicts=["温度越低随机性越大"],
    ),
    _item("c", "off_topic", [("分块处理", False)], 0.0),
    _item("d", "empty", [("层次建模", False)], 0.0),
]
REPLIES = {
    "a": Graded(
        "qa",
        1.0,
        (
            GradedPoint("1) 数据偏差：训练数据中存在大量的重复文本", True),
            GradedPoint("2) 训练目标的限制：预测下一个词", True),
        ),
        (),
    ),
    "b": Graded(
        "qb",
        0.5,
        (
            GradedPoint("2) 引入噪声：在生成文本时引入随机性", True),
            GradedPoint("Beam搜索调整", False),
        ),
        ("我觉得温度越低随机性越大。",),
    ),
    "c": Graded(
        "qc", 0.0, (GradedPoint("1) 分块处理：将长文本分割", False),), ("完全无关的一句话",)
    ),
}


@pytest.fixture()
def results():
    return run(ITEMS, ScriptedGrader(REPLIES))


def test_points_are_matched_by_text_and_unmatched_ones_count_as_missed(results) -> None:
    a, b, c, d = results
    assert [(p.hand, p.predicted) for p in a.points] == [(True, True), (False, True)]
    assert a.points[0].matched == "1) 数据偏差：训练数据中存在大量的重复文本"
    # 温度参数调整 is in none of b's points: unmatched, so not covered
    assert b.points[1].matched is None and b.points[1].predicted is False
    assert b.contradictions_found == (True,)
    # of two points holding a label fully, the point itself, not a lead that names them all
    lead = Graded(
        "q",
        1.0,
        (GradedPoint("两种方法: 外在评估和内在评估.", False), GradedPoint("内在评估", True)),
        (),
    )
    assert evaluate(_item("e", "partial", [("内在评估", True)], 1.0), lead).points[0].predicted
    assert d.graded is None and d.error == "LookupError: no such question: 问题 d？"


def test_summary_figures(results) -> None:
    s = summarize(results)
    assert (s["items"], s["graded"], s["errors"]) == (4, 3, 1)
    # five points: (T,T) (F,T) (T,T) (T,F unmatched) (F,F)
    assert s["points"] == 5 and s["points_matched"] == 4
    assert s["point_accuracy"] == pytest.approx(3 / 5)
    assert s["covered_precision"] == pytest.approx(2 / 3)
    assert s["covered_recall"] == pytest.approx(2 / 3)
    # scores (1, .5, 0) against hand scores (.5, 1, 0)
    assert s["pearson"] == pytest.approx(0.5)
    assert s["spearman"] == pytest.approx(0.5)
    assert s["mean_abs_error"] == pytest.approx(1 / 3)
    assert (s["contradictions"], s["contradiction_recall"]) == (1, 1.0)
    assert s["false_contradiction_items"] == 1  # c was told it contradicts; a was not
    assert s["by_kind"]["complete"] == {"n": 1, "mean_score": 1.0, "mean_hand_score": 0.5}
    assert "empty" not in s["by_kind"]  # the failed item is in no mean
    assert s["by_question"]["问题 b？"] == {
        "n": 1,
        "mean_score": 0.5,
        "mean_hand_score": 1.0,
        "mean_abs_error": 0.5,
    }


def test_rank_correlation_arithmetic() -> None:
    assert ranks([1.0, 2.0, 2.0, 3.0]) == [1.0, 2.5, 2.5, 4.0]
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) is None  # undefined, not 0
    assert pearson([1.0], [1.0]) is None
    # monotone but not linear: Spearman 1, Pearson below 1
    xs, ys = [1, 2, 3, 4], [1, 2, 3, 100]
    assert spearman(xs, ys) == pytest.approx(1.0)
    assert pearson(xs, ys) < 0.9


def test_outputs_are_written(results, tmp_path: Path) -> None:
    summary = write_outputs(results, tmp_path)
    rows = [json.loads(x) for x in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c", "d"]
    assert rows[1]["points"][1] == {
        "expected": "温度参数调整",
        "hand": True,
        "predicted": False,
        "matched": None,
        "overlap": 0.2,  # 调整 alone, of its five bigrams, is in "Beam搜索调整": below the bar
    }
    assert rows[3]["error"].startswith("LookupError")
    assert json.loads((tmp_path / "report.json").read_text())["graded"] == 3
    text = format_report(summary)
    assert "point agreement 0.600" in text and "Pearson 0.500" in text
    assert "| complete | 1 | 1.000 | 0.500 |" in text
    # a and b are 0.5 from their hand scores, c matches it: a and b head the list, in file order
    assert text.splitlines()[-3:] == [
        "  0.50  score 1.00 vs hand 0.50 (1)  问题 a？",
        "  0.50  score 0.50 vs hand 1.00 (1)  问题 b？",
        "  0.00  score 0.00 vs hand 0.00 (1)  问题 c？",
    ]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_grading_set_is_what_the_issue_asks_for() -> None:
    items = load_grading(ROOT / "eval/datasets/grading.jsonl")
    kinds = Counter(i.kind for i in items)
    assert len(items) >= 40
    assert len({(i.file, i.question) for i in items}) >= 15
    assert len({i.file for i in items}) >= 3
    assert kinds["complete"] >= 10 and kinds["partial"] >= 10 and kinds["wrong"] >= 6
    assert kinds["off_topic"] + kinds["empty"] >= 5
    assert kinds["english"] >= 6 and kinds["mixed"] >= 4


def test_the_held_out_set_asks_other_questions() -> None:
    """grading_holdout.jsonl was written for questions the grader was never tuned on."""
    main = {i.question for i in load_grading(ROOT / "eval/datasets/grading.jsonl")}
    held = load_grading(ROOT / "eval/datasets/grading_holdout.jsonl")
    assert len(held) >= 20 and not {i.question for i in held} & main


@pytest.mark.parametrize("name", ["grading.jsonl", "grading_holdout.jsonl"])
def test_items_quote_the_notes(name: str) -> None:
    for i in load_grading(ROOT / "eval/datasets" / name):
        assert i.file, i.id
        notes = _squash((ROOT / "corpus" / i.file).read_text(encoding="utf-8"))
        assert _squash(i.question) in notes, i.id  # a heading of the notes, verbatim
        assert 2 <= len(i.expected_points) <= 6, i.id
        for p in i.expected_points:
            assert _squash(p.text) in notes, (i.id, p.text)  # a verbatim quote
        for c in i.contradicts:
            assert c in i.answer, (i.id, c)  # the user's own words
        if i.kind in ("off_topic", "empty"):
            assert i.hand_score == 0 and not any(p.covered for p in i.expected_points)
        if i.kind == "wrong":
            assert i.contradicts, i.id
