from __future__ import annotations

from service.compose import compose
from service.evidence import select
from service.grounding import select_parts
from tests.service.grounding_data import FILE_001, hit

# 001, "7. 💡 大模型LLM进行SFT 如何对样本进行优化？": a lead, then seven ways, 样本权重 fifth
SAMPLES = ("大模型面试经验", "微调面", "7. 💡 大模型LLM进行SFT 如何对样本进行优化？")


def test_the_point_that_says_what_is_asked_comes_first() -> None:
    samples = hit(FILE_001, 615, 625, SAMPLES)
    q = "做 SFT 时，对那些特别重要或者特别难的样本，怎样让模型更多地关注它们？"
    units = select_parts(q, [samples]).units
    assert units[0].text.startswith("样本权重")
    # the rest keeps the notes' order
    starts = [u.start for u in units[1:] if u.item]
    assert starts == sorted(starts)
    assert compose(select_parts(q, [samples])).sentences[0].text.startswith("样本权重")
    # evidence selection itself keeps the notes' order: the answer's first point is chosen after
    assert not select(q, [samples]).units[0].text.startswith("样本权重")


def test_a_question_the_heading_asks_keeps_the_notes_order() -> None:
    samples = hit(FILE_001, 615, 625, SAMPLES)
    units = select_parts("大模型 SFT 如何对样本进行优化？", [samples]).units
    assert not units[0].text.startswith("样本权重")
    assert [u.text[:4] for u in units if u.item][:2] == ["数据清洗", "数据增强"]


def test_a_question_in_parts_is_answered_in_its_order() -> None:
    samples = hit(FILE_001, 615, 625, SAMPLES)
    q = "SFT 时哪些样本要清洗？特别重要或者特别难的样本怎样让模型更多地关注？"
    units = select_parts(q, [samples]).units
    assert not units[0].text.startswith("样本权重")
