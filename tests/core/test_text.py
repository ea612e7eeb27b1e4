"""core/text.py on real corpus lines: one language test, one normal form, one answer splitter."""

from __future__ import annotations

from core.text import (
    EN_STOPWORDS,
    NOT_COVERED,
    REFUSAL_EN,
    REFUSAL_ZH,
    ZH_STOPWORDS,
    bigrams,
    has_cjk,
    is_english,
    mainly_latin,
    normalise,
    numbers,
    sentence_spans,
)


def test_language() -> None:
    assert has_cjk("LoRA 的原理是什么？")
    assert is_english("What is LoRA?")
    assert not is_english("什么是 LoRA")


def test_mainly_latin_weighs_a_chinese_character_as_a_word() -> None:
    # an English question with the glossary's term added, and a LangChain passage of the notes
    assert mainly_latin("What is the parroting problem of LLMs?（复读机）")
    assert mainly_latin("Components and Chains are key concepts in the LangChain framework.")
    # the notes' Chinese with English names in it stays Chinese
    assert not mainly_latin("要调用LLMs生成回复，可以使用LangChain框架提供的LLMChain类。")
    assert not mainly_latin("混合精度训练, 例如AMP(Automatic Mixed Precision).")
    assert not mainly_latin("12345")


def test_normalise_folds_half_width_copies() -> None:
    # 003 repeats 000's passages with half-width punctuation
    assert normalise("精度较低，fp16 表示") == normalise("精度较低,fp16表示")
    assert bigrams("LoRA 微调") == bigrams("lora微调")


def test_numbers_are_facts_not_name_parts() -> None:
    line = "bf16 用8bit 表示指数, 7bit 表示小数, fp16用5bit 表示指数, 10bit 表示小数"
    assert numbers(line) == ["8", "7", "5", "10"]
    assert numbers("GPT-3 训练花了 30万美元，284 吨") == ["30万", "284"]


def test_bm25_leaves_out_the_one_stop_word_list() -> None:
    from core.text_tokens import tokenize

    tokens = tokenize("What is the difference between LoRA and QLoRA? 请介绍一下什么是量化")
    assert {"lora", "qlora", "量化"} <= set(tokens)
    assert not set(tokens) & (EN_STOPWORDS | ZH_STOPWORDS)
    assert "difference" not in tokens  # English scaffolding, as the key-term check sees it


def test_answer_sentences_keep_their_markers_and_numbers() -> None:
    # an answer composed from real corpus lines (000, bf16 vs fp16; the temperature item)
    answer = (
        "bf16 用8bit 表示指数, 7bit 表示小数[1]。Top p 通常设置为较高的值(如 0.75)[2]；"
        "温度越高越随机。[3]\n- Agents decide the next action. They use tools[4].\n- 末项"
    )
    parts = [answer[a:b].strip() for a, b in sentence_spans(answer)]
    assert parts == [
        "bf16 用8bit 表示指数, 7bit 表示小数[1]。",
        "Top p 通常设置为较高的值(如 0.75)[2]；",
        "温度越高越随机。[3]",
        "- Agents decide the next action.",
        "They use tools[4].",
        "- 末项",
    ]


def test_not_covered_is_about_the_notes_not_a_negative_fact() -> None:
    for remark in (
        REFUSAL_ZH,
        REFUSAL_EN,
        "笔记里没有关于 FlashAttention 的内容。",
        "The notes do not cover PagedAttention, vLLM.",
        "文中未提及其缺点。",
    ):
        assert NOT_COVERED.search(remark), remark
    # 001's own sentence: a negative fact about LangChain, not a remark about the notes
    assert not NOT_COVERED.search("LangChain是一个独特的框架，目前没有直接的替代方案。")
    assert not NOT_COVERED.search("Bert 训练预料主要为以英语为主的拉丁语系，不包含中日韩文。")
