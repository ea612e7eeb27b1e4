"""The verbatim instrument: the cited passage's own words count, anything else does not."""

from __future__ import annotations

from eval.verbatim import score, sentences

P = "LoRA 冻结预训练权重。LoRA 只训练低秩矩阵。"


def test_sentences_end_at_their_markers() -> None:
    got = sentences(
        "LoRA 冻结预训练权重[1]。\n- LoRA 只训练低秩矩阵[1][2]。笔记里没有关于 X 的内容。"
    )
    assert got == [
        ("LoRA 冻结预训练权重", [1]),
        ("LoRA 只训练低秩矩阵", [1, 2]),
        ("笔记里没有关于 X 的内容", []),
    ]


def test_a_semicolon_after_a_marker_ends_the_sentence_before() -> None:
    # dev-061: "…的规则[2]；prefix Decoder[2]：…" — the "；" is not the next sentence's first word
    got = sentences("自回归语言模型[2]；prefix Decoder[2]：特点[2]。")
    assert [t for t, _ in got] == ["自回归语言模型", "prefix Decoder", "特点"]


def test_score_counts_only_the_cited_passages_words() -> None:
    records = [
        {"answer": "LoRA 冻结预训练权重[1]。LoRA 训练全部参数[1]。", "passages": [P]},
        {"answer": "- LoRA 只训练低秩矩阵[1]。", "passages": [P]},
        {"answer": "资料中没有相关信息。", "refused": True, "passages": []},
    ]
    assert score(records) == {
        "answers": 2,
        "cited_sentences": 3,
        "verbatim_share": 0.6667,
        "titled_overviews": 0,
        "verbatim_or_titled_share": 0.6667,
        "answers_all_verbatim": 0.5,
    }


def test_an_overview_counts_when_its_lead_and_every_title_are_the_passages_words() -> None:
    passage = (
        "缓解复读机问题可以采取以下方法：\n- 引入噪声：采样不同的词。\n- 温度参数调整：控制多样性。"
    )
    overview = "缓解复读机问题可以采取以下方法：引入噪声、温度参数调整[1]。"
    invented = "缓解复读机问题可以采取以下方法：引入噪声、增加数据[1]。"
    got = score([{"answer": overview, "passages": [passage]}])
    assert got["verbatim_share"] == 0 and got["titled_overviews"] == 1
    assert got["verbatim_or_titled_share"] == 1 and got["answers_all_verbatim"] == 1
    got = score([{"answer": invented, "passages": [passage]}])
    assert got["titled_overviews"] == 0 and got["answers_all_verbatim"] == 0
