"""The notes' own terms for what people say in other words (corpus/glossary.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import CorpusError
from core.text import has_cjk
from service.evidence import select
from service.glossary import GLOSSARY_NAME, Glossary, load_glossary, notes_glossary
from tests.service.grounding_data import CORPUS, FILE_001, decoder_only, parroting_causes

G = Glossary((("复读机", ("一直重复", "重复同一句")), ("幻觉", ("编造", "made-up"))))


def test_a_phrase_adds_the_notes_term_once_and_keeps_the_question() -> None:
    assert (
        G.expand("为什么大模型会一直重复同一句话？") == "为什么大模型会一直重复同一句话？（复读机）"
    )
    assert (
        G.expand("模型一直重复，还会编造内容？") == "模型一直重复，还会编造内容？（复读机、幻觉）"
    )
    assert G.expand("Why do LLMs give Made-Up answers?").endswith("（幻觉）")  # any case


def test_what_the_question_sets_aside_adds_no_term() -> None:
    # the notes' word for it would lead the search to what the user asks past
    assert G.expand("除了一直重复，模型还有哪些毛病？") == "除了一直重复，模型还有哪些毛病？"


def test_no_phrase_or_the_term_already_there_changes_nothing() -> None:
    assert G.expand("LoRA 的思路是什么？") == "LoRA 的思路是什么？"
    assert G.expand("复读机问题为什么会一直重复？") == "复读机问题为什么会一直重复？"


def test_the_added_term_finds_the_section_the_words_alone_miss() -> None:
    hits = [decoder_only(), parroting_causes()]  # the decoder-only section ranked first
    plain = select("为什么大模型会一直重复同一句话？", hits)
    added = select(G.expand("为什么大模型会一直重复同一句话？"), hits)
    assert "复读机" not in plain.heading and "复读机" in added.heading


def test_the_corpus_glossary_loads() -> None:
    g = load_glossary(CORPUS)
    assert dict(g.terms)["复读机"] and g.expand("模型编造内容怎么办？").endswith("（幻觉）")
    assert g.expand("怎么检测模型编造的内容？").endswith("（幻觉、度量）")  # "如何度量幻觉?"


def test_no_glossary_is_an_empty_one_and_a_bad_one_fails_in_one_line(tmp_path: Path) -> None:
    assert load_glossary(tmp_path).expand("一直重复") == "一直重复"
    (tmp_path / GLOSSARY_NAME).write_text("[[term]]\nnotes = '复读机'\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="needs `said`") as err:
        load_glossary(tmp_path)
    assert "\n" not in str(err.value)


def test_an_english_question_stays_english_after_the_notes_term_is_added() -> None:
    from core.text import REFUSAL_EN
    from service.grounding import ground

    q = G.expand("Why does the model keep giving made-up answers?")
    assert q.endswith("（幻觉）")  # the search reads the notes' term ...
    # ... and what we add ourselves is said in the language the user typed
    assert ground(q, [], english=True).refusal == REFUSAL_EN
    hits = [decoder_only(), parroting_causes()]
    remarks = [s.text for s in ground(q, hits, english=True).composed.sentences if s.remark]
    assert remarks and all(not has_cjk(r.split(":")[0]) for r in remarks)  # "the closest: …"


def test_english_words_expand_english_questions_only_and_from_the_start_of_a_word() -> None:
    g = Glossary((("缓存", ("cache",)), ("数据格式", ("format",)), ("微调", ("fine-tun",))))
    assert g.expand("What does GPT keep in the KV cache?").endswith("（缓存）")
    assert g.expand("How is fine-tuning done?").endswith("（微调）")  # a stem covers its forms
    assert g.expand("What information does it keep?") == "What information does it keep?"
    # a Chinese question writes English terms as the notes do: nothing to add
    assert g.expand("KV cache 里存了什么？") == "KV cache 里存了什么？"


def test_the_corpus_glossary_gives_english_questions_the_notes_terms() -> None:
    g = load_glossary(CORPUS)
    q = "What is the difference between fine-tuning and parameter-efficient fine-tuning?"
    assert {"微调", "参数高效", "区别"} <= set(
        g.expand(q).rsplit("（", 1)[1].rstrip("）").split("、")
    )
    # a stem is no trap for longer words: "cons" would fire on "consider" and "context"
    assert "缺点" not in g.expand("What should I consider about the context window?")


def test_a_model_bias_is_the_notes_term_but_alibi_linear_biases_are_not() -> None:
    g = load_glossary(CORPUS)
    assert g.expand("How do you reduce bias in LLMs?").endswith("（偏见）")
    assert "偏见" in g.expand("What factors can introduce bias into a large language model?")
    assert "偏见" not in g.expand("What does ALiBi (Attention with Linear Biases) add?")
    assert "合规" in g.expand("How can an LLM's output be kept compliant with regulations?")


def test_a_term_two_entries_give_is_added_once() -> None:
    g = Glossary((("预训练", ("pre-train",)), ("预训练", ("pre-training",))))
    assert g.expand("Why turn dropout off during pre-training?").endswith("（预训练）")


def test_the_notes_own_english_glosses_expand_english_questions() -> None:
    # 001 writes "控制标记 (Control Tokens) : …" and "…可以使用教师强制(teacher forcing)…": the
    # term is the Chinese right before the bracket, without the sentence's verbs
    texts = [
        (CORPUS / FILE_001).read_text(encoding="utf-8"),
        "- 训练时，模型可以使用教师强制(teacher forcing)，把真实输出传给解码器。",
        "奖励 (Reward) 越高越好；RLHF（Reinforcement Learning from Human Feedback）",
    ]
    glossary = dict(notes_glossary(texts).terms)
    assert glossary["控制标记"] == ("Control Tokens",) and glossary["教师强制"] == (
        "teacher forcing",
    )
    assert "奖励" not in glossary  # one English word is said in too many questions
    asked = "How are control tokens used to steer what a language model generates?"
    assert notes_glossary(texts).expand(asked) == f"{asked}（控制标记）"
    # a Chinese question uses the notes' words already
    assert notes_glossary(texts).expand("control tokens 怎么用？") == "control tokens 怎么用？"
