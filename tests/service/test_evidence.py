"""Evidence selection on real corpus passages."""

from __future__ import annotations

from dataclasses import replace

from core.types import Chunk, Hit
from service.compose import compose
from service.evidence import select
from tests.service.grounding_data import (
    FILE_000,
    FILE_001,
    FILE_002,
    FILE_004,
    decoder_only,
    hit,
    lines,
    parroting_causes,
)


def test_section_that_asks_the_question_gives_its_points_in_order() -> None:
    # retrieval put another section first; the heading that asks the question still wins
    ev = select("为什么会出现复读机问题？", [decoder_only(), parroting_causes()])
    assert ev.same_question
    labels = [u.text.split("：")[0] for u in ev.units if u.item]
    assert labels == ["数据偏差", "训练目标的限制", "缺乏多样性的训练数据", "模型结构和参数设置"]
    assert all(u.n == 2 and u.file == FILE_000 for u in ev.units)
    assert all(u.heading_path[-1].startswith("4.2") for u in ev.units)
    assert all(0 <= u.start < u.end for u in ev.units)


def test_an_item_brings_its_second_sentence_on_its_own_line() -> None:
    from service.compose import compose

    # 000, 4.2: each cause's first sentence sets the scene; the second says why it repeats
    ev = select("为什么会出现复读机问题？", [decoder_only(), parroting_causes()])
    lines = compose(ev).text.splitlines()
    assert len(lines) == 4  # still one line per listed cause
    assert lines[0].startswith("- 数据偏差：")
    assert "模型在生成文本时可能会倾向于复制这些常见的模式[2]" in lines[0]
    assert "这样的训练目标可能使得模型更倾向于生成与输入相似的文本" in lines[1]
    # practice grades against the causes themselves: a second sentence is no point of its own
    from service.practice_bank import answer_points

    points = answer_points("为什么会出现复读机问题？", [parroting_causes().chunk])
    assert [u.text.split("：")[0] for u in points if u.item] == [
        "数据偏差", "训练目标的限制", "缺乏多样性的训练数据", "模型结构和参数设置",
    ]  # fmt: skip
    assert not any(u.rest for u in points)


def test_a_number_asked_for_and_missing_from_the_section_joins_from_another() -> None:
    # 001's "SFT 指令微调数据 如何构建？" lists steps and no count; 002 gives the count elsewhere
    steps = hit(FILE_001, 429, 437, ("大模型面试经验", "微调面", "SFT 指令微调数据 如何构建？"))
    count = hit(FILE_002, 726, 730, ("LLM 面试题 Q1–Q30", "大语言模型的训练步骤都有哪些?"), 0.7)
    ev = select("指令微调（SFT）阶段一般需要多少条问答对？", [steps, count])
    assert ev.heading == "SFT 指令微调数据 如何构建？"
    assert "10K~100K" in ev.units[-1].text and ev.units[-1].n == 2
    # not when the question asks for no number
    assert all(u.n == 1 for u in select("SFT 指令微调数据如何构建？", [steps, count]).units)


def test_a_section_the_search_is_sure_of_gives_its_whole_paragraph() -> None:
    # 001: "四、LoRA权重是否可以合入原模型？" is one paragraph; the merge's caveat is its 7th sentence
    path = ("大模型面试经验", "LoRA 篇", "四、LoRA权重是否可以合入原模型？")
    merge = hit(FILE_001, 1670, 1672, path, score=0.88)
    question = "LoRA 训出来的 weights 能不能 merge 回 base model 里？"
    sure = select(question, [merge, replace(decoder_only(), score=0.6)]).units
    assert len(sure) == 7 and "微小的性能损失" in sure[-1].text
    # a close call keeps to the paragraph's first three sentences
    close = select(question, [merge, replace(decoder_only(), score=0.93)]).units
    assert [u.text for u in close if u.n == 1] == [u.text for u in sure[:3]]


def test_copies_in_other_files_are_one_point() -> None:
    first, copy = parroting_causes(), parroting_causes()
    ev = select("为什么会出现复读机问题？", [first, copy])
    assert len([u for u in ev.units if u.item]) == 4  # not eight


def test_hollow_hits_never_give_evidence() -> None:
    bare = parroting_causes()
    hollow = type(bare)(type(bare.chunk)(**{**bare.chunk.__dict__, "hollow": True}), 1.0)
    assert select("为什么会出现复读机问题？", [hollow]).empty


def test_without_a_matching_heading_the_best_section_answers() -> None:
    ev = select("大模型为什么都用 decoder-only？", [decoder_only(), parroting_causes()])
    assert ev.units and {u.n for u in ev.units} == {1}
    assert any("低秩" in u.text for u in ev.units)


def test_a_two_part_question_gets_evidence_for_each_part() -> None:
    from service.grounding import select_parts

    q = "为什么会出现复读机问题？为何现在的大模型大部分是Decoder only结构？"
    ev = select_parts(q, [decoder_only(), parroting_causes()])
    assert {u.n for u in ev.units} == {1, 2}
    # each part's points stay together, in the question's order
    assert ev.units[0].n == 2 and ev.units[-1].n == 1


def test_a_deeper_matching_sentence_joins_its_point() -> None:
    from service.compose import compose

    ev = select("为什么会出现复读机问题？", [parroting_causes()])
    text = compose(ev).text
    lines = text.splitlines()
    assert len(lines) == 4 and all(ln.startswith("- ") for ln in lines)  # still four points
    # the item's second sentence, which names the problem, continues the second point
    assert "导致复读机问题的出现" in lines[1]


def test_a_second_list_keeps_its_lead_in() -> None:
    from service.compose import compose
    from tests.service.grounding_data import hit

    # 001 answers "why" with the causes, then "为了解决复读机问题，可以采取以下策略：" and a
    # second list: without that line the remedies would read as more causes
    both = hit(
        "001_c14bfeaf169b6fab.txt", 318, 331, ("LLMs 复读机问题", "为什么会出现 LLMs 复读机问题？")
    )
    lines = compose(select("为什么会出现 LLMs 复读机问题？", [both])).text.splitlines()
    cut = lines.index("为了解决复读机问题，可以采取以下策略[1]：")
    assert cut == 5 and all(ln.startswith("- ") for ln in lines[1:cut] + lines[cut + 1 :])


def test_a_point_that_ends_in_a_colon_brings_the_lines_under_it() -> None:
    # 002: "公式含义: $C=6DN$" then "- 变量解释:" and one unlisted line per variable
    scaling = hit(FILE_002, 647, 655, ("Scaling Law", "Scaling Law 的经验公式是什么？"))
    ev = select("Scaling Law 的经验公式是什么？", [scaling])
    texts = [u.text for u in ev.units]
    intro = next(i for i, t in enumerate(texts) if t.startswith("变量解释"))
    assert [t[:3] for t in texts[intro + 1 : intro + 5]] == ["$C$", "$D$", "$N$", "$6$"]


def test_a_section_cut_into_two_chunks_is_read_whole_in_order() -> None:
    # 000, 6: eight memory-saving methods; the search found only the chunk from item 5 on
    heading = ("推理", "6. 有哪些省内存的大语言模型训练/微调/推理方法？")
    head, tail = hit(FILE_000, 486, 492, heading), hit(FILE_000, 492, 497, heading)
    ev = select("有哪些省内存的大语言模型训练方法？", [tail, head])
    labels = [u.text.split(" ")[0] for u in ev.units if u.item]
    assert " ".join(labels) == "参数共享 梯度累积 梯度裁剪 分布式训练 量化 剪枝 蒸馏 分块处理"


def test_a_heading_that_asks_without_a_question_mark_gives_its_points() -> None:
    # 001: "痛点4：如何 尽可能召回与query相关的Document 问题"; its items sit elsewhere in the file
    # and ingest re-attaches them (corpus/overrides.toml): the lead, then items 8-15
    heading = "痛点4：如何 尽可能召回与query相关的Document 问题"
    text = lines(FILE_001, 1212, 1212) + "\n" + lines(FILE_001, 1164, 1171)
    assert (
        _item_labels(heading, text, "怎么把召回率提上去？")
        == "建立索引 关键词匹配 向量化表示 上下文建模 扩展查询 语义匹配 实时反馈 多模态信息利用"
    )


def _item_labels(heading: str, text: str, question: str) -> str:
    """The labels of the items `select` gives from one 001 section ("预处理和过滤：…")."""
    path = ("大模型面试经验", heading)
    section = Hit(Chunk("c", FILE_001, path, text, 0, len(text)), 0.9)
    ev = select(question, [section])
    return " ".join(u.text.split("：")[0] for u in ev.units if u.item)


def test_a_heading_that_names_a_pain_point_gives_its_points() -> None:
    # 001: "痛点1：文档切分粒度不好把控，…" names a problem; its five remedies (items 28-32,
    # re-attached by ingest) all answer, not only the two that say 噪声 or 粒度 as the question does
    heading = "痛点1：文档切分粒度不好把控，既担心噪声太多又担心语义信息丢失"
    text = lines(FILE_001, 1194, 1194) + "\n" + lines(FILE_001, 1185, 1190)
    question = "文档切得太碎噪声多、切得太粗又丢语义，切分粒度怎么拿捏？"
    assert (
        _item_labels(heading, text, question)
        == "预处理和过滤 主题建模 上下文信息 动态切分 实验和优化"
    )


def _alternatives() -> tuple[Hit, Hit]:
    """001 says LangChain has no direct alternative; 004, under the same heading, lists some."""
    one = hit(FILE_001, 1102, 1102, ("大模型(LLMs)面试经验", "10. LangChain 替代方案？"))
    other = hit(FILE_004, 362, 365, ("大模型面试经验", "LangChain 替代方案？"), score=0.7)
    return one, other


def test_another_notes_answer_to_the_same_question_follows_under_its_title() -> None:
    ev = select("LangChain 有没有替代方案？", list(_alternatives()))
    first = [u for u in ev.units if not u.other_note]
    others = [u for u in ev.units if u.other_note]
    assert first and "LangChain是一个独特的框架" in first[0].text
    assert others and {u.other_note for u in others} == {"大模型面试经验"}
    assert any("LlamaIndex" in u.text for u in others)
    assert ev.units[: len(first)] == tuple(first)  # the answer first, the other note after


def test_a_copy_in_another_file_is_no_other_answer() -> None:
    one = parroting_causes()
    copy = Hit(Chunk("copy", "copy.txt", one.chunk.heading_path, one.chunk.text, 0, 1), 0.8)
    ev = select("为什么会出现复读机问题？", [one, copy])
    assert not any(u.other_note for u in ev.units)


def test_another_note_silent_on_the_name_asked_about_stays_out() -> None:
    # 004 answers with Tiktoken; 001, under the same heading, only says token use is efficient
    heading = "1. LangChain 低效的令牌使用问题"
    tiktoken = hit(FILE_004, 345, 347, ("大模型面试经验", heading))
    efficient = hit(FILE_001, 1087, 1091, ("大模型(LLMs)面试经验", heading), score=0.8)
    asked = select("Tiktoken 是谁开发的？", [tiktoken, efficient])
    assert asked.units and not any(u.other_note for u in asked.units)
    # asked about the topic itself, the other note's contrary answer follows
    topic = select("LangChain 的令牌使用效率低吗？", [tiktoken, efficient])
    assert any(u.other_note and "高效" in u.text for u in topic.units)


def test_a_sentence_on_what_the_heading_does_not_ask_joins() -> None:
    from service.compose import compose

    # 001: "训练中文大模型有啥经验？" lists seven points; the tools the question asks for are
    # the first item's second sentence, outscored by sentences that repeat the heading's words
    h = hit(FILE_001, 525, 535, ("大模型面试经验", "微调面", "训练中文大模型有啥经验？"))
    text = compose(select("训练中文大模型时推荐用哪些中文分词工具？", [h])).text
    assert "jieba、pkuseg" in text
    # and it continues its own point, not a point of its own
    assert "jieba" in next(ln for ln in text.splitlines() if ln.startswith("- 数据预处理"))


def test_subsections_answer_the_question_heading_above_them_together() -> None:
    from service.compose import compose

    # 000: "prefix LM 和 causal LM 区别是什么？" answers in two subsections; the search ranked
    # "● Causal LM" first, which alone would leave Prefix LM out of a comparison
    top = ("大模型面试宝典", "prefix LM 和 causal LM 区别是什么？")
    hits = [
        hit(FILE_000, 121, 127, (*top, "● Causal LM"), score=1.0),
        hit(FILE_000, 106, 119, (*top, "● Prefix LM"), score=0.87),
        hit(FILE_000, 103, 105, top, score=0.8),
    ]
    ev = select("prefix LM 和 causal LM 的 attention mask 有什么不同？", hits)
    assert ev.heading == top[-1]
    lines = compose(ev).text.splitlines()
    # the question section's lead, then one point per subsection, in the notes' order
    assert lines[0].startswith("Prefix LM（前缀语言模型）和Causal LM（因果语言模型）")
    assert [ln[:4] for ln in lines[1:]] == ["- 而在", "- Ca"]
    assert "Prefix LM在Encoder部分采用Auto Encoding" in lines[1]


def test_the_point_the_question_asks_about_comes_whole() -> None:
    # 000, "1. 简单介绍强化学习？": its second item is the question; its third sentence (after
    # the page break ingest joins again, 515 + 520) says how RL rewards abstaining
    text = "\n".join(
        [lines(FILE_000, 506, 514), lines(FILE_000, 515, 515) + lines(FILE_000, 520, 520),
         lines(FILE_000, 522, 522)]
    )  # fmt: skip
    heading = ("大模型面试宝典", "强化学习", "1. 简单介绍强化学习？")
    rl = Hit(Chunk("rl", FILE_000, heading, text, 5060, 5060 + len(text)), 0.9, 0.9, 3.0)
    asked = select("强化学习为什么更容易解决幻觉问题？", [rl]).units
    assert any("放弃回答的答案赋予中低分数" in u.text for u in asked)
    # a question about the whole section keeps each point to its first sentences
    whole = select("强化学习在大语言模型上有什么重要作用？", [rl]).units
    assert not any("放弃回答的答案赋予中低分数" in u.text for u in whole)
    assert sum(u.item for u in whole) == 3


def test_a_later_sentence_of_an_item_never_comes_without_its_first() -> None:
    # 000, 5: four listed problems of PEFT; the fourth item's second sentence ("这些拷贝…")
    # matches the question, and alone it read as part of the point before it (dev-020)
    problems = hit(FILE_000, 411, 418, ("大模型面试宝典", "5. 当前高效微调技术存在的一些问题"))
    ev = select("git fork 难以找出改了哪里", [problems])
    texts = [u.text for u in ev.units]
    copies = next(i for i, t in enumerate(texts) if t.startswith("这些拷贝也不使用git fork"))
    assert copies > 0 and "代码实现可读性差" in texts[copies - 1] and ev.units[copies].rest


def test_a_repeat_stays_when_the_next_sentence_points_back_to_it() -> None:
    from service.section_units import new_points, units_of

    # 001, 1.: "LangChain 是一个…框架…。它的核心思想是…": the first sentence is one the answer
    # already has (000's copy), the second leans on it (dev-033)
    langchain = hit(FILE_001, 646, 646, ("大模型（LLMs）langchain面", "1. 什么是 LangChain?"))
    units = units_of(2, langchain, set())
    said = [u for u in units if "LangChain 是一个基于语言模型的框架" in u.text]
    assert said and units[units.index(said[0]) + 1].text.startswith("它的核心思想")
    kept = new_points(units, said)
    assert kept[:2] == units[units.index(said[0]) : units.index(said[0]) + 2]
    # without a sentence pointing back, a repeat is still left out
    assert new_points(said, said) == []


def test_a_question_on_one_sub_heading_gets_that_sub_heading() -> None:
    # 002, Q19 asks what LoRA is and what its limits are; the limits sit under the sub-heading
    # item "LoRA微调方法的局限性", past the first eight points of the section
    path = ("大模型面试宝典", "Q19 LoRA是什么? LoRA微调方法的局限性")
    hits = [hit(FILE_002, 387, 425, path)]
    text = compose(select("LoRA 本身有哪些局限？", hits)).text
    assert text.startswith("- LoRA微调方法的局限性[1]：\n  尽管LoRA提供了许多优点")
    assert "任务复杂性限制" in text and "权重分解" not in text
    # one that asks in the heading's own words for one of its two questions, too: the section's
    # first points reached only the line that announces the list (hk-025)
    for asked in ("LoRA 微调方法有哪些局限性？", "What are the limitations of LoRA?（局限）"):
        text = compose(select(asked, hits)).text
        assert text.startswith("- LoRA微调方法的局限性[1]：") and "任务复杂性限制" in text
    # the question the heading asks gets the section as it is; one that names a point by its
    # title ("训练过程:") gets that point (service/asked_part.py `asked_point`)
    assert compose(select("LoRA是什么? LoRA微调方法的局限性", hits)).text.startswith("- 低秩自适应")
    process = compose(select("LoRA 的训练过程？", hits)).text
    assert process.startswith("- 训练过程[1]。\n  - 在特定任务中") and "低秩自适应" not in process


def test_a_long_section_that_asks_the_question_is_read_from_its_start() -> None:
    # 002, Q21 in four chunks, the search ranking the step "7 精度恢复" first: the answer opens
    # on what half-precision training is, its advantages and drawbacks each under their name
    heading = ("LLM 面试题 Q1–Q30", "半精度训练, 混合精度训练都是什么?")
    first, second, third, fourth = (
        hit(FILE_002, a, b, heading) for a, b in ((457, 470), (470, 480), (480, 492), (492, 500))
    )
    ev = select("半精度训练, 混合精度训练都是什么?", [third, second, fourth, first])
    texts = [u.text for u in ev.units]
    assert texts[:2] == ["半精度训练(Half-Precision Training)", texts[1]]
    assert texts[1].startswith("半精度训练是指在模型训练中使用16-bit浮点数(FP16)")
    pros, cons = texts.index("优点"), texts.index("缺点")
    assert pros < texts.index("减少内存使用, 能够在相同的硬件上处理更大的模型.") < cons
    assert texts[cons + 1].startswith("16位浮点数的精度较低")


def test_a_topic_entered_mid_item_drops_a_first_line_that_points_back() -> None:
    # 002, Q25 in four chunks; the search lands on the one cut inside Skip-Gram's 输入 item,
    # whose first line "例如, 目标词为`sits`…" is an example of a sentence left in the chunk before
    word2vec = ("大模型面试八股", "Q25 `Word2Vec`的原理是什么?")
    a, b, d = (hit(FILE_002, x, y, word2vec) for x, y in ((553, 562), (563, 575), (589, 600)))
    text = lines(FILE_002, 582, 588)
    text = text[text.index("例如") :]
    landed = Hit(Chunk("c", FILE_002, word2vec, text, 5820, 5820 + len(text)), 0.95, 0.9, 3.0)
    ev = select("Skip-Gram 适合什么场景？", [landed, a, b, d])
    assert ev.units and not ev.units[0].text.startswith("例如")
    assert any(u.text.startswith("在稀疏数据中表现更好") for u in ev.units)


def test_a_question_that_names_one_listed_point_gets_that_point_alone() -> None:
    # 000, "5. 大模型生成时的参数怎么设置？": four parameters; the question names one by its title
    sampling = hit(FILE_000, 472, 482, ("大语言模型基础", "5. 大模型生成时的参数怎么设置？"))
    ev = select("生成时调整波束搜索宽度会影响什么？", [sampling])
    assert ev.point and ev.by_name
    assert [u.text[:6] for u in ev.units] == ["波束搜索宽度", "波束搜索宽度"]  # the item, its next
    # the section's own question gets the list
    assert not select("大模型生成时的参数怎么设置？", [sampling]).point
    # one that names two of its points whole gets those two, in the notes' order (held-out
    # hd-031 asked for three of four ways to speed up fine-tuning, and got all four)
    both = select("生成时 Top p 和波束搜索宽度各影响什么？", [sampling])
    assert both.point
    assert [u.text[:5] for u in both.units if u.item] == ["波束搜索宽", "Top p"]


def test_of_two_alike_titles_the_one_the_question_says_whole_is_the_point() -> None:
    # 000, "9. 为什么LLM会产生幻觉？": "无意识的源-目标差异" and "有意识的源-目标差异" share all
    # but a character; the question quotes the first
    causes = hit(FILE_000, 672, 690, ("大语言模型评估", "9. 为什么LLM会产生幻觉？"))
    ev = select("讲幻觉成因里的“无意识的源-目标差异”时，笔记举了什么例子来说明？", [causes])
    assert ev.point and ev.units[0].text.startswith("无意识的源-目标差异")
    assert not any("有意识的源-目标差异" in u.text for u in ev.units)


def test_a_point_named_beside_its_sections_own_question_comes_alone() -> None:
    # 000, "5. 如何让大模型处理更长的文本？": the question is the heading's plus one method's title
    longer = hit(FILE_000, 175, 189, ("大语言模型基础", "5. 如何让大模型处理更长的文本？"))
    ev = select("层次建模怎么帮助大模型处理更长的文本？", [longer])
    assert ev.point and [u.text[:4] for u in ev.units] == ["层次建模", "例如，可", "这样可以"]
    # a title that shares a word with the heading ("数据重采样", 领域数据), and a title of three
    # characters ("元学习")
    heading = ("微调", "7. 领域数据训练后，通用能力往往会有所下降，如何缓解模型遗忘通用能力？")
    resample = select(
        "数据重采样怎么帮助缓解领域训练后模型遗忘通用能力的问题？",
        [hit(FILE_001, 451, 459, heading)],
    )
    assert resample.point and resample.units[0].text.startswith("数据重采样：")
    inject = hit(FILE_001, 1915, 1929, ("微调", "1 如何给LLM注入领域知识？"))
    meta = select("给LLM注入领域知识时，元学习有什么用？", [inject])
    assert meta.point and meta.units[0].text.startswith("元学习：")
    # a short title whose words the heading says in part ("内在幻觉" under "幻觉有哪些不同类型？")
    # does not stand for the question: "外部幻觉" is asked too, by another name
    kinds = hit(FILE_000, 664, 669, ("大语言模型基础", "8. 幻觉有哪些不同类型？"))
    both = select("内在幻觉和外在幻觉怎么区分？", [kinds])
    assert not both.point and any(u.text.startswith("外部幻觉") for u in both.units)


def test_a_point_named_in_a_section_that_asks_nothing_comes_alone() -> None:
    # 001, "高效微调技术最佳实践": a topic, not a question; the question names its fifth point
    path = ("大模型面试经验", "大模型（LLMs）参数高效微调(PEFT) 面", "高效微调技术最佳实践")
    ev = select("微调时为什么要用早停策略？", [hit(FILE_001, 1297, 1305, path)])
    assert ev.point and [u.text[:4] for u in ev.units] == ["早停策略", "可以监测"]


def test_a_point_title_with_an_english_gloss_is_still_a_title() -> None:
    # 002, Q25 Word2Vec: "层次`Softmax`(`Hierarchical Softmax`):" is 35 characters, a title
    # all the same: its gloss and code marks don't make it a statement
    word2vec = hit(FILE_002, 611, 621, ("大模型面试八股", "Q25 `Word2Vec`的原理是什么?"))
    ev = select("How does hierarchical softmax make Word2Vec training cheaper?", [word2vec])
    assert ev.point and [u.text[:7] for u in ev.units] == ["层次`Soft", "将词表组织成树"]


def test_a_point_titled_with_two_names_is_named_by_both() -> None:
    # 000, 4.3: five remedies for the 复读机 problem; an English question for "后处理和过滤" reaches
    # it through the glossary's terms (后处理、过滤), without the bigrams across the 和
    remedies = hit(FILE_000, 164, 171, ("大语言模型基础", "4.3 如何缓解 LLMs 复读机问题？"))
    asked = "How can post-processing and filtering help with repetition?（后处理、过滤）"
    ev = select(asked, [remedies])
    assert ev.point and ev.units[0].text.startswith("后处理和过滤：对生成的文本进行后处理和过滤")


def test_a_paragraph_lifted_above_its_list_follows_the_list_over_two_chunks() -> None:
    # 001, 训练中文大模型有啥经验: "…以下经验可能会有所帮助：需要注意的是，…" holds the paragraph
    # after the list; the section is cut after item 3, and that paragraph still comes last, on
    # its own line, not as more of item 3
    heading = ("微调", "8. 训练中文大模型有啥经验？")
    head, tail = hit(FILE_001, 525, 530, heading), hit(FILE_001, 530, 534, heading)
    ev = select("训练中文大模型有啥经验？", [head, tail])
    assert ev.units[0].text == "训练中文大模型时，以下经验可能会有所帮助："
    # "因此，…" matches best, and brings the sentence it points back to
    assert [u.coda for u in ev.units[-3:]] == [False, True, True]
    assert ev.units[-3].n == 2 and ev.units[-3].rest  # item 7's second sentence
    assert ev.units[-2].text.startswith("需要注意的是") and ev.units[-1].text.startswith("因此")
    text = compose(ev).text
    assert text.splitlines()[-1].startswith("需要注意的是，中文的复杂性")


def test_a_lead_in_right_above_the_list_comes_with_the_lead_and_names_the_points() -> None:
    # 001, 领域数据训练后…如何缓解: "当使用领域数据进行训练后，…的问题。以下是一些缓解模型遗忘通用能力
    # 的方法：" over six titled methods; the lead-in joins the statement and takes no point's place
    heading = ("微调", "7. 领域数据训练后，通用能力往往会有所下降，如何缓解模型遗忘通用能力？")
    question = "领域数据训练后，通用能力往往会有所下降，如何缓解模型遗忘通用能力？"
    ev = select(question, [hit(FILE_001, 451, 459, heading)])
    assert ev.units[1].text == "以下是一些缓解模型遗忘通用能力的方法："
    assert sum(u.item for u in ev.units) == 6
    first = compose(ev).text.splitlines()[0]
    assert first.endswith(
        "以下是一些缓解模型遗忘通用能力的方法：保留通用数据、增量学习、预训练和微调、"
        "强化学习、领域适应技术、数据重采样[1]。"
    )


def test_a_sentence_about_the_text_itself_is_no_evidence() -> None:
    # 000, "3. PEFT 有什么优点?" opens "在这里, 只讨论PEFT相对于传统微调的好处。因此, 理解为什么
    # 参数有效的微调比微调更有益。": what the article will discuss, and a sentence that points
    # back to it; the answer opens on the first benefit
    from service.section_units import units_of

    benefits = hit(FILE_000, 388, 394, ("大语言模型基础", "3. PEFT 有什么优点?"))
    texts = [u.text for u in units_of(1, benefits, set())]
    assert not any("只讨论" in t or "理解为什么" in t for t in texts)
    assert texts[0].startswith("减少计算和存储成本")


def test_a_close_runner_up_whose_sentence_says_it_answers_first() -> None:
    # 002: Q2's table of 词表 ranked a little above Q7, whose sentence on character tokenization
    # says what is asked; Q2's best sentence is about multilingual vocabularies
    vocab = hit(
        FILE_002, 98, 107, ("大模型面试宝典", "Q2 解释LLM中Token, 词表, 语义空间的概念."), 1.0
    )
    tok = hit(FILE_002, 205, 208, ("大模型面试宝典", "Q7 LLM中的tokenization技术"), 0.92)
    units = select("按字符做分词为什么往往需要更大的模型和更多算力？", [vocab, tok]).units
    assert units[0].n == 2 and any("更大的模型和更多的计算资源" in u.text for u in units)
    assert not any("多语言" in u.text for u in units)  # the weaker section pads nothing
    # far apart in the search, the first stays first whatever its sentences say
    far = replace(tok, score=0.5)
    assert select("按字符做分词为什么往往需要更大的模型和更多算力？", [vocab, far]).units[0].n == 1


def test_an_english_question_keeps_the_search_order_of_chinese_sections() -> None:
    # 002: the English question shares only the English gloss "Next Sentence Prediction" with
    # the GPT/BERT comparison's sentence; that names the task, Q6's section says what it is
    nsp = hit(FILE_002, 200, 201, ("大模型面试宝典", "Q6 什么是NSP预训练任务"), 0.945)
    gpt_bert = hit(FILE_002, 288, 308, ("大模型面试宝典", "Q13 GPT和BERT的区别是什么?"), 0.887)
    question = "What is BERT's Next Sentence Prediction (NSP) task, and what does it help learn?"
    units = select(question, [nsp, gpt_bert]).units
    assert units[0].n == 1 and "NSP的目标是预测一个句子是否逻辑上遵循" in units[1].text


def test_an_aspect_asked_in_other_words_gets_the_sub_list_that_names_it() -> None:
    # 001's "涌现能力是啥原因?" ranks first; 002's "大模型涌现是什么?" answers under sub-headings
    # ("典型表现", "挑战与问题:") that share no word with "体现在哪些能力上" or barely one
    causes = hit(FILE_001, 271, 279, ("基础面", "3 涌现能力是啥原因?"), score=0.95)
    what = hit(FILE_002, 529, 550, ("面试题", "Q24 大模型涌现是什么?"), score=0.85)
    ev = select("大模型出现涌现时，通常体现在哪些能力上？", [causes, what])
    assert [u.text[:4] for u in ev.units][:2] == ["典型表现", "语言理解"]
    assert not ev.by_name  # found by its aspect, not a name: the score gate still judges it
    assert not any("数据量的增加" in u.text for u in ev.units)
    ev = select("涌现又带来了哪些挑战？", [causes, what])
    assert ev.units[0].text.startswith("挑战与问题") and len(ev.units) == 4
    # a question of two aspects ("优缺点") gets the section
    both = select("大模型涌现有哪些优点和挑战？", [causes, what])
    assert not both.units[0].text.startswith(("典型表现", "挑战与问题"))


Q2 = ("面试题", "Q2 解释LLM中Token, 词表, 语义空间的概念.")


def _expansion() -> Hit:
    """001's 词表扩增 section: it ranks first for questions on vocabularies."""
    return hit(FILE_001, 504, 510, ("微调面", "领域模型词表扩增是不是有必要的？"), score=0.95)


def test_of_two_sub_lists_of_the_aspect_the_one_on_what_the_question_names_answers() -> None:
    # 002's Q2 has "Token的挑战" and "词表的挑战"
    terms = hit(FILE_002, 19, 115, Q2, 0.85)
    ev = select("大模型的词表会遇到哪些挑战？", [_expansion(), terms])
    points = ["词表的挑战", "稀有词处理.", "多语言平衡.", "存储与计算."]
    assert [u.text for u in ev.units if u.item] == points


def test_a_point_of_the_aspect_that_is_a_sub_heading_brings_its_lines() -> None:
    # "Token数量" and "分词精度" under "Token的挑战" say nothing alone
    tokens = hit(FILE_002, 19, 73, Q2)
    ev = select("把文本切成 Token 这一步，会带来哪些挑战？", [tokens, _expansion()])
    texts = [u.text for u in ev.units]
    assert texts[:3] == [
        "Token的挑战",
        "Token数量",
        "长文本会被切分成大量Token, 可能导致模型处理效率下降.",
    ]
    assert "分词器可能导致语义误解." in texts


def test_what_a_thing_is_for_is_an_aspect() -> None:
    # "干嘛用": the sub-list "词表的作用"
    vocab = hit(FILE_002, 74, 95, Q2)
    ev = select("词表在模型的输入端和输出端分别干嘛用？", [vocab, _expansion()])
    assert [u.text for u in ev.units if u.item] == ["词表的作用", "输入表示.", "输出生成."]


def test_what_the_question_sets_aside_picks_no_point() -> None:
    # 001, "16. 💡 多轮对话任务如何微调模型？": a lead that ends on the tricks, then seven steps
    heading = ("大模型面试经验", "微调面", "16. 💡 多轮对话任务如何微调模型？")
    steps = hit(FILE_001, 557, 565, heading)
    q = "多轮对话任务做微调时，除了常规的数据准备、微调、评估这些步骤，笔记还建议用哪些技巧？"
    units = select(q, [steps]).units
    assert any("对抗训练" in u.text for u in units)
    # asked about that step itself, the step is the answer
    step = select("多轮对话任务做微调时，数据准备要收集什么样的数据？", [steps]).units
    assert any("对话历史" in u.text for u in step)


def test_a_heading_that_asks_to_explain_is_a_question() -> None:
    # 002, "Q2 解释LLM中Token, 词表, 语义空间的概念.": its tokenizers, one kind per item
    q2 = ("LLM 面试题 Q1–Q30", "解释LLM中Token, 词表, 语义空间的概念.")
    tokenizers = hit(FILE_002, 40, 48, q2)
    units = select("子词级、字符级、字节级这几种分词器各有什么优缺点？", [tokenizers]).units
    said = " ".join(u.text for u in units)
    assert "Word-levelTokenizer" in said and "Character-levelTokenizer" in said
    assert "词表小, 能够处理生僻词" in said


def test_an_english_passage_silent_on_the_name_asked_gives_way_to_one_that_says_it() -> None:
    # the embedding put LangChain's English agents passage first for an English question on T5
    agents = hit(
        FILE_001, 818, 822, ("大模型面试经验", "LangChain 中 Agents and Toolkits 是什么？")
    )
    models = hit(FILE_000, 84, 96, ("大语言模型基础", "1. 目前主流的开源模型体系有哪些？"), 0.7)
    question = "Which organization released T5, and what NLP tasks can it be used for?"
    ev = select(question, [agents, models])
    assert ev.units[0].n == 2
    # the one listed point titled with the one name it asks about is the answer
    assert [u.text[:25] for u in ev.units if u.item] == ["T5 (Text-to-Text Transfer"]
    assert ev.by_name and "由Google发布" in ev.units[0].text
    # a question that names nothing the passages say keeps the search's order
    ev = select("What are agents and toolkits used for?", [agents, models])
    assert ev.units[0].n == 1


def test_a_title_in_the_scene_of_a_question_for_several_things_is_not_what_is_asked() -> None:
    # 002's GPT steps: "生成文本" is the last step's title, and the end of the range the
    # question sets ("从处理原始文本到最后生成文本"); what it asks for is the steps
    gpt = hit(FILE_002, 312, 328, ("LLM 面试题 Q1–Q30", "GPT和BERT的区别是什么?"))
    q = "按笔记的描述，GPT 从处理原始文本到最后生成文本，实现过程大致分哪几步？"
    ev = select(q, [gpt])
    said = "\n".join(u.text for u in ev.units)
    assert not ev.point and "GPT实现过程大致如下" in said and "词嵌入" in said
    # asked about by itself, the step is the answer
    ev = select("GPT 预训练完成后怎么生成文本？", [gpt])
    assert ev.point and ev.units[0].text.startswith("生成文本")


def test_a_sub_heading_asked_about_gives_all_its_lines_not_only_its_first() -> None:
    # 002's "词表的设计权衡" has three lines; the section's answer reached only the first (the
    # line that says what a sub-heading is), which had read as the answer reaching it already
    vocab = hit(FILE_002, 84, 105, ("LLM 面试题 Q1–Q30", "解释LLM中Token, 词表, 语义空间的概念."))
    ev = select("设计词表时一般还要在哪些方面做权衡？", [vocab])
    said = [u.text.split(":")[0] for u in ev.units]
    assert said == ["词表的设计权衡", "词表大小", "语言覆盖", "任务需求"]
