"""A yes/no question, or one for a number, leads with the notes' sentence on it
(service/verdict.py), on real corpus lines; and what a yes/no question does not ask for is never
missing (service/asks.py)."""

from __future__ import annotations

from dataclasses import replace

from service.asks import gives, missing_kind, quantity, yes_no
from service.compose import compose
from service.evidence import select
from service.grounding import ground
from service.keyterms import key_terms
from service.verdict import Claim, claim, definition, lead_with_statement, statement
from tests.service.grounding_data import FILE_000, FILE_001, FILE_002, FILE_004, hit, lines

SAMPLING = ("大语言模型基础", "5. 大模型生成时的参数怎么设置？")
EVALUATE = ("大模型面试宝典", "Q4 如何评估LLM的性能")
DECODERS = ("大模型面试题", "2、prefix Decoder 和 causal Decoder 和 Encoder-Decoder 区别是什么？")
REASONING = ("大语言模型基础", "4. 大模型有推理能力吗？")
MEMORY = ("大模型面试八股", "Q27 大模型推理和训练占用的显存怎么计算?")
PRECISION = ("大模型面试八股", "Q21 半精度训练, 混合精度训练都是什么?")


def test_which_questions_ask_yes_or_no() -> None:
    assert claim("评测语言模型时，困惑度是不是越低越好？") == Claim(
        "困惑度 越低越好", "评测语言模型时"
    )
    assert claim("LLaMA 的预训练语料里有中文吗？") == Claim("LLaMA 的预训练语料里有中文")
    # a question for a method, a reason or a definition; an English one (the notes are Chinese)
    for other in ("有没有办法自动检测模型输出里编造的内容？", "这是为什么？", "LoRA 是什么？"):
        assert claim(other) is None
    assert claim("Is BERT bidirectional?") is None and yes_no("Is BERT bidirectional?")
    assert not yes_no("What is BERT?")


def test_the_sentence_that_settles_the_claim_comes_first() -> None:
    # the answer is an item's last sentence, after three items that share the question's words
    hits = [hit(FILE_000, 472, 482, SAMPLING)]
    question = "Top k 和 Top p 同时开着的时候，是先按 Top p 筛候选吗？"
    text = compose(lead_with_statement(question, hits, select(question, hits))).text
    assert text.startswith("若 Top k 和 Top p 都启用，则 Top p 在 Top k 之后起作用[1]。\n- ")
    assert text.count("之后起作用") == 1  # taken out of its item, not said twice


def test_a_sentence_counts_for_the_name_that_introduces_it() -> None:
    # "缺点：在长文本生成任务上效果差" sits under "Encoder-Decoder：", which names the subject
    hits = [hit(FILE_004, 26, 40, DECODERS)]
    found, _ = statement("Encoder-Decoder 架构适合拿来做长文本生成吗？", hits)
    assert [u.text for u in found] == ["缺点：在长文本生成任务上效果差，训练效率低；"]
    # a name no sentence gives: nothing to lead with
    assert statement("FlashAttention 适合拿来做长文本生成吗？", hits) == ([], False)


def test_a_stated_claim_stands_against_the_score_gate_alone() -> None:
    # a short question scores low against a whole passage; one sentence says it, in its words
    hits = [hit(FILE_000, 466, 468, REASONING, 0.9), hit(FILE_002, 182, 190, EVALUATE, 0.5)]
    g = ground("困惑度越低越好吗？", hits, gate_refused=True)
    assert g.refusal is None
    assert g.composed.text.startswith("困惑度越低, 训练效果就越好[2].")
    assert "推理能力" not in g.composed.text  # the other section is padding
    # without such a sentence, the gate's "nothing close" stands
    assert ground("困惑度越高越差吗？", hits, gate_refused=True).refusal is not None


def test_a_yes_no_question_asks_whether_not_for_the_thing() -> None:
    none = "BERT选择mask掉15%的词是一种经验性的选择，并没有一个固定的理论依据。"
    assert (
        missing_kind("Is BERT's 15% masking ratio backed by a theoretical derivation?", none)
        is None
    )
    assert missing_kind("请推导一下 RoPE 的公式", "RoPE 用旋转矩阵编码位置。") == "公式推导"


def test_a_name_with_a_kind_suffix_is_the_name() -> None:
    terms = key_terms("Can a GPT-style model see the words after the current position?")
    assert [t.text for t in terms if t.hard] == ["GPT"]
    assert [t.text for t in key_terms("How does YaRN extend RoPE-based models?") if t.hard] == [
        "YaRN", "RoPE"
    ]  # fmt: skip


def test_a_question_for_a_number_leads_with_the_sentence_that_gives_it() -> None:
    # "7B: 全精度28G, 半精度14G" is one line of a list under how to estimate memory; the
    # section opens with "分析1B模型在推理模型占用的显存大小, 然后推广到7B…", which has numbers
    # too, but no size
    hits = [hit(FILE_002, 680, 697, MEMORY)]
    question = "7B 的模型用半精度做推理，大概要占多少显存？"
    found = claim(question)
    assert found is not None and found.said == "7B 的模型用半精度做推理， 要占 显存"
    text = compose(lead_with_statement(question, hits, select(question, hits))).text
    assert text.startswith("7B: 全精度28G, 半精度14G[1].")
    # without "半精度" the line shares only the name with the question: it names 7B itself
    question = "推理一个 7B 模型大概要多少显存？"
    text = compose(lead_with_statement(question, hits, select(question, hits))).text
    assert text.startswith("7B: 全精度28G, 半精度14G[1].")
    # a section that asks for a number of its own ("微调模型需要多大显存？") answers itself, with
    # the sentence that gives the size first (after the one its "这些大型语言模型" points back
    # to), not its lead on what the size depends on
    finetune = hit(FILE_001, 580, 582, ("微调", "7. 微调模型需要多大显存？"), score=0.95)
    for question in (
        "微调模型需要多大显存？",
        "微调 GPT-2、GPT-3 这类大模型一般至少需要多大显存？",
    ):
        text = compose(lead_with_statement(question, [finetune], select(question, [finetune]))).text
        assert text.startswith("对于大型语言模型，如GPT-2、GPT-3等")
        assert text.split("。")[1].startswith(
            "一般来说，微调这些大型语言模型需要至少16GB以上的显存"
        )
    # ... but not a question that names what it doesn't (7B): ranked close to it, the section
    # whose line gives 7B's size answers (close_calls.py `best_sentence_first`)
    question = "推理一个 7B 模型大概要多少显存？"
    evidence = lead_with_statement(question, [finetune, *hits], select(question, [finetune, *hits]))
    assert evidence.heading == MEMORY[-1]
    assert compose(evidence).text.startswith("7B: 全精度28G, 半精度14G[2].")
    # the bf16 sentence comes at the end of a list of mixed-precision steps
    hits = [hit(FILE_002, 508, 523, PRECISION)]
    question = "bf16 和 fp16 分别用多少位表示指数和小数？"
    text = compose(lead_with_statement(question, hits, select(question, hits))).text
    assert text.startswith("bf16 用8bit 表示指数, 7bit 表示小数, fp16用5bit 表示指数")


def test_the_line_that_gives_the_number_stands_without_its_section() -> None:
    # 002, Q28: MPT-7B's GPUs, days and cost are one sentence of the pre-training step; the
    # rest of the section (SFT's inputs and outputs) answers another question. The item the
    # sentence goes on stays; the step's sub-headings, without their lines, go.
    steps = ("大模型面试八股", "大语言模型的训练步骤都有哪些?")
    hits = [hit(FILE_002, 700, 735, steps)]
    question = "训练一个 MPT-7B 基础模型用了多少张 A100、训练了多久、花了多少钱？"
    text = compose(lead_with_statement(question, hits, select(question, hits))).text
    assert text.startswith("根据MPT公开的资料, 训练一个MPT-7B Base基础模型动用了440张A100")
    assert "预训练阶段是最消耗算力的阶段" in text
    assert "微调" not in text and "输入" not in text and "\n" not in text


def test_a_step_number_or_an_article_is_no_number() -> None:
    (ask,) = quantity("SFT 阶段一般需要多少条问答对？")
    assert gives(ask, "问答对(prompt和答案)的数量一般在10K~100K", "")
    # "2 微调(SFT, …)" numbers a step, "同一个模型" has the article 一个: neither says how many
    assert not gives(ask, "2 微调(SFT, Supervised Fine-Tuning)", "")
    assert not gives(ask, "其实这里始终都是同一个模型，只是不同过程中名称不同", "")
    # a question for memory prefers a size ("28G"), then takes any number ("两倍")
    assert [a.zh for a in quantity("大概要占多少显存？")] == ["具体的大小", "具体数字"]
    assert quantity("LoRA 是什么？") == ()


def test_a_what_is_question_leads_with_the_sentence_that_defines_it() -> None:
    # the Top p item is the third of the sampling parameters; "Top p 参数" is Top p
    hits = [hit(FILE_000, 472, 482, SAMPLING)]
    question = "Top p 参数是怎么定义的？"
    text = compose(lead_with_statement(question, hits, select(question, hits))).text
    assert text.startswith("Top p: 动态设置tokens候选列表的大小")  # (raw lines keep the "\\*\\*")
    # "困惑度越低, 训练效果就越好." opens on the name but says how it behaves, not what it is
    hits = [hit(FILE_002, 182, 190, EVALUATE)]
    assert definition("困惑度是什么？", hits) == []


def test_a_question_for_which_of_two_is_more_so_leads_with_the_sentence_on_both() -> None:
    # 002, Q25: the table row that compares the two on rare words, first; before, the answer
    # opened on the chunk's first line, "例如, 目标词为`sits`…", an example of nothing
    word2vec = ("大模型面试八股", "Q25 `Word2Vec`的原理是什么?")
    hits = [hit(FILE_002, 582, 597, word2vec)]
    question = "Word2Vec 的 CBOW 跟 Skip-gram 比，哪个对稀有单词更好？"
    assert claim(question) == Claim("对稀有单词更好", "Word2Vec 的 CBOW 跟 Skip-gram 比")
    text = compose(lead_with_statement(question, hits, select(question, hits))).text
    assert text.startswith(
        "适用场景：CBOW 更适合小数据集和高频单词，Skip-Gram 更适合大数据集和稀有单词[1]"
    )
    assert claim("哪些方法更好？") is None and claim("哪个模型最好？") is None


def test_a_number_under_the_step_above_its_passage_leads() -> None:
    # 002: the passage with the SFT corpus size opens under "- 2 微调(SFT…)", three levels down;
    # the step it sits under says it is about SFT, so its sentence answers "SFT…多少条"; "- 过程"
    # keeps the lines that did not move
    steps = ("大模型面试八股", "大语言模型的训练步骤都有哪些?")
    inside = hit(FILE_002, 726, 730, steps)
    lead = tuple(lines(FILE_002, n, n) for n in (720, 723, 724))
    hits = [replace(inside, chunk=replace(inside.chunk, lead=lead))]
    question = "指令微调（SFT）阶段一般需要多少条问答对？"
    text = compose(lead_with_statement(question, hits, select(question, hits))).text
    assert (
        text.startswith("这个阶段的难点不再是对算力的高要求") and "10K~100K" in text.split("\n")[0]
    )
    assert "- 过程[1]：\n  - 监督学习" in text
    # "- 过程" over that line alone: it moved up, and the sub-heading goes with it
    alone = replace(
        hits[0].chunk, text=lines(FILE_002, 727, 727) + "\n" + lines(FILE_002, 730, 730)
    )
    hits = [replace(inside, chunk=alone)]
    text = compose(lead_with_statement(question, hits, select(question, hits))).text
    assert text.startswith("这个阶段的难点") and "过程" not in text
    # without the step above, nothing in the passage says it is about SFT
    plain = compose(lead_with_statement(question, [inside], select(question, [inside]))).text
    assert not plain.startswith("这个阶段")


def test_a_generic_claim_in_the_question_s_own_scene_is_settled_by_the_scene() -> None:
    # 000, "9. 为什么LLM会产生幻觉？": eight causes; "会让模型更容易产生幻觉" alone shares only
    # "幻觉" and "产生" with the sixth, but its scene (top-p, 温度) is the sixth's own
    causes = hit(FILE_000, 673, 687, ("大语言模型基础", "9. 为什么LLM会产生幻觉？"))
    question = "把 top-p 开大、温度调高，会让模型更容易产生幻觉吗？"
    text = compose(lead_with_statement(question, [causes], select(question, [causes]))).text
    assert text.startswith("解码过程中的随机性: 某些旨在增加输出多样性的解码策略")
