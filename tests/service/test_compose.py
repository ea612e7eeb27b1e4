"""Composition: lines about the notes (another note's answer, only the closest section) stand
on their own and are kept by the check as they are."""

from __future__ import annotations

from dataclasses import replace

from core.text import sentence_spans
from core.types import Hit
from service.compose import Sentence, compose, render
from service.compose import with_overview as compose_overview
from service.evidence import select
from service.grounding import finish, ground, select_parts
from service.keyterms import squash
from service.support import SupportChecker
from tests.service.grounding_data import FILE_000, FILE_001, FILE_002, decoder_only, hit, lines
from tests.service.test_evidence import _alternatives

QUESTION = "LangChain 有没有替代方案？"


def test_another_note_starts_its_own_line_in_the_questions_language() -> None:
    ev = select(QUESTION, list(_alternatives()))
    zh = compose(ev).text.split("\n")
    assert "另一份笔记（大模型面试经验）对同一问题的回答：" in zh  # a line of its own
    assert "LlamaIndex" in zh[-1]
    en = compose(ev, english=True).text
    assert "Another note (大模型面试经验) answers the same question:" in en


def test_the_check_keeps_the_line_and_every_cited_sentence_stays_cited() -> None:
    g = ground(QUESTION, list(_alternatives()))
    final = finish(g, SupportChecker())
    assert "另一份笔记（大模型面试经验）对同一问题的回答：" in final.text
    assert final.cited == (1, 2)
    assert not [v for v in final.removed if v.reason == "uncited"]


def test_the_line_does_not_count_as_a_verified_sentence() -> None:
    final = finish(ground(QUESTION, list(_alternatives())), SupportChecker())
    assert 0.0 < final.support.verified <= 1.0


def _close_call() -> list[Hit]:
    # dev-001's search: "Token 重复" first, by 0.006, and neither heading asks the question
    path = ("LLM Tokenizer", "1 预训练数据 Token 重复 是否影响 模型性能？")
    return [hit(FILE_001, 1947, 1955, path, score=0.916), replace(decoder_only(), score=0.910)]


def test_a_close_call_says_it_is_only_the_closest_section() -> None:
    question = "为什么大模型会一直重复同一句话？"
    ev = select(question, _close_call())
    # the runner-up (why LLMs are decoder-only) says far less of what is asked: no padding
    assert ev.closest == ("1 预训练数据 Token 重复 是否影响 模型性能？",)
    final = finish(ground(question, _close_call()), SupportChecker())
    first = final.text.split("\n")[0]
    assert first.startswith("笔记里没有找到明确对应这个问题的一节，以下取自最接近的「1 预训练数据")
    assert final.support.level != "high" and final.support.verified == 1.0  # not a claim
    # a heading that asks the question is no close call
    assert not select("预训练数据 Token 重复是否影响模型性能？", _close_call()).closest


def test_a_close_call_shows_a_third_section_that_is_as_close() -> None:
    from tests.service.grounding_data import parroting_causes

    question = "为什么大模型会一直重复同一句话？"
    near = [*_close_call(), replace(parroting_causes(), score=0.9)]  # the 复读机 causes, close
    ev = select(question, near)
    # the 复读机 causes join; the decoder-only runner-up between them pads nothing
    assert ev.closest == (
        "1 预训练数据 Token 重复 是否影响 模型性能？", "4.2 为什么会出现 LLMs 复读机问题？"
    )  # fmt: skip
    assert any(u.text.startswith("数据偏差") and u.n == 3 for u in ev.units)
    # further behind, or a part of a longer question (its answer has no closest line): not
    far = [*_close_call(), replace(parroting_causes(), score=0.70)]
    assert len(select(question, far).closest) == 1
    assert not any(u.n == 3 for u in select(question, near, whole=question + "怎么办？").units)


def test_a_close_calls_runner_up_gives_all_its_points() -> None:
    from tests.service.grounding_data import FILE_000

    # 000, 4.3: six ways to ease the 复读机 problem; post-processing is the fifth
    ease = hit(FILE_000, 162, 172, ("大语言模型基础", "4.3 如何缓解 LLMs 复读机问题？"), 0.95)
    ev = select("为什么大模型会一直重复同一句话？", [*_close_call()[:1], ease])
    labels = [u.text.split("：")[0] for u in ev.units if u.n == 2 and u.item]
    assert labels[-2:] == ["后处理和过滤", "人工干预和控制"] and len(labels) == 6


def test_a_checked_llm_draft_also_says_it_is_only_the_closest_section() -> None:
    question = "为什么大模型会一直重复同一句话？"
    draft = (
        "预训练数据中的Token重复可以对模型性能产生一定的影响，具体影响取决于重复的程度和上下文[1]。"
    )
    final = finish(ground(question, _close_call()), SupportChecker(), draft)
    lines = final.text.split("\n")
    assert lines[0].startswith("笔记里没有找到明确对应这个问题的一节") and "Token重复" in lines[1]


def test_a_line_the_notes_cut_at_a_comma_ends_without_it() -> None:
    from service.evidence import Evidence, EvidenceUnit

    # 002, Adaptive Softmax: the notes' line stops at "…的时间复杂度),"
    text = "每次进行完全的softmax会有非常大的计算量, 很耗时(每次预测一个token都需要O(|V|)的时间复杂度),"
    unit = EvidenceUnit(1, text, "c", "f", ("h",), 0, len(text), False, 1.0)
    assert compose(Evidence((unit,), False, "h")).text.endswith("的时间复杂度)[1].")


def test_every_sentence_of_a_unit_carries_the_marker() -> None:
    # one unit, two sentences of the answer: the first must not read as uncited (dev-049's
    # GGUF file names, when the notes' split did not cut before the quote)
    line = (
        'Y(例如 K, K_S, K_M, K_L, 0)代表量化类型和级别. "K" 表示使用了 K-Quants 量化,  "K_S", '
        '"K_M", "K_L"  是 K-Quants 的不同变体 (Small, Medium, Large), "0" 或没有字母可能表示更基础的'
        "量化方法."
    )
    text = render([Sentence(line, (1,))])
    assert text.startswith('Y(例如 K, K_S, K_M, K_L, 0)代表量化类型和级别[1]. "K" 表示')
    assert text.endswith("更基础的量化方法[1].")
    assert all("[1]" in text[a:b] for a, b in sentence_spans(text))
    assert render([Sentence("LoRA 只训练低秩矩阵。", (1, 2))]) == "LoRA 只训练低秩矩阵[1][2]。"


def test_english_sentences_of_one_paragraph_keep_their_space() -> None:
    # the notes quote LangChain's docs in English (dev-068); Chinese sentences run on
    english = [Sentence("Indexes and Retrievers are components.", (1,)),
               Sentence("Indexes are used to store data.", (1,))]  # fmt: skip
    assert (
        render(english)
        == "Indexes and Retrievers are components[1]. Indexes are used to store data[1]."
    )
    chinese = [Sentence("LoRA 冻结预训练权重。", (1,)), Sentence("LoRA 只训练低秩矩阵。", (1,))]
    assert render(chinese) == "LoRA 冻结预训练权重[1]。LoRA 只训练低秩矩阵[1]。"


def test_nested_points_stay_nested_under_their_sub_heading() -> None:
    # 002, Q12: the steps sit under "RLHF 完整训练过程", each step over its own lines
    rlhf = hit(FILE_002, 244, 255, ("大模型面试宝典", "Q12 RLHF完整训练过程是什么?"))
    text = compose(select("RLHF 完整训练过程是什么？", [rlhf])).text
    # the paragraph under the sub-heading that opens on its name says what RLHF is
    assert "- RLHF 完整训练过程[1]：RLHF (Reinforcement Learning from Human Feedback), 即" in text
    assert "指导模型学习生成高质量的文本[1].\n  RLHF 完整训练过程主要包括以下几个步骤[1]:" in text
    assert "\n  - 1 预训练语言模型 (Pre-trained Language Model)[1]：\n    - 首先, " in text
    assert "\n  - 2 监督微调 (Supervised Fine-tuning)[1]：\n    - 在预训练模型的基础上" in text


def test_a_sub_heading_brings_the_line_under_it() -> None:
    # 002, Q21: "- 9 评估与监控" alone says nothing; the line under it does
    mixed = hit(FILE_002, 511, 516, ("大模型面试宝典", "Q21 半精度训练, 混合精度训练都是什么?"))
    text = compose(select("混合精度训练是什么？", [mixed])).text
    assert "- 9 评估与监控[1]：和半精度训练一样, 评估阶段一般会将模型恢复为FP32格式" in text


def test_a_lead_that_announces_a_list_names_its_points_and_the_check_keeps_it() -> None:
    # 001, ii: "…可能有以下几个原因" over four titled causes
    question = "为什么会出现复读机问题？"
    g = ground(
        question,
        [hit(FILE_001, 318, 324, ("大语言模型基础", "ii. 为什么会出现 LLMs 复读机问题？"))],
    )
    first = g.composed.text.splitlines()[0]
    assert first == (
        "出现LLMs复读机问题可能有以下几个原因：数据偏差、训练目标的限制、缺乏多样性的训练数据、"
        "模型结构和参数设置[1]。"
    )
    final = finish(g, SupportChecker())
    assert final.text.splitlines()[0] == first and not final.removed


def test_a_lead_that_names_nothing_or_names_them_already_stays_as_it_is() -> None:
    points = [Sentence("数据偏差：训练数据重复。", (1,), point=True)] * 2
    for lead in ("复读机问题是一种现象。", "幻觉主要可以分为两类：即内在幻觉和外在幻觉。"):
        out = compose_overview([Sentence(lead, (1,)), *points])
        assert out[0].text == lead
    untitled = [Sentence("首先是直接评估指标这一类别。", (1,), point=True)] * 2
    out = compose_overview([Sentence("评估方法有以下三类。", (1,)), *untitled])
    assert out[0].text == "评估方法有以下三类。"


def test_a_second_part_s_lead_named_with_its_points_still_opens_a_paragraph() -> None:
    # held-out hr-017: Scaling Law's sentence answered the first part; the second part's lead
    # ("…的原因主要有以下几点") got its points' titles and lost its new paragraph
    points = [Sentence(f"{t}：占用显存。", (2,), point=True) for t in ("模型参数", "输入数据")]
    lead = Sentence("推理时显存涨得很多的原因主要有以下几点：", (2,), para=True)
    out = compose_overview([Sentence("Scaling Law 是一种规律。", (1,)), lead, *points])
    assert out[1].para and out[1].text.endswith("模型参数、输入数据。")
    assert render(out).splitlines()[1].startswith("推理时显存")


def test_an_overview_leaves_out_a_title_s_last_aside_and_another_notes_points() -> None:
    lead = Sentence("具体的计算步骤如下：", (1,))
    steps = [
        Sentence("计算查询 (Query)：查询是当前时间步的输入。", (1,), point=True),
        Sentence("计算键 (Key) 和值 (Value)：键表示其他位置的信息。", (1,), point=True),
    ]
    out = compose_overview([lead, *steps])
    assert out[0].text == "具体的计算步骤如下：计算查询、计算键 (Key) 和值。"
    # under another note's line the answer shows only its first points: no overview there
    other = Sentence("另一份笔记（大模型面试经验）对同一问题的回答：", (), remark=True)
    said = [Sentence("评测要看多方面。", (1,)), other, Sentence("评测涉及以下几个方面：", (2,))]
    assert compose_overview([*said, *steps]) == [*said, *steps]


def test_an_overview_names_only_its_own_section_s_points() -> None:
    # a question in two parts: the remedies follow the causes with no line between them
    lead = Sentence("已知的一些原因包括：", (1,))
    cause = Sentence("数据噪声的影响：噪声数据导致幻觉。", (1,), point=True)
    remedy = Sentence("检索增强：引入外部知识。", (2,), point=True)
    why, fix = ("000", ("幻觉", "为什么会产生幻觉？")), ("000", ("幻觉", "如何缓解幻觉？"))
    out = compose_overview([lead, cause, cause, remedy], {0: why, 1: why, 2: why, 3: fix})
    assert out[0].text == "已知的一些原因包括：数据噪声的影响、数据噪声的影响。"


def test_a_number_asked_about_a_name_the_evidence_never_says_is_refused() -> None:
    # 002's table of Token, 词表 and 语义空间 gives vocabularies "通常几千到几万个Token", not
    # LLaMA's: the notes name LLaMA elsewhere, so only its number is missing
    table = hit(FILE_002, 159, 169, ("大模型面试宝典", "Q2 Token, 词表, 语义空间的区别?"))
    notes = squash(lines(FILE_001, 360, 370) + lines(FILE_002, 159, 169))
    g = ground("LLaMA 的 tokenizer 词表大小是多少？", [table], notes)
    assert g.refusal == "笔记里有相关内容，但没有给出 LLaMA 的具体数字。"
    assert g.reason == "missing_kind"
    # the same kind of question over a passage that names the model is answered
    llama = hit(FILE_001, 365, 365, ("大语言模型基础", "目前主流的开源模型体系有哪些？"))
    g = ground("LLaMA 训练用了多少 token？", [llama], notes)
    assert g.refusal is None and "14,000亿" in g.composed.text
    # a field's acronym is no model: passages that say "K 和 V" answer a question on "KV"
    kv = hit(FILE_002, 832, 835, ("大模型面试宝典", "Transformer推理的缓存计算都有哪些?"))
    g = ground("KV cache 里缓存多少个向量？", [kv], notes + squash("KV cache"))
    assert g.reason != "missing_kind"


def test_a_number_the_passages_never_give_with_the_name_or_noun_asked_is_refused() -> None:
    # 002's paragraph on pre-training gives MPT-7B's GPUs, days and cost, and others' tokens
    steps = hit(FILE_002, 718, 718, ("LLM 面试题 Q1–Q30", "大语言模型的训练步骤都有哪些?"))
    notes = squash(lines(FILE_002, 718, 718) + lines(FILE_000, 415, 415))
    g = ground("MPT-7B 这个基础模型预训练时一共用了多少 token 的数据？", [steps], notes)
    assert g.refusal == "笔记里有相关内容，但没有给出 MPT-7B 的具体数字。"
    assert g.reason == "missing_kind"
    g = ground("MPT-7B 训练用了多少张 A100？", [steps], notes)
    assert g.refusal is None and "440张A100" in g.composed.text
    # 000 names BitFit beside DiffPruning's 0.5%, with no figure of its own
    costs = hit(FILE_000, 415, 415, ("大模型面试宝典", "5. 当前高效微调技术存在的一些问题"))
    g = ground("BitFit 的可训练参数大概占多少？", [costs], notes)
    assert g.refusal == "笔记里有相关内容，但没有给出 BitFit 的具体数字。"
    g = ground("DiffPruning 更新了多少参数？", [costs], notes)
    assert g.refusal is None and "0.5%" in g.composed.text
    # a Chinese noun counted after a measure word: 002's negative sampling gives no count
    # (its window size of 2 is the section's one number)
    tricks = hit(FILE_002, 580, 617, ("LLM 面试题 Q1–Q30", "`Word2Vec`的原理是什么?"))
    asked = "Word2Vec 负采样时，每个正样本一般配几个负样本？取多少合适？"
    g = ground(asked, [tricks], notes + squash("Word2Vec"))
    assert g.reason == "missing_kind" and "Word2Vec 的具体数字" in (g.refusal or "")
    # "GPU" qualifies 显存 here, it is not what is counted
    sizes = hit(FILE_002, 693, 696, ("LLM 面试题 Q1–Q30", "推理时的显存占用"))
    g = ground("7B 模型推理要多少 GPU 显存？", [sizes], notes + squash("GPU 显存"))
    assert g.refusal is None and "半精度14G" in g.composed.text


def test_prose_from_another_section_starts_a_new_paragraph() -> None:
    out = render(
        [
            Sentence("Prompt Templates are key concepts.", (1,)),
            Sentence("They guide the prompt.", (1,)),
            Sentence(
                "作用：当您想要在 Prompts 中动态包含示例时，Example Selectors 很有用。",
                (2,),
                para=True,
            ),
        ]
    )
    assert out.splitlines() == [
        "Prompt Templates are key concepts[1]. They guide the prompt[1].",
        "作用：当您想要在 Prompts 中动态包含示例时，Example Selectors 很有用[2]。",
    ]


def test_a_sentence_from_above_a_point_moved_first_is_no_part_of_that_point() -> None:
    # 000, "如何度量幻觉?": a lead in two sentences, then five metrics; the QA one moved first
    # (service/lead.py puts the point that says what is asked first)
    metrics = hit(FILE_000, 693, 699, ("大语言模型基础", "如何度量幻觉？"))
    ev = select("如何度量幻觉？", [metrics])
    qa = [u for u in ev.units if u.text.startswith("利用问答系统")]
    qa += [u for u in ev.units if u.rest and u.parent == qa[0].parent and u.start > qa[0].start][:1]
    moved = replace(ev, units=(*qa, *(u for u in ev.units if u not in qa)))
    lines = compose(moved).text.splitlines()
    assert lines[0].startswith("- 利用问答系统") and "最有效可靠的方式" not in lines[0]
    assert lines[1].startswith("最有效可靠的方式")
    # in the notes' order, an item's next sentence still stays on its line
    first = compose(ev).text.splitlines()
    assert any(line.startswith("- 命名实体误差") and "直观上" in line for line in first)


def test_a_point_whose_title_ends_its_line_reads_on_into_the_next() -> None:
    # 000, the open models: "- 阿里云Qwen2：" and what it is on the next line
    models = hit(FILE_000, 88, 93, ("大模型面试宝典", "1. 目前主流的开源模型体系有哪些？"))
    q = "笔记在列举主流开源模型体系时，是怎么介绍阿里云的 Qwen2 的？"
    said = [s.text for s in compose(select_parts(q, [models])).sentences]
    assert said[:2] == [
        "阿里云Qwen2：",
        "这是由阿里云发布的高性能开源模型，性能超越了许多中国的闭源模型，成为全球开发者的一个主流选择。",
    ]


def test_an_answer_whose_passages_never_name_what_is_asked_says_so() -> None:
    # 000, "3. 奖励模型需要和基础模型一致吗？": one reward model per sub-task, said without the
    # name RLHF that the question asks under
    rewards = hit(
        FILE_000, 556, 562, ("大模型面试宝典", "强化学习", "3. 奖励模型需要和基础模型一致吗？")
    )
    notes = squash(lines(FILE_000, 1, 4000))  # which name RLHF elsewhere
    g = ground(
        "做 RLHF 的时候，如果一个任务里其实包含好几个子任务，奖励模型该怎么设计？", [rewards], notes
    )
    assert g.refusal is None
    said = [s.text for s in g.composed.sentences]
    assert said[0] == "笔记里最接近的内容没有直接提到 RLHF：" and g.composed.sentences[0].remark
    assert any(s.startswith("如果你希望优化一个包含多个子任务的复杂任务") for s in said)
    # a question on what the passage is about gets no such line
    plain = ground("奖励模型需要和基础模型一致吗？", [rewards], notes).composed.sentences
    assert not any("没有提到" in s.text for s in plain)


def test_passages_that_never_name_what_is_asked_nor_say_much_of_it_are_no_answer() -> None:
    # 001, "1 什么是位置编码？": nothing on LLaMA, and what it says of position encodings in
    # general is not which one LLaMA uses
    encoding = hit(FILE_001, 1961, 1961, ("大模型面试经验", "LLM位置编码", "1 什么是位置编码？"))
    notes = squash(lines(FILE_001, 1, 4000))  # which name LLaMA elsewhere
    g = ground("LLaMA 用的是什么位置编码？", [encoding], notes)
    assert g.refusal == "笔记里没有讲到这个问题：最接近的内容都没有提到 LLaMA。"
    assert g.reason == "no_evidence"


def test_a_table_row_cut_from_its_header_is_checked_under_it() -> None:
    # a passage cut inside 002's Token/词表/语义空间 table: its row reads under the header's
    # column names (`Chunk.lead`), and the check reads the passage with that header too (the
    # row's "词表(Vocabulary)" had failed it as an unknown term: "资料中没有相关信息")
    row = hit(FILE_002, 167, 168, ("LLM 面试题 Q1–Q30", "解释LLM中Token, 词表, 语义空间的概念."))
    header = (lines(FILE_002, 159, 159), lines(FILE_002, 160, 160))
    h = replace(row, chunk=replace(row.chunk, lead=header))
    g = ground("那张表里“适用范围”这一栏对 Token、词表和语义空间分别是怎么说的？", [h])
    assert g.refusal is None and "词表(Vocabulary) 文本处理的词级别" in g.composed.text
    final = finish(g, SupportChecker())
    assert final.cited == (1,) and "语义空间(Semantic Space) 文本处理的宏观层面" in final.text
