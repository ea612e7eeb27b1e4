"""core/units.py on real corpus lines: sentences and list items, nesting, code and captions."""

from __future__ import annotations

from core.units import Unit, leans_back, names_back, split_units
from tests.service.grounding_data import FILE_000, FILE_001, FILE_002, FILE_004, lines

CAUSES = (
    "- 1) **数据偏差：**大型语言模型通常是通过预训练阶段使用大规模无标签数据进行训练的。"
    "如果训练数据中存在大量的重复文本，模型可能会倾向于复制这些常见的模式。\n"
    "- 2) **训练目标的限制：**大型语言模型的训练通常是基于自监督学习的方法。"
)


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


def test_a_two_character_item_over_points_is_a_sub_heading_and_alone_a_crumb() -> None:
    # 002, Q21: "- 优点" and "- 缺点" say which points are advantages; without them the
    # drawback "16位浮点数的精度较低…" read as one more advantage
    units = split_units(lines(FILE_002, 457, 466))
    pros = next(u for u in units if u.text == "优点")
    cons = next(u for u in units if u.text == "缺点")
    assert pros.label and cons.label
    assert next(u for u in units if u.text.startswith("减少内存使用")).parent == pros.start
    assert next(u for u in units if u.text.startswith("16位浮点数")).parent == cons.start
    assert [u.text for u in split_units("- 优点\n- 正文在这里。")] == ["正文在这里。"]


def test_a_passage_cut_inside_a_list_knows_the_items_above_it() -> None:
    # 002, "大语言模型的训练步骤都有哪些?": a passage opens on "- 输出: 标签…", under "- 2 微调(SFT…)",
    # "- 输入" and its dataset line; its "- 过程" goes back up to the step, and the 10K~100K
    # line sits under both
    lead = tuple(lines(FILE_002, n, n) for n in (720, 723, 724))
    text = lines(FILE_002, 726, 730)
    units = split_units(text, lead)
    assert units[0].text.startswith("输出: 标签") and units[0].parent == -1
    assert units[0].context[:2] == ("2 微调(SFT, Supervised Fine-Tuning)", "输入")
    assert units[0].context[2].startswith("带标签的数据集")
    process = next(u for u in units if u.text == "过程")
    assert process.context == ("2 微调(SFT, Supervised Fine-Tuning)",) and process.label
    count = next(u for u in units if "10K~100K" in u.text)
    assert count.parent == process.start and count.context == process.context
    assert text[count.start : count.end].startswith("这个阶段的难点")  # offsets in the passage
    # no lead: no context, the same units
    assert [(u.text, u.start) for u in split_units(text)] == [(u.text, u.start) for u in units]


def test_a_paragraph_lifted_above_its_list_is_read_after_it() -> None:
    # 001, 全参数微调需要多少显存: the conversion put the paragraph after the list into the line
    # that announces it ("…以下几个因素：综上所述，…"); its units follow the list's
    text = lines(FILE_001, 405, 410)
    units = split_units(text)
    assert units[0].text == "要确定全参数微调所需的显存量，需要考虑以下几个因素："
    assert [u.item for u in units if not u.rest][:5] == [False, True, True, True, True]
    after = [u for u in units if u.coda]
    assert after == units[-2:] and after[0].text.startswith("综上所述，全参数微调所需的显存量")
    assert text[after[0].start : after[0].end] == after[0].text  # offsets stay true
    # a clause with its text, over no list, is a sentence as before
    assert not any(u.coda for u in split_units(lines(FILE_001, 405, 405)))


def test_two_announcing_clauses_run_together_introduce_nothing() -> None:
    # 001, 灾难性遗忘: "…的原因包括：为了解决灾难性遗忘问题，可以尝试以下方法：综上所述，…"; the
    # list below mixes both lists (four remedies, then two causes): neither clause introduces it
    text = lines(FILE_001, 569, 576)
    units = split_units(text)
    assert [u.text for u in units[:2]] == [
        units[0].text,
        "这种现象常见于神经网络模型的迁移学习或连续学习场景中。",
    ]
    assert not any("原因包括" in u.text or "以下方法" in u.text for u in units)
    assert [u.item for u in units if not u.rest] == [False, False, *[True] * 6, False, False]
    assert units[-2].coda and units[-2].text.startswith("综上所述")
    assert all(text[u.start : u.end] == u.text for u in units if not u.item)


def test_paragraphs_under_titles_of_their_own_are_a_list() -> None:
    # 004, "LangChain 包含哪些特点?": six paragraphs "LLM 和提示：…", "链(Chain)：…",
    # "数据增强生成：…" with no list markers: each is a point, its next sentences go on with it
    units = split_units(lines(FILE_004, 176, 184))
    heads = [u.text.split("：")[0] for u in units if u.item]
    assert heads == ["LLM 和提示", "链(Chain)", "数据增强生成", "Agents", "内存", "评估"]
    assert units[0].text.startswith("LangChain 旨在") and not units[0].item
    assert all(u.rest for u in units if not u.item and u.start > units[1].start)
    # "介绍：…", "代表模型：…" again and again say what the line above them is: plain lines
    assert not any(u.item for u in split_units(lines(FILE_004, 13, 21)))


def test_a_sentence_that_names_what_the_one_before_named() -> None:
    # 001, 微调模型需要多大显存: "这些大型语言模型" are the GPT-2 and GPT-3 of the sentence before
    assert names_back("一般来说，微调这些大型语言模型需要至少16GB以上的显存")
    assert not leans_back("一般来说，微调这些大型语言模型需要至少16GB以上的显存")
    # 002: "这些语料" deep in a long sentence are its own
    sft = "对语料的总体要求是少而精, 问答对的数量一般在10K~100K, 这些语料通常是人工编写的"
    assert not names_back(sft)


def test_an_english_sentence_of_the_notes_that_points_back() -> None:
    # 001, Prompt Templates and Values: "These values…" had opened the answer
    assert leans_back(
        "These values can be dynamically generated or retrieved from external sources."
    )
    assert leans_back("In the above example, we have a prompt template that asks for the capital.")
    assert not leans_back(
        "Prompt Templates and Values are key concepts in the LangChain framework."
    )
    assert not leans_back("Theseus is a name, not a pointer.")


def test_a_passage_cut_inside_a_block_closed_before_chinese_prose_drops_the_code() -> None:
    # 002, the Alpaca example: a passage that starts after the blank line inside the block
    # had given "Instruction. Create a classification task…" as a sentence
    inside = [u.text for u in split_units(lines(FILE_002, 743, 755))]
    assert not any("Create a classification" in t or "Pineapples" in t for t in inside)
    assert inside[0].startswith('"text"部分是一个prompt模板')
    # a passage that ends inside a block opened after Chinese prose keeps only the prose
    opened = [u.text for u in split_units(lines(FILE_002, 730, 736))]
    assert not any("Create a classification" in t or "Apples" in t for t in opened)
    assert opened[0].startswith("这个阶段的难点")


def test_a_line_of_code_that_prints_chinese_is_code() -> None:
    # 004, the DemoChain example, in a passage that starts inside its block (the fences don't
    # pair): "print(chain.run("你好"))[1]." had been a whole answer
    inside = [u.text for u in split_units(lines(FILE_004, 246, 259))]
    assert not any("chain.run" in t or "self.llm" in t or "format(" in t for t in inside)


def test_a_statement_before_a_passage_cut_inside_its_program_stays() -> None:
    # 004, "8.1 LangChain 如何调用 LLMs 生成回复？": "Models: 指各类…" then "```python", whose first
    # line is a comment in Chinese; the passage ends inside the block. The statement had been
    # read as code (the comment as prose after a closing fence), then as the program's caption
    text = [u.text for u in split_units(lines(FILE_004, 188, 198))]
    assert text[0].startswith("Models: 指各类训练好大语言模型")
    assert not any("OpenAI(" in t or "官方llm" in t for t in text)


def test_a_line_under_an_item_that_ends_on_its_title_goes_on_with_it() -> None:
    # 000, the open models: "- 阿里云Qwen2：" and what it is on the next line
    units = split_units(lines(FILE_000, 88, 93))
    qwen = next(i for i, u in enumerate(units) if u.text.startswith("阿里云Qwen2"))
    assert units[qwen].item and units[qwen + 1].rest
    assert units[qwen + 1].text.startswith("这是由阿里云发布的高性能开源模型")
    # an indented line is a line under the item, as before
    under = split_units("- 内在评估：\n    捕获模型捕获它应该捕获的内容的程度。")
    assert under[1].parent == under[0].start and not under[1].rest
    # after an item that says something, a plain line is prose of its own
    after = split_units(
        "- 分块处理：将长文本分割成较短的片段。\n尽管存在以上影响，这些方法通常有效。"
    )
    assert not after[1].rest
