"""The field's vocabulary: a plain-word topic the notes never discuss is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import CorpusError
from service.field_terms import FIELD_TERMS_NAME, Concept, FieldTerms, load_field_terms
from service.keyterms import squash
from service.term_check import check
from tests.service.grounding_data import CORPUS, lines

LEXICON = FieldTerms(
    (
        Concept(("残差连接", "residual connection", "skip connection")),
        Concept(("warmup", "warm-up", "学习率预热")),
        Concept(("watermark", "水印")),
        Concept(("旋转位置编码", "RoPE", "rotary position embedding")),
    )
)
TEXT = lines("001_c14bfeaf169b6fab.txt", 1957, 2035)  # 001's 位置编码 section
NOTES = squash(TEXT)


def _said(terms: FieldTerms, question: str) -> list[str]:
    return [name for name, _ in terms.said_in(question)]


def test_a_name_is_found_as_the_question_writes_it() -> None:
    assert _said(LEXICON, "Transformer 里的残差连接为什么有用？") == ["残差连接"]
    assert _said(LEXICON, "预训练时为什么要先做学习率 Warm up？") == ["Warm up"]  # any spelling
    assert _said(LEXICON, "How do watermarking schemes detect text?") == ["watermarking"]
    assert _said(LEXICON, "Why does Europe regulate LLMs?") == []  # not inside another word
    assert _said(LEXICON, "LoRA 的思路是什么？") == []


def test_a_short_english_name_is_said_as_a_word() -> None:
    kto = FieldTerms((Concept(("KTO",)), Concept(("FlashAttention",))))
    # 004 mentions tiktoken, not KTO; a long name counts written apart
    assert [
        c.names[0] for c in kto.unheard("解决方案：Tiktoken是OpenAI开发的Python库").concepts
    ] == [
        "KTO",
        "FlashAttention",
    ]
    assert kto.unheard("KTOs and Flash Attention").concepts == ()


def test_a_field_term_found_unheard_is_absent_whatever_word_holds_its_letters() -> None:
    text = "解决方案：Tiktoken是OpenAI开发的Python库"
    kto = FieldTerms((Concept(("KTO",)),))
    q = "对齐训练里有一种叫 kto 的方法，它的损失函数是怎么设计的？"
    cov = check(q, [text], squash(text), unheard=kto.unheard(text).said_in(q))
    assert [t.text for t in cov.absent] == ["kto"] and cov.refuse


def test_concepts_the_notes_mention_by_any_name_are_heard() -> None:
    # 001 answers "旋转位置编码 RoPE 思路是什么？": every other concept here is unheard
    unheard = LEXICON.unheard(TEXT)
    names = {c.names[0] for c in unheard.concepts}
    assert "旋转位置编码" not in names and {"残差连接", "warmup", "watermark"} <= names
    assert _said(unheard, "RoPE 和残差连接有什么关系？") == ["残差连接"]


def test_an_unheard_field_term_is_a_name_the_notes_lack() -> None:
    q = "Transformer 里的残差连接为什么能让很深的网络训练得动？"
    texts = [lines("001_c14bfeaf169b6fab.txt", 1957, 1990)]
    plain = check(q, texts, NOTES)
    assert not plain.refuse and not plain.absent  # plain Chinese words are soft
    named = check(q, texts, NOTES, unheard=LEXICON.unheard(TEXT).said_in(q))
    assert [t.text for t in named.absent] == ["残差连接"] and named.partial


def test_a_concept_the_question_names_already_is_named_once() -> None:
    lexicon = FieldTerms(
        (
            Concept(("混合专家模型", "MoE", "mixture of experts")),
            Concept(("DeepSpeed",)),
            Concept(("Constitutional AI", "宪法AI")),
        )
    )

    def absent(q: str) -> list[str]:
        return [t.text for t in check(q, [], NOTES, unheard=lexicon.said_in(q)).absent]

    assert absent("什么是混合专家模型（MoE）？") == ["MoE"]  # one concept, said twice
    assert absent("DeepSpeed ZeRO 的 stage 3 分了什么？") == ["DeepSpeed ZeRO"]
    assert absent("Constitutional AI 是怎么让模型批评自己的？") == ["Constitutional AI"]


def test_the_shipped_list_loads_and_covers_what_the_notes_never_discuss() -> None:
    terms = load_field_terms(CORPUS)
    assert len(terms.concepts) > 300
    unheard = terms.unheard("\n".join(p.read_text("utf-8") for p in CORPUS.glob("*.txt")))
    assert set(_said(unheard, "FlashAttention 和残差连接是什么？")) == {
        "FlashAttention",
        "残差连接",
    }
    assert _said(unheard, "LoRA 和 P-tuning v2 有什么区别？") == []  # topics they answer


def test_no_list_is_an_empty_one_and_a_bad_one_fails_in_one_line(tmp_path: Path) -> None:
    assert _said(load_field_terms(tmp_path), "残差连接") == []
    (tmp_path / FIELD_TERMS_NAME).write_text(
        "[[concept]]\nnames = ['残差连接']\n[[concept]]\nnames = ['残差 连接']\n", encoding="utf-8"
    )
    with pytest.raises(CorpusError, match="already concept 1") as err:
        load_field_terms(tmp_path)
    assert "\n" not in str(err.value)
    (tmp_path / FIELD_TERMS_NAME).write_text("[[concept]]\nnames = []\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="needs `names`"):
        load_field_terms(tmp_path)


def test_an_english_name_of_what_the_notes_say_in_chinese_is_no_missing_name() -> None:
    greedy = FieldTerms((Concept(("贪心解码", "greedy decoding", "贪婪搜索", "greedy search")),))
    # 001's inference settings say 贪婪搜索, never "greedy"
    notes = squash(lines("001_c14bfeaf169b6fab.txt", 1750, 1757))
    asked = "greedy search、beam search 有什么区别？"
    assert greedy.in_other_words(asked, notes) == (("greedy search", ("贪婪搜索",)),)
    # a two-word English run with a word the notes never use would name a topic they lack
    cov = check(asked, [notes], notes)
    assert [t.text for t in cov.absent] == ["greedy search"]
    cov = check(asked, [notes], notes, heard=["greedy search"])
    assert not cov.absent
    # a name the notes use as written needs nothing
    assert greedy.in_other_words("贪婪搜索是什么？", notes) == ()


def test_the_notes_own_spelling_of_a_name_they_write_otherwise() -> None:
    # 000 writes "Layer Normalization (LN)", never "LayerNorm": the search finds the section
    # by the notes' spelling; a name the notes write as the question does adds nothing, nor one
    # joined otherwise ("adapter tuning" is their "Adapter-tuning")
    norm = FieldTerms(
        (
            Concept(("层归一化", "LayerNorm", "layer normalization", "LN")),
            Concept(("适配器微调", "adapter tuning", "Adapter-tuning")),
        )
    )
    written = lines("000_92dbb6eadc19f86a.txt", 260, 275).lower()
    assert "layer normalization" in written
    q = "大模型里为什么要用 LayerNorm？"
    assert norm.spelled_otherwise(q, written) == ("layer normalization", "LN")
    assert norm.spelled_otherwise("为什么要用 Layer Normalization？", written) == ()
    assert norm.spelled_otherwise("adapter tuning 怎么做？", "adapter-tuning 的思路") == ()
    # "ln" inside a word is not the name
    assert norm.spelled_otherwise(q, "online learning") == ()
