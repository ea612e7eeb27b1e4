"""The sentence support check on real corpus lines, including the flips users memorised."""

from __future__ import annotations

from service.support import SupportChecker, sentences
from tests.service.grounding_data import FILE_000, bf16, decoder_only, hit, parroting_causes

CHECK = SupportChecker()


def _p(*hits: object) -> dict[int, str]:
    return {i + 1: h.chunk.text for i, h in enumerate(hits)}  # type: ignore[attr-defined]


def test_a_sentence_from_the_passage_is_supported() -> None:
    v = CHECK.verdict("bf16 用8bit 表示指数，7bit 表示小数[1]", (1,), _p(bf16()))
    assert v.supported


def test_swapped_numbers_are_not() -> None:
    v = CHECK.verdict("bf16 用 9bit 表示指数[1]。", (1,), _p(bf16()))
    assert not v.supported and v.reason == "unknown_term"


def test_a_count_in_chinese_numerals_is_a_number_too() -> None:
    # 000: "RLHF…一般分为以下三个步骤："; "四个步骤" and "两个阶段" are counts it never gives
    rlhf = hit(FILE_000, 527, 527, ("大模型面试宝典", "2. 简单介绍一下 RLHF?"))
    assert CHECK.verdict("RLHF一般分为以下三个步骤[1]。", (1,), _p(rlhf)).supported
    for wrong in ("RLHF一般分为以下四个步骤[1]。", "RLHF一般分为两个阶段[1]。"):
        v = CHECK.verdict(wrong, (1,), _p(rlhf))
        assert not v.supported and v.reason == "unknown_term", wrong
    # "一种" is an article, not a count: no term of the passage's to find
    assert CHECK.verdict("RLHF是一种强化学习，一般分为以下三个步骤[1]。", (1,), _p(rlhf)).supported


def test_an_invented_english_sentence_gets_no_citation() -> None:
    v = CHECK.verdict("FlashAttention uses a sliding window[1].", (1,), _p(decoder_only()))
    assert not v.supported


def test_wrong_passage_cited() -> None:
    p = _p(decoder_only(), parroting_causes())
    assert CHECK.verdict("训练数据中存在大量的重复文本会导致复读机问题[2]。", (2,), p).supported
    assert not CHECK.verdict("训练数据中存在大量的重复文本会导致复读机问题[1]。", (1,), p).supported


def test_polarity_flip_is_caught() -> None:
    p = _p(decoder_only())
    ok = CHECK.verdict("引入双向注意力并无实质好处[1]。", (1,), p)
    flipped = CHECK.verdict("引入双向注意力有实质好处[1]。", (1,), p)
    assert ok.supported and not flipped.supported


def test_uncited_claim_is_unsupported_but_a_gap_note_is_fine() -> None:
    p = _p(decoder_only())
    assert CHECK.verdict("decoder-only 模型效率更高。", (), p).reason == "uncited"
    assert CHECK.verdict("笔记里没有关于 FlashAttention 的内容。", (), p).supported


def test_sentences_split_with_markers() -> None:
    got = sentences("第一句[1]。第二句。[2]\n- 第三点[1][2]")
    assert [c for _, c in got] == [(1,), (2,), (1, 2)]


def test_english_passages_check_by_shared_words() -> None:
    # the notes quote LangChain's English docs; their own sentences must pass, inventions not
    p = {1: "Agents are responsible for determining the next action to take based on the state."}
    assert CHECK.verdict(
        "Agents are responsible for determining the next action.", (1,), p
    ).supported
    assert not CHECK.verdict("Agents are trained with reinforcement learning.", (1,), p).supported
