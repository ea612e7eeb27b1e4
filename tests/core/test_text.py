"""core/text.py on real corpus lines: one language test, one splitter, one normal form."""

from __future__ import annotations

from core.text import (
    EN_STOPWORDS,
    NOT_COVERED,
    REFUSAL_EN,
    REFUSAL_ZH,
    ZH_STOPWORDS,
    Unit,
    bigrams,
    has_cjk,
    is_english,
    normalise,
    numbers,
    sentence_spans,
    split_units,
)
from tests.service.grounding_data import FILE_000, FILE_001, FILE_002, lines

CAUSES = (
    "- 1) **数据偏差：**大型语言模型通常是通过预训练阶段使用大规模无标签数据进行训练的。"
    "如果训练数据中存在大量的重复文本，模型可能会倾向于复制这些常见的模式。\n"
    "- 2) **训练目标的限制：**大型语言模型的训练通常是基于自监督学习的方法。"
)


def test_language() -> None:
    assert has_cjk("LoRA 的原理是什么？")
    assert is_english("What is LoRA?")
    assert not is_english("什么是 LoRA")


def test_split_units_keeps_items_and_offsets() -> None:
    units = split_units(CAUSES)
    assert [u.item for u in units] == [True, False, True]
    assert units[0].text.startswith("数据偏差：")  # marker and bold removed
    for u in units:
        # offsets point at the raw text, so a citation can highlight it
        assert CAUSES[u.start : u.end].replace("**", "").endswith(u.text[-6:])


def test_a_chinese_sentence_ends_at_a_full_stop_before_english() -> None:
    # 002's tokenization item: "…出现幻觉. tokenization是…" is two sentences, so an erratum on
    # the second leaves the first (the answer to "BPE 为什么可能导致幻觉"); "e.g. the" runs on
    line = (
        "- BPE可能会造成大模型幻觉, 相反语义单位的Token越零碎, 越有可能出现幻觉. "
        "tokenization是一个平衡问题, 语义越完整, 幻觉出现的概率越低."
    )
    first, second = (u.text for u in split_units(line))
    assert first.startswith("BPE") and first.endswith("出现幻觉.")
    assert second.startswith("tokenization是一个平衡问题")
    assert len(split_units("Subword methods, e.g. the BPE merges, are common.")) == 1
    assert len(split_units('Y代表量化类型和级别. "K" 表示使用了 K-Quants 量化.')) == 2


def test_split_units_skips_headings_and_crumbs() -> None:
    units = split_units("#### 4.2 为什么会出现 LLMs 复读机问题？\n|---|---|\n答：\n正文在这里。")
    assert [u.text for u in units] == ["正文在这里。"]


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


def test_a_nested_item_knows_its_parent_and_a_bare_item_over_lines_is_a_sub_heading() -> None:
    # 002, Q12: "- RLHF 完整训练过程" names what the lines under it say; its steps nest
    text = lines(FILE_002, 244, 251)
    units = split_units(text)

    def unit(start: str) -> Unit:
        return next(u for u in units if u.text.startswith(start))

    top, step = unit("RLHF 完整训练过程"), unit("1 预训练语言模型")
    assert top.label and top.parent == -1
    assert step.label and step.parent == top.start  # over its own two lines
    first = unit("首先, 使用大量的文本数据")
    assert first.item and not first.label and first.parent == step.start
    assert unit("RLHF 完整训练过程主要包括").parent == top.start  # an unlisted line under it
    # an item that says something is no sub-heading, whatever is under it
    assert not any(u.label for u in split_units("- 训练过程: 分三步\n    - 预训练。"))


def test_code_is_no_statement_and_its_introduction_goes_with_it() -> None:
    # 001, the Output Parsers example: a passage with the whole block, and one that starts
    # inside it (the chunker cuts between lines), where only the prose after it is kept
    whole = [u.text for u in split_units(lines(FILE_001, 751, 781))]
    assert not any("OutputParser()" in t or "print(" in t or "example to" in t for t in whole)
    # the prose before and after the example, in order
    assert [t.split()[0] for t in whole[:3]] == ["Output", "They", "In"]
    inside = [u.text for u in split_units(lines(FILE_001, 763, 781))]
    assert inside[0].startswith("In the above example")


def test_a_bold_title_is_a_point_and_a_code_caption_no_statement() -> None:
    # 000, PPO's data format: the example's caption "**Input, Reward, Action, State**" and its
    # lead-in go with the code; "**" opens bold text, not a "*" bullet
    ppo = [u.text for u in split_units(lines(FILE_000, 334, 354))]
    assert not any("Input" in t or "示例数据集的格式" in t or t.startswith("*") for t in ppo)
    assert ppo[-2].startswith("在这个示例中") and ppo[-3].startswith("可以使用表格形式")
    # 000, why inference memory stays taken: paragraphs opening on a bold title are its points
    memory = split_units(lines(FILE_000, 428, 434))
    assert [(u.text[:7], u.item) for u in memory if not u.rest] == [
        ("模型参数占用显", True), ("输入数据占用显", True), ("中间计算结果占", True), ("内存管理策略：", True)
    ]  # fmt: skip
    # bold inside a sentence is no title
    assert not split_units(lines(FILE_000, 384, 384))[0].item
