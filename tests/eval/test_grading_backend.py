"""eval.grading_backend: finding an item's question in the bank, and the HTTP grader."""

from __future__ import annotations

import json

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
