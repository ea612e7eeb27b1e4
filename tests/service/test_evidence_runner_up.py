"""The runner-up of a close call (service/evidence.py): what of it joins the answer."""

from __future__ import annotations

from dataclasses import replace

from service.evidence import select
from service.evidence_unit import EvidenceUnit
from service.section_units import is_duplicate
from tests.service.grounding_data import FILE_000, FILE_001, hit, lines

_PAIN = ("大模型面试经验", "基于LLM+向量库的文档对话经验面")


def test_a_runner_up_close_for_one_line_gives_that_line_not_its_first_points() -> None:
    # 001's pain points 5 and 4 each end their list on 多模态信息利用 (items 6 and 15); the
    # question asks where such information helps. Point 4's lead and first seven items
    # (indexing, keyword matching…) had padded the answer, and its own 多模态 item was cut off.
    five = hit(
        FILE_001,
        1156,
        1163,
        (*_PAIN, "痛点5：如何让LLM基于query和context得到高质量的response"),
        0.96,
    )
    four = hit(
        FILE_001, 1164, 1171, (*_PAIN, "痛点4：如何 尽可能召回与query相关的Document 问题"), 0.94
    )
    lead = lines(FILE_001, 1212, 1212)  # "要尽可能召回与query相关的Document，可以采取以下方法："
    text = f"{lead}\n{four.chunk.text}"
    four = replace(four, chunk=replace(four.chunk, text=text, end=four.chunk.start + len(text)))
    question = "做 LLM+向量库的文档问答时，如果手上还有图片、视频这类多模态信息，可以用在哪些环节？"
    from_four = [u.text for u in select(question, [five, four]).units if u.n == 2]
    assert from_four and all("多模态" in t for t in from_four)
    assert any("召回模型" in t for t in from_four)


def test_a_sentence_said_whole_inside_a_longer_one_is_a_duplicate() -> None:
    # 003 writes LLaMA's line with ASCII commas (one long unit), another note splits it
    from service.section_units import EvidenceUnit

    long = "LLaMA模型:LLaMA(Large Language Model Meta AI)包含从 7B 到 65B 的参数范围,训练使用多达14,000亿tokens语料,具有常识推理、问答、数学推理、代码生成、语言理解等能力。"
    short = "LLaMA (Large Language Model Meta AI) 包含从 7B 到 65B 的参数范围，训练使用多达14,000亿tokens语料。"

    def unit(text: str) -> EvidenceUnit:
        return EvidenceUnit(1, text, "c", "f", (), 0, len(text), True, 1.0)

    assert is_duplicate(unit(short), [unit(long)])
    # the longer one says more: it stays beside the shorter
    assert not is_duplicate(unit(long), [unit(short)])


def test_a_line_that_announces_a_list_cut_off_before_it_is_left_out() -> None:
    # 000's 4.3 opens "为了缓解LLMs复读机问题，可以尝试以下方法："; a passage that ends on that
    # line, its methods in one the search did not return, gives the line alone
    from service.evidence_unit import announces

    path = ("大语言模型基础", "4.3 如何缓解 LLMs 复读机问题？")
    whole = hit(FILE_000, 164, 171, path)
    units = select("怎么缓解 LLMs 复读机问题？", [whole]).units
    assert announces(units[0].text) and units[1].item  # it stays where its list follows
    causes = hit(FILE_000, 154, 161, path)
    text = f"{causes.chunk.text}\n{lines(FILE_000, 164, 164)}"
    cut = replace(
        causes, chunk=replace(causes.chunk, text=text, end=causes.chunk.start + len(text))
    )
    units = select("怎么缓解 LLMs 复读机问题？", [cut]).units
    assert len(units) > 2 and not any(announces(u.text) for u in units)


def test_of_the_closest_sections_the_one_that_says_it_leads_and_far_weaker_ones_go() -> None:
    from service.close_calls import closest_order

    def block(score: float, heading: str) -> tuple[float, list[EvidenceUnit], str]:
        return (score, [], heading)

    # the third says far more than the first (2x, and a real match): it alone answers, the
    # other two say far less than it (under 0.6)
    order = closest_order([block(2.6, "方法"), block(1.5, "模板"), block(6.3, "优点")])
    assert [b[2] for b in order] == ["优点"]
    # none far better than the first: the order stands, the far weaker one goes
    order = closest_order([block(4.0, "方法"), block(1.0, "模板"), block(5.0, "优点")])
    assert [b[2] for b in order] == ["方法", "优点"]
    # close to each other: the search's order stands, all stay
    order = closest_order([block(4.5, "方法"), block(6.3, "优点")])
    assert [b[2] for b in order] == ["方法", "优点"]
