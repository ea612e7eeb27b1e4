"""Key terms and the refusal that names what the notes lack."""

from __future__ import annotations

from service.compose import refusal
from service.keyterms import key_terms, squash
from service.term_check import check
from tests.service.grounding_data import FILE_000, decoder_only, lines

NOTES = squash(lines("000_92dbb6eadc19f86a.txt", 1, 400))


def _texts() -> list[str]:
    return [decoder_only().chunk.text]


def test_names_numbers_and_chinese_words() -> None:
    terms = {t.text: t.hard for t in key_terms("LLaMA-65B 用了多少 GPU，训练了 21 天？")}
    assert terms["LLaMA-65B"] and terms["21"]
    assert terms["训练"] is False  # Chinese words are soft: users paraphrase
    assert "GPU" not in terms  # the hardware it runs on, not the topic


def test_plain_english_in_a_chinese_question_is_soft() -> None:
    terms = {
        t.text: t.hard for t in key_terms("LoRA 训出来的 weights 能不能 merge 回 base model 里？")
    }
    assert terms["LoRA"] is True
    assert terms["weights"] is False and terms["merge"] is False


def test_plain_english_the_notes_never_use_is_a_name() -> None:
    # "hacking" is nowhere in the notes: "reward hacking" names something they never discuss
    notes = squash("RLHF 的奖励模型 reward model 给回答打分 score，base model 的权重 weights")
    q = "RLHF 里 reward model 的 score 越训越高，会不会出现 reward hacking？"
    cov = check(q, ["RLHF 的奖励模型 reward model 给回答打分"], notes)
    assert [t.text for t in cov.absent] == ["reward hacking"]
    # every word of "base model" is in the notes: how a user writes 基座模型, still soft
    cov = check("LoRA 的 weights 能不能 merge 回 base model 里？", ["LoRA 权重合并"], notes)
    assert not cov.absent and not [t for t in cov.terms if t.hard and " " in t.text]
    # an English question carries the glossary's Chinese terms: its English words stay soft
    asked = "How does the temperature setting affect generation? 温度"
    assert not check(asked, ["温度 temperature"], notes, english=True).absent


def test_an_english_run_of_names_is_one_name() -> None:
    # "The notes do not cover Constitutional." named half of it; AI joins the name before it
    assert [t.text for t in key_terms("What is Constitutional AI?")] == ["Constitutional AI"]
    notes = squash("LangChain 的 Output Parsers 把输出解析成结构化格式；Deep Learning；Norm")
    assert check("What is Constitutional AI?", [], notes).refuse
    # two names the notes write apart are found; two plain words are not a name each
    assert not check("What are LangChain Output Parsers?", [], notes).absent
    assert check("Deep Norm 的思路是什么？", [], notes).refuse


def test_english_question_keeps_only_names() -> None:
    assert [t.text for t in key_terms("What is PagedAttention in vLLM?")] == [
        "PagedAttention",
        "vLLM",
    ]


def test_a_phrase_an_english_question_quotes_is_a_name() -> None:
    q = "What is the 'reversal curse' in LLMs, where a model trained on 'A is B' can't answer?"
    assert [(t.text, t.hard) for t in key_terms(q)] == [("reversal curse", True)]
    assert [t.text for t in key_terms('What does "teacher forcing" mean?')] == ["teacher forcing"]
    # an apostrophe quotes nothing; nor does a quoted sentence
    assert key_terms("Why can't a model's output be trusted?") == ()
    assert key_terms("Does 'it is what it is' hold here?") == ()


def test_absent_name_refuses_and_is_named() -> None:
    cov = check("FlashAttention 是怎么加速注意力计算的？", _texts(), NOTES)
    assert cov.refuse
    assert [t.text for t in cov.absent] == ["FlashAttention"]


def test_covered_name_passes() -> None:
    cov = check("为什么大模型大多是 Decoder only 结构？", _texts(), NOTES)
    assert not cov.refuse and not cov.absent


def test_part_covered_is_partial() -> None:
    cov = check("Decoder only 和 FlashAttention 各有什么好处？", _texts(), NOTES)
    assert cov.partial and [t.text for t in cov.absent] == ["FlashAttention"]


def test_a_name_elsewhere_in_the_notes_is_not_absent() -> None:
    # "Encoder" is not in this passage's words as a heading term but is in the notes
    cov = check("KV Cache 显存不够怎么办？", ["无关的段落"], squash("KV Cache 显存"))
    assert not cov.absent


def test_a_stop_word_ends_a_run_of_names() -> None:
    # the practice bank's "LangChain 中 Components and Chains 是什么?": two names the notes use,
    # not "Components Chains", which they never write (the answer said so: untrue)
    terms = [t.text for t in key_terms("LangChain 中 Components and Chains 是什么?")]
    assert terms == ["LangChain", "Components", "Chains"]
    notes = squash("Components and Chains are key concepts in the LangChain framework.")
    assert not check("LangChain 中 Components and Chains 是什么?", [], notes).absent
    assert [t.text for t in key_terms("Layer Norm 的公式是什么？")][0] == "Layer Norm"


def test_a_term_glossed_in_brackets_is_a_name() -> None:
    question = "How can gradient checkpointing (activation recomputation) reduce GPU memory?"
    assert [(t.text, t.hard) for t in key_terms(question)] == [
        ("gradient checkpointing", True),
        ("activation recomputation", True),
    ]
    cov = check(question, _texts(), NOTES)
    assert cov.refuse  # the notes name neither spelling; GPU alone is no topic
    glossed = {t.text: t.hard for t in key_terms("GQA（grouped-query attention）和 MQA 有啥区别？")}
    assert glossed == {"GQA": True, "grouped-query attention": True, "MQA": True}


def test_an_acronym_the_notes_gloss_otherwise_counts_as_absent() -> None:
    # 000 glosses GQA as LangChain's 生成式问答; the question means grouped-query attention
    notes = squash(lines(FILE_000, 700, 710))
    asked = check("GQA（grouped-query attention）是什么？", [], notes)
    assert asked.refuse
    assert [t.text for t in asked.other_meaning] == ["GQA"]
    # the acronym alone, or glossed the notes' way, is covered
    assert not check("GQA 是什么？", [], notes).absent
    assert not check("GQA（生成式问答）是什么？", [], notes).absent


def test_the_refusal_says_the_notes_mean_something_else() -> None:
    text = refusal(False, "grouped-query attention", "GQA")
    assert text == "笔记里没有关于 grouped-query attention 的内容（笔记里的 GQA 是另一个意思）。"
    en = refusal(True, "grouped-query attention", "GQA")
    assert en == "The notes do not cover grouped-query attention (their GQA means something else)."


def test_spoken_scaffolding_is_no_key_term() -> None:
    # "到底…拿来干嘛" asks; it names nothing the notes could lack, and counted, it put a good
    # answer's support at "low" (key terms 0.4)
    terms = [t.text for t in key_terms("LangChain 这个框架到底是拿来干嘛的？")]
    assert "LangChain" in terms and not {"到底", "拿来", "干嘛"} & set(terms)


def test_a_name_glossed_by_one_the_notes_use_is_covered() -> None:
    # 000:150 "LLMs复读机问题 (LLMs Parroting Problem)": the notes never say "repetition", but the
    # question says it is parroting
    notes = squash(lines(FILE_000, 150, 150))
    asked = check(
        "How can post-processing and filtering help mitigate the LLM repetition (parroting) problem?",
        [lines(FILE_000, 150, 150)],
        notes,
    )
    assert asked.absent == () and asked.missing == ()
    # alone, "repetition" is a name the notes lack
    assert [t.text for t in check("What is LLM Repetition?", [], notes).absent] == ["Repetition"]


def test_an_english_sentence_given_chinese_terms_starts_with_no_name() -> None:
    # the glossary adds the notes' Chinese terms to an English question, which made it read as
    # Chinese: "The notes do not cover Roughly."
    asked = "Roughly how much GPU memory does a 13B model need for inference?（显存）"
    assert [t.text for t in key_terms(asked) if t.hard] == ["13B"]
    # nor when its first clause has no stop word: "The notes do not cover Beyond."
    beyond = "Beyond constructing special training samples, what do the notes list?（幻觉）"
    assert not [t for t in key_terms(beyond) if t.hard]
    assert [t.text for t in key_terms("LoRA, QLoRA: which is cheaper?（显存）") if t.hard] == [
        "LoRA",
        "QLoRA",
    ]
    # nor a later sentence's first word, with the glossary's terms or without them: "The notes
    # do not cover Apart." (held-out hr-020)
    apart = (
        "My job runs out of memory as the training set grows. Apart from shrinking the batch"
        " size, do the notes suggest anything?"
    )
    for asked in (apart, f"{apart}（微调）"):
        assert not [t for t in key_terms(asked) if t.hard]
    # a run of names opening a Chinese question is still one name
    assert [t.text for t in key_terms("Elastic Weight Consolidation 是什么？") if t.hard] == [
        "Elastic Weight Consolidation"
    ]


def test_an_english_gloss_after_a_chinese_term_is_a_name_covered_by_the_chinese() -> None:
    # held-out hb-033: the notes say 编码器 (an encoder), never 交叉编码器 nor cross-encoder
    notes = squash("RAG 检索增强；编码器和解码器；召回后排序；温度参数控制多样性")
    asked = "RAG 里召回之后再用交叉编码器（cross-encoder）做一轮重排序（rerank），能带来什么提升？"
    hard = [t.text for t in key_terms(asked) if t.hard]
    assert hard == ["cross-encoder", "rerank", "RAG"]
    cov = check(asked, ["RAG 检索增强"], notes)
    assert [t.text for t in cov.absent] == ["cross-encoder", "rerank"]
    # where the notes say the Chinese, the English gloss is covered: "温度参数（temperature）"
    cov = check("温度参数（temperature）有什么作用？", ["温度参数控制多样性"], notes)
    assert not cov.absent and not cov.missing


def test_an_acronym_after_a_chinese_term_is_covered_only_by_the_whole_term() -> None:
    # 001's 创新应用场景 says 虚拟现实技术, never VR (held-out hp-032 had been refused by VR)
    notes = squash(
        "结合增强现实技术，实现智能导览；结合虚拟现实技术，创建沉浸式体验。奖励模型打分。"
    )
    asked = "和增强现实（AR）、虚拟现实（VR）结合分别能做出什么？"
    cov = check(asked, ["结合虚拟现实技术，创建沉浸式体验"], notes)
    assert "VR" not in [t.text for t in cov.absent + cov.missing]
    # an acronym names one variant: the notes' 奖励模型 is no 过程奖励模型 (PRM)
    cov = check("过程奖励模型（PRM）是什么？", ["奖励模型打分"], notes)
    assert [t.text for t in cov.absent] == ["PRM"]


def test_a_question_none_of_whose_words_the_passages_say_is_refused() -> None:
    from service.grounding import ground
    from tests.service.grounding_data import FILE_004, hit

    # 004's "具有什么缺点？" shares only the form with a question outside the field
    drawbacks = hit(FILE_004, 91, 94, ("LLMs", "9、大模型【LLMs】具有什么缺点？"))
    g = ground("区块链有哪些缺点？", [drawbacks])
    assert g.refusal is not None and g.reason == "no_evidence"
    # one word of the question in them is enough to answer
    g = ground("大模型有哪些缺点？", [drawbacks])
    assert g.refusal is None and "计算资源" in g.composed.text


def test_a_name_the_passage_says_in_other_words_is_still_answered() -> None:
    from service.grounding import ground
    from tests.service.grounding_data import FILE_001, hit

    # the notes say RAG elsewhere; this section is their RAG under its own name (文档对话)
    heading = ("大模型面试经验", "痛点1：文档切分粒度不好把控，既担心噪声太多又担心语义信息丢失")
    pain = hit(FILE_001, 1192, 1196, heading)
    notes = squash("RAG 检索增强生成\n" + pain.chunk.text)
    g = ground("RAG 如何解决文档切分粒度的问题？", [pain], notes)
    assert g.refusal is None and "切分" in g.composed.text


def test_a_code_identifier_is_a_name() -> None:
    hard = {
        t.text
        for t in key_terms("lora 微调时 target_modules 挑哪些层？只加在 q_proj 上够不够？")
        if t.hard
    }
    assert {"target_modules", "q_proj"} <= hard
    # plain lower-case English in a Chinese question stays soft
    assert "weights" not in {t.text for t in key_terms("LoRA 的 weights 能合并吗？") if t.hard}


def test_an_english_question_on_the_notes_names_no_scaffolding() -> None:
    # its words on the notes themselves are no names the notes lack: read as such, they refused
    # questions the notes answer ("The notes do not cover English.")
    hard = {
        t.text
        for t in key_terms(
            "In the notes' English explanation of LangChain toolkits, what exactly is a 'tool'?"
        )
        if t.hard
    }
    assert hard == {"LangChain", "tool"}
    said = {
        t.text
        for t in key_terms(
            "What advantages do the notes claim for prompt tuning, especially compared with"
            " prefix-tuning?"
        )
    }
    assert not any(w in t for t in said for w in ("notes", "claim", "especially", "compared"))


def test_the_kind_of_thing_a_name_is_is_no_part_of_it() -> None:
    # "the causal decoder architecture" is the notes' "causal Decoder": with "architecture" the
    # phrase was never found, and no term of the question was (held-out hj-006, refused; the
    # glossary's Chinese term after it, as the pipeline searches it)
    q = "What are the strengths of the causal decoder architecture?（解码器）"
    assert "causal decoder" in [t.text for t in key_terms(q)]
    passage = "causal Decoder：自回归语言模型，预训练和下游应用是完全一致的"
    assert "causal decoder" not in [t.text for t in check(q, [passage]).missing]
