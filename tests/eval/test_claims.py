"""The claim splitter: Chinese full stops, mixed Chinese/English, citation markers."""

from __future__ import annotations

import pytest

from eval.claims import Claim, editor_notes, split_claims, split_sentences, strip_markers


def test_chinese_sentence_ends_all_split() -> None:
    text = "LoRA 冻结原权重。它只训练低秩矩阵；因此参数少！真的很省显存"
    assert split_sentences(text) == [
        "LoRA 冻结原权重。",
        "它只训练低秩矩阵；",
        "因此参数少！",
        "真的很省显存",
    ]


def test_a_marker_belongs_to_the_sentence_before_it_even_after_the_full_stop() -> None:
    text = "LoRA 冻结原权重[1]。它只训练 A 和 B。[2][3]所以很省显存。"
    assert split_claims(text) == [
        Claim("LoRA 冻结原权重。", (1,)),
        Claim("它只训练 A 和 B。", (2, 3)),
        Claim("所以很省显存。", ()),
    ]


def test_mixed_and_english_text_keeps_decimals_and_versions_whole() -> None:
    text = "Top-p 常取 0.9。Qwen2.5 is a model family[1]. It ships 0.5B and 1.5B sizes [2]! 好的"
    assert split_claims(text) == [
        Claim("Top-p 常取 0.9。", ()),
        Claim("Qwen2.5 is a model family.", (1,)),
        Claim("It ships 0.5B and 1.5B sizes !", (2,)),
        Claim("好的", ()),
    ]


def test_marker_variants_and_lists() -> None:
    text = "原因如下：\n1. **数据偏差**：重复文本多【1】。\n- 训练目标的限制[2, 3]\n2."
    assert split_claims(text) == [
        Claim("数据偏差：重复文本多。", (1,)),
        Claim("训练目标的限制", (2, 3)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "资料中没有相关信息。",
        "The notes do not cover this.",
        "笔记里没有关于 FlashAttention 的内容。",
        "资料中并未提到 GQA 的具体实现。",
        "The notes don't say how PagedAttention works.",
        "对吗？",
        "[1]。",
        "",
        "包括以下几点：",
        # the closest-section line (dev-092): the "?" of a quoted heading must not end it
        'I found no section of the notes that clearly asks this; the closest: "LangChain 包含哪些'
        ' 核心概念?", "为何现在的大模型大部分是Decoder only结构":',
        # ... and in Chinese (dev-046), the heading's "？" inside 「」
        "笔记里没有找到明确对应这个问题的一节，以下取自最接近的「3. BERT 的掩码策略」、"
        "「为什么BERT选择mask掉15%这个比例的词，可以是其他的比例吗？」：",
    ],
)
def test_no_checkable_claim(text: str) -> None:
    assert split_claims(text) == []


def test_a_gap_remark_is_not_a_claim_but_the_answer_before_it_is() -> None:
    assert split_sentences("LoRA 减少参数[1]。资料未提及它的缺点。") == ["LoRA 减少参数。"]


def test_an_editors_note_is_counted_not_judged_against_the_passages() -> None:
    answer = (
        "LLaMA 训练使用多达14,000亿tokens语料[1]。\n"
        "编者注：这份笔记写着“Bert由一个Transformer解码器组成”，是笔误。这句没有采用。\n"
        "训练预料主要为以英语为主的拉丁语系[1]。"
    )
    assert [c.text for c in split_claims(answer)] == [
        "LLaMA 训练使用多达14,000亿tokens语料。",
        "训练预料主要为以英语为主的拉丁语系。",
    ]
    assert editor_notes(answer) == [answer.splitlines()[1]]
    assert editor_notes("Editor's note: the notes are wrong here.\nA[1].") == [
        "Editor's note: the notes are wrong here."
    ]


def test_strip_markers() -> None:
    assert strip_markers("甲[1]乙【2】丙［3］丁[1, 2]") == "甲乙丙丁"
