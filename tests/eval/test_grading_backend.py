"""eval.grading_backend: finding an item's question in the bank, and the HTTP grader."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from eval.grading_backend import BankLookup, HttpGrader
from eval.grading_items import GradedPoint, GradingItem
from ingest.bank import BankEntry, Location


def _entry(qid: str, question: str, file: str, copies: tuple[str, ...] = ()) -> BankEntry:
    return BankEntry(
        question_id=qid,
        question=question,
        topic=("笔记",),
        source=Location(file, ("笔记", question), 0, 10),
        chunk_ids=(f"{file}#0",),
        answer="答案。",
        copies=tuple(Location(c, ("笔记", question), 0, 10) for c in copies),
    )


def _item(question: str, file: str | None = None) -> GradingItem:
    return GradingItem.model_validate(
        {
            "id": "x",
            "question": question,
            "file": file,
            "answer": "数据偏差",
            "kind": "partial",
            "expected_points": [{"text": "数据偏差", "covered": True}],
            "hand_score": 0.5,
        }
    )


LOOKUP = BankLookup(
    [
        _entry("q1", "为什么会出现 LLMs 复读机问题？", "000.txt", copies=("001.txt",)),
        _entry("q2", "PEFT 有什么优点?", "000.txt"),
        _entry("q3", "PEFT 有什么优点?", "001.txt"),
    ]
)


def test_lookup_folds_spacing_and_punctuation_and_prefers_the_file() -> None:
    assert LOOKUP.find(_item("为什么会出现LLMs复读机问题?")).question_id == "q1"
    assert LOOKUP.find(_item("为什么会出现 LLMs 复读机问题？", "001.txt")).question_id == "q1"
    assert LOOKUP.find(_item("PEFT 有什么优点？", "001.txt")).question_id == "q3"
    assert LOOKUP.find(_item("PEFT 有什么优点？")).question_id == "q2"
    with pytest.raises(LookupError):
        LOOKUP.find(_item("LoRA 是什么？"))


def test_http_grader_posts_the_bank_id_and_reads_the_reply() -> None:
    seen: list[dict[str, object]] = []

    def server(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/practice/grade"
        assert request.headers["authorization"] == "Bearer k"
        seen.append(json.loads(request.content))
        return httpx.Response(
            200,
            json={
                "question_id": "q1",
                "score": 0.25,
                "points": [
                    {"n": 1, "text": "数据偏差：…", "covered": True, "source": {}},
                    {"n": 2, "text": "训练目标的限制：…", "covered": False, "source": {}},
                ],
                "contradictions": [{"sentence": "温度越低越好", "point": 3, "reason": "x"}],
                "reference": {"text": "…", "source": {}},
            },
        )

    grader = HttpGrader("http://t", LOOKUP, "u1", "k", transport=httpx.MockTransport(server))
    got = grader.grade(_item("为什么会出现 LLMs 复读机问题？"))
    assert seen == [{"question_id": "q1", "answer": "数据偏差", "user": "u1"}]
    assert got.score == 0.25 and got.contradictions == ("温度越低越好",)
    assert got.points == (GradedPoint("数据偏差：…", True), GradedPoint("训练目标的限制：…", False))


def test_in_process_grader_on_a_real_small_index(small_corpus: Path, tmp_path: Path) -> None:
    """The service's own grading over a real index built from excerpts of 000 and 004 (the
    hash embedder), on the set's items for questions those excerpts hold."""
    from eval.grading import run
    from eval.grading_backend import InProcessGrader
    from eval.grading_items import load_grading
    from eval.grading_metrics import summarize
    from tests.service.conftest import build, fake_loader, make_settings

    index_dir = tmp_path / "index"
    build(small_corpus, index_dir)

    root = Path(__file__).resolve().parents[2]
    wanted = {"g01", "g02", "g09", "g34", "g35"}  # 复读机 (000) and 涌现能力 (004)
    items = [
        i.model_copy(update={"file": None})  # the excerpts are a.md and b.md
        for i in load_grading(root / "eval/datasets/grading.jsonl")
        if i.id in wanted
    ]
    items.append(items[0].model_copy(update={"id": "empty", "answer": "  "}))
    grader = InProcessGrader(make_settings(index_dir), loader=fake_loader)
    results = {r.item.id: r for r in run(items, grader)}
    assert all(r.error is None for r in results.values()), results
    by_id = {e.question: e.question_id for e in grader.bank.entries}
    assert results["g01"].graded.question_id == by_id["为什么会出现 LLMs 复读机问题？"]
    # every hand point of the complete answer is one of the grader's points, and covered
    assert all(p.matched and p.predicted for p in results["g01"].points)
    assert results["empty"].graded.score == 0.0
    assert results["g09"].graded.score == 0.0  # about LoRA, not 复读机
    assert results["g01"].graded.score > results["g02"].graded.score > 0
    assert summarize(list(results.values()))["graded"] == 6
