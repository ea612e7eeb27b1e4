"""A question about what one thing is, answered by the sentences that name it when no section
is about it (service/evidence.py `_naming`), even when the score gate finds nothing close."""

from __future__ import annotations

from dataclasses import replace

from service.compose import compose
from service.evidence import select
from service.grounding import finish, ground
from service.naming import aliases, defines, lookup
from service.sections import group_sections
from service.support import SupportChecker
from tests.service.grounding_data import FILE_000, FILE_001, FILE_002, FILE_004, hit, lines

SCALING_LAW = ("大模型面试宝典", "Q26 Scaling Law是什么?")
MIXED = ("大模型面试宝典", "Q21 半精度训练, 混合精度训练都是什么?")
EVALUATE = ("大模型面试宝典", "Q4 如何评估LLM的性能")


def test_the_sentence_that_names_it_answers_not_a_section_sharing_a_word() -> None:
    # the search puts "Scaling Law是什么?" first; Loss Scaling is a mixed-precision step
    hits = [hit(FILE_002, 623, 627, SCALING_LAW, 0.95), hit(FILE_002, 505, 512, MIXED, 0.6)]
    ev = select("Loss Scaling是什么？", hits)
    assert ev.units and all(u.n == 2 for u in ev.units)
    text = compose(ev).text
    assert text.startswith("6 梯度缩放(Loss Scaling)[2]：在混合精度训练中")
    assert "Scaling Law" not in text and "笔记没有专门讲" not in text  # its item names it


def test_a_term_only_mentioned_is_said_to_be_only_mentioned() -> None:
    ev = select("交叉熵是什么？", [hit(FILE_002, 182, 190, EVALUATE)])
    assert ev.mentions == "交叉熵"
    text = compose(ev).text
    assert text.startswith("笔记没有专门讲 交叉熵，以下是提到它的地方：\n例如困惑度, 交叉熵")


def test_the_gate_does_not_refuse_a_term_a_sentence_names() -> None:
    hits = [hit(FILE_002, 182, 190, EVALUATE)]
    g = ground("困惑度是什么？", hits, gate_refused=True)
    assert g.refusal is None and "几何平均值" in g.composed.text
    # a question of another form, or a term no sentence names, is still refused
    assert ground("困惑度越低说明什么？", hits, gate_refused=True).refusal is not None
    other = [hit(FILE_001, 753, 760, ("LangChain", "Output Parsers"))]
    assert ground("曝光偏差是什么？", other, gate_refused=True).refusal is not None


def test_a_passage_the_search_missed_is_looked_up_by_the_name() -> None:
    # "分布式假设是什么？": the search finds "分布式训练"; the name is under Word2Vec
    oom = hit(FILE_001, 1765, 1772, ("大模型（LLMs）训练集面", "样本量规模增大，训练出现OOM错"))
    w2v = hit(FILE_002, 556, 565, ("大模型面试宝典", "Q25 Word2Vec是什么?"), 0.1)
    found = lookup("分布式假设是什么？", [oom], group_sections([oom.chunk, w2v.chunk]))
    assert [h.chunk.chunk_id for h in found] == [w2v.chunk.chunk_id]
    assert found[0].score <= oom.score  # below every hit the search found
    assert lookup("分布式训练是什么？", [oom], group_sections([oom.chunk, w2v.chunk])) == []
    assert lookup("为什么要用分布式假设？", [oom], group_sections([w2v.chunk])) == []
    text = compose(select("分布式假设是什么？", [oom, *found])).text
    assert "单词的意义由它在上下文中的使用定义" in text and "分布式训练" not in text


CONTINUE = ("大模型（LLMs）微调面", "领域模型Continue PreTrain 数据选取？")
FORGETTING = ("大模型（LLMs）微调面", "微调后的模型出现能力劣化，灾难性遗忘是怎么回事？")


def test_a_question_about_one_listed_point_gets_that_point() -> None:
    # "伪标签" is the third point of "数据选取"; the question asks how it is made
    hits = [hit(FILE_001, 440, 447, CONTINUE)]
    ev = select("伪标签怎么生成？", hits)
    assert ev.by_name and [u.text[:4] for u in ev.units] == ["伪标签：", "例如，可"]
    # the English gloss names the point as well ("重播缓冲区（Replay Buffer）")
    ev = select("Replay Buffer 有什么作用？", [hit(FILE_001, 567, 574, FORGETTING)])
    assert ev.units[0].text.startswith("重播缓冲区（Replay Buffer）：")
    assert all("弹性权重" not in u.text for u in ev.units)
    # a title's gloss doesn't count toward its length ("弹性权重共享（Elastic Weight Consolidation）")
    ev = select("弹性权重共享有什么作用？", [hit(FILE_001, 567, 574, FORGETTING)])
    assert ev.by_name and ev.units[0].text.startswith(
        "弹性权重共享（Elastic Weight Consolidation）"
    )


def test_a_point_whose_title_holds_another_point_s_is_the_one_asked() -> None:
    # "数据增强生成有什么作用？": 001's "数据增强：…" (of pre-training data) is another thing than
    # 004's "数据增强生成：…" (LangChain, a paragraph under a title of its own); the search found
    # only the first, and "what is X for" looks the name up like "X是什么？"
    knowledge = (
        "大模型（LLMs）微调面",
        "领域模型Continue PreTrain，如何让模型在预训练过程中就学习到更多的知识？",
    )
    features = ("大模型面试经验", "7、LangChain 包含哪些特点?")
    pretrain, langchain = hit(FILE_001, 462, 468, knowledge), hit(FILE_004, 176, 184, features, 0.1)
    question = "数据增强生成有什么作用？"
    found = lookup(question, [pretrain], group_sections([pretrain.chunk, langchain.chunk]))
    assert [h.chunk.chunk_id for h in found] == [langchain.chunk.chunk_id]
    ev = select(question, [pretrain, *found])
    assert ev.by_name and [u.text[:7] for u in ev.units] == ["数据增强生成：", "例如，它可以帮"]


def test_a_definition_in_a_retracted_section_does_not_stop_the_look_up() -> None:
    # "量化是什么？": QLoRA's "量化是一种将浮点数参数转换为…" sits in 001's LoRA sections, which the
    # reviewers retracted; the search found only those, so 000's "量化 (Quantization) : …" joins
    qlora = hit(FILE_001, 1653, 1653, ("LoRA 系列篇", "2.2 QLoRA 的特点是什么？"))
    wrong = replace(qlora, chunk=replace(qlora.chunk, errata=(("", "这一节没有采用。"),)))
    memory = ("推理", "6. 有哪些省内存的大语言模型训练/微调/推理方法？")
    saving = hit(FILE_000, 486, 492, memory, 0.1)
    found = lookup("量化是什么？", [wrong], group_sections([wrong.chunk, saving.chunk]))
    assert [h.chunk.chunk_id for h in found] == [saving.chunk.chunk_id]
    assert lookup("量化是什么？", [qlora], group_sections([qlora.chunk, saving.chunk])) == []


def test_a_question_that_asks_more_than_the_point_is_no_question_about_it() -> None:
    hits = [hit(FILE_001, 440, 447, CONTINUE)]
    assert not select("领域模型继续预训练时伪标签和领域专家标注怎么取舍？", hits).by_name
    assert not select("Continue PreTrain 的数据选取有哪些方法？", hits).by_name


def test_a_checked_llm_draft_also_says_the_notes_only_mention_it() -> None:
    g = ground("交叉熵是什么？", [hit(FILE_002, 182, 190, EVALUATE)])
    draft = "困惑度是模型预测的单词的逆概率的几何平均值[1]。"
    lines = finish(g, SupportChecker(), draft).text.split("\n")
    assert lines[0] == "笔记没有专门讲 交叉熵，以下是提到它的地方：" and "几何平均值" in lines[1]


def test_a_part_that_asks_what_a_thing_is_gets_its_definition_looked_up() -> None:
    # dev-094: the hits mention 困惑度 ("…自动评估指标如困惑度（perplexity）来衡量") without
    # saying what it is; the definition sits under "如何评估LLM的性能"
    aspects = hit(FILE_001, 1816, 1819, ("大模型（LLMs）评测面", "大模型怎么评测？"))
    evaluate = hit(FILE_002, 182, 190, EVALUATE)
    question = "大模型评测有哪些方法？困惑度这个指标又是怎么定义的？"
    found = lookup(question, [aspects], group_sections([aspects.chunk, evaluate.chunk]))
    assert [h.chunk.chunk_id for h in found] == [evaluate.chunk.chunk_id]
    # a hit that says what it is already: nothing to look up
    assert lookup(question, [aspects, evaluate], group_sections([evaluate.chunk])) == []


def test_the_notes_own_glosses_name_a_thing_in_the_other_language() -> None:
    texts = [
        lines(FILE_001, 1816, 1819),  # "…自动评估指标如困惑度（perplexity）来衡量"
        lines(FILE_002, 182, 190),  # "例如困惑度, 交叉熵, 困惑度是…"
        lines(FILE_001, 571, 571),  # "1. 重播缓冲区（Replay Buffer）：…"
    ]
    assert aliases("perplexity", texts) == ["perplexity", "困惑度"]  # not "指标如困惑度"
    assert aliases("Replay Buffer", texts) == ["Replay Buffer", "重播缓冲区"]
    # an English question finds the Chinese definition, and the passing gloss is no definition
    assert not defines("perplexity", [lines(FILE_001, 1818, 1818)])
    evaluate = hit(FILE_002, 182, 190, EVALUATE)
    aspects = hit(FILE_001, 1816, 1819, ("大模型（LLMs）评测面", "大模型怎么评测？"))
    text = compose(select("What is perplexity?", [aspects, evaluate])).text
    assert "几何平均值" in text and "语法和流畅度" not in text


def test_a_question_about_a_setting_by_its_short_name_gets_that_point() -> None:
    # 001, the inference settings: the point is titled 温度参数; "温度有什么作用？" had been
    # refused (no heading asks it, and no title is 温度)
    settings = hit(FILE_001, 1752, 1760, ("LLM推理面试", "大模型生成时的参数怎么设置？"))
    ev = select("温度有什么作用？", [settings])
    assert ev.by_name and ev.units[0].text.startswith("温度参数：在生成文本时")
    # the setting word is all it may add: 数据 is not 数据偏差
    assert not select("数据有什么作用？", [settings]).by_name
