"""The notes' reviewed errors (`errata` in corpus/overrides.toml) pinned to their chunks."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import index_store
from core.errata import WHOLE, masked, retracted, wrong_spans
from core.errors import CorpusError
from core.settings import Settings
from core.types import Chunk
from ingest.bank import build_bank
from ingest.build import build_index
from ingest.chunk import chunk_document
from ingest.errata import mark_errata
from ingest.load import load_document
from ingest.overrides import OVERRIDES_NAME, Erratum, load_overrides
from tests.conftest import CORPUS
from tests.fakes import CountingHashEmbedder
from tests.service.grounding_data import lines

F001 = "001_c14bfeaf169b6fab.txt"
F002 = "002_960aae5ed1c2f91c.txt"
BERT = "Bert由一个Transformer解码器组成。"


def _marked(name: str) -> list[Chunk]:
    doc = load_document(CORPUS / name)
    fixes = load_overrides([CORPUS]).for_document(doc)
    assert fixes is not None and fixes.errata
    return mark_errata(chunk_document(doc, 700, 120, fixes), fixes.errata, name)


def test_the_bert_slip_is_blanked_and_the_item_keeps_its_other_sentences() -> None:
    chunks = _marked(F001)
    holders = [c for c in chunks if BERT in c.text]
    assert holders and all(c.errata and not retracted(c) for c in holders)
    for c in holders:
        clean = masked(c)
        assert BERT not in clean.text and len(clean.text) == len(c.text)
        (start, end, note), *_ = wrong_spans(c)
        # file offsets the way evidence units count them: the chunk's start plus the offset
        # in its text, so a unit and an erratum compare on one scale
        assert c.text[start - c.start : end - c.start] == BERT
        assert "LLaMA由一个Transformer解码器组成" in note
    # the rest of the LLaMA item stays (chunks overlap: one holder starts at the slip)
    assert any("训练使用多达14,000亿tokens语料" in masked(c).text for c in holders)


def test_the_performance_estimation_sections_are_retracted_whole() -> None:
    chunks = _marked(F001)
    gone = {c.heading_path[-1] for c in chunks if retracted(c)}
    assert any("介绍一下 PEFT" in h for h in gone)
    assert any("PEFT 有什么优点" in h for h in gone)  # its own quote: no "Performance"
    assert any("全量微调区别" in h for h in gone)
    # their neighbours are untouched
    assert not any("批处理大小" in h or "最佳实践" in h for h in gone)
    for c in chunks:
        if retracted(c):
            assert all(u.isspace() for u in masked(c).text)


def test_lora_block_goes_but_its_one_right_sentence_stays() -> None:
    chunks = _marked(F001)
    lora = [c for c in chunks if "LoRA 系列篇" in c.heading_path]
    gone = {c.heading_path[-1] for c in lora if retracted(c)}
    assert any("LoRA 的思路" in h for h in gone) and any("QLoRA 的特点" in h for h in gone)
    (merge,) = {masked(c).text for c in lora if c.heading_path[-1].startswith("四、")}
    assert "是的，LoRA权重可以合并到原模型中。" in merge and "量化和近似" not in merge


def test_the_qkv_cache_line_is_blanked_but_the_kv_line_after_it_stays() -> None:
    chunks = _marked(F002)
    hit = [c for c in chunks if c.errata]
    assert hit
    for c in hit:
        clean = masked(c).text
        assert "上一时刻的Q, K, V 向量" not in clean
        assert "保留之前计算过的 K 和 V 向量" in clean or "K 和 V" not in c.text


def test_a_quote_across_a_line_break_is_found() -> None:
    c = Chunk("c1", "f.txt", ("T", "Q?"), "BERT 由一个\n  Transformer 编码器组成。其余。", 100, 140)
    (out,) = mark_errata([c], [Erratum("由一个Transformer编码器组成。", "note")], "f.txt")
    ((start, end, note),) = wrong_spans(out)
    assert (start, end, note) == (105, 105 + len("由一个\n  Transformer 编码器组成。"), "note")
    assert masked(out).text.endswith("其余。")


def _clean(text: str, quote: str) -> str:
    """`text` as one chunk, masked for one erratum on `quote`."""
    c = Chunk("c1", "f.txt", ("T", "Q?"), text, 0, len(text))
    (out,) = mark_errata([c], [Erratum(quote, "note")], "f.txt")
    return masked(out).text


def test_a_wrong_items_first_sentence_takes_the_rest_of_its_item() -> None:
    # 003's SFT format (eval/reviews/2026-12-04-i): without its head, the one-hot sentence
    # would read as a point of its own
    text = (
        "- 标签数据：标签数据是与输入数据对应的标签或类别。对于多分类任务，通常使用one-hot编码。\n"
        "- 数据集划分：数据集通常需要划分为训练集、验证集和测试集。"
    )
    clean = _clean(text, "标签数据是与输入数据对应的标签或类别")
    assert "one-hot" not in clean and "标签或类别" not in clean
    assert "数据集通常需要划分为训练集、验证集和测试集。" in clean and len(clean) == len(text)
    # a wrong second sentence takes only itself
    clean = _clean(text, "通常使用one-hot编码")
    assert "one-hot" not in clean and "标签数据是与输入数据对应的标签或类别。" in clean


def test_a_sentence_that_points_back_to_a_wrong_one_goes_with_it() -> None:
    # 001's "LangChain 替代方案？" (dev-081): with the wrong first sentence gone, "它提供了…"
    # named nothing; the sentence after it opens on LangChain and stays
    text = (
        "💡 LangChain是一个独特的框架，目前没有直接的替代方案。它提供了一种简化开发过程的方式。"
        "LangChain的特点包括语法糖。"
    )
    clean = _clean(text, "目前没有直接的替代方案")
    assert "它提供了" not in clean and "LangChain的特点包括语法糖。" in clean
    clean = _clean("位置编码不够。为了解决这个问题，引入了它。另一句。", "位置编码不够")
    assert "为了解决这个问题" not in clean and "另一句。" in clean


def test_a_sub_heading_whose_lines_are_all_wrong_goes_too() -> None:
    # 002, Q21's steps: with its one line retracted, "- 6 权重更新" was shown as a point of its own
    text = lines(F002, 479, 482)
    clean = _clean(text, "梯度和权重更新的过程一般也使用FP16进行")
    assert "6 权重更新" not in clean and "7 精度恢复" in clean and "动态范围" in clean


def test_a_section_erratum_takes_every_chunk_of_that_section_only() -> None:
    path = ("T", "Q?")
    chunks = [
        Chunk("a", "f", path, "第一段，写错了。", 0, 8),
        Chunk("b", "f", path, "第二段。", 8, 12),
        Chunk("c", "f", ("T", "other?"), "别的问题。", 12, 17),
    ]
    out = mark_errata(chunks, [Erratum("写错了", "整节有误", section=True)], "f")
    assert [c.errata for c in out] == [((WHOLE, "整节有误"),)] * 2 + [()]


def test_a_quote_the_document_lacks_fails_loudly() -> None:
    c = Chunk("a", "f", ("T",), "正文。", 0, 3)
    with pytest.raises(CorpusError, match="is in none of its chunks"):
        mark_errata([c], [Erratum("不存在的句子", "n")], "overrides.toml: f")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("quote = 'abc'\nnote = 'n'\n", "at least 4 characters"),
        ("quote = 'abcdef'\n", "needs `note`"),
        ("quote = 'abcdef'\nnote = 'n'\nsection = 'yes'\n", "true or false"),
        ("quote = 'abcdef'\nnote = 'n'\nwhy = 'x'\n", "unknown key 'why'"),
    ],
)
def test_bad_errata_fail_with_one_line(tmp_path: Path, body: str, says: str) -> None:
    text = f"[[documents.{'a' * 64}.errata]]\n{body}"
    (tmp_path / OVERRIDES_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=says) as err:
        load_overrides([tmp_path])
    assert "\n" not in str(err.value)


def test_the_index_keeps_the_errata_and_the_bank_leaves_them_out(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (OVERRIDES_NAME, F001):
        (corpus / name).write_bytes((CORPUS / name).read_bytes())
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "idx")  # type: ignore[arg-type]
    build_index(settings, embedder_factory=CountingHashEmbedder, progress=False)
    chunks = index_store.load_index(settings.index_dir).chunks
    assert any(BERT in c.text and c.errata for c in chunks)  # through chunks.jsonl and back
    assert any(retracted(c) for c in chunks)
    bank = build_bank(chunks)
    assert not any("介绍一下 PEFT" in e.question for e in bank)
    llama = [e for e in bank if "14,000亿tokens" in e.answer]
    assert llama and all(BERT not in e.answer for e in llama)


def test_a_heading_erratum_retracts_the_whole_block_and_nothing_beside_it() -> None:
    chunks = _marked(F001)
    gone = {c.heading_path[-1] for c in chunks if retracted(c)}
    for h in ("4.1.2 前缀微调", "4.2.6 指示微调", "4.3.2 P-tuning 思路", "4.4.4 P-tuning v2 缺点"):
        assert any(g.startswith(h) for g in gone), h
    # the sections before and after the block answer as before
    kept = {c.heading_path[-1] for c in chunks if not retracted(c)}
    assert any("三、提示学习 (Prompting) 有什么优点" in h for h in kept)
    assert any("为什么需要 提示学习" in h for h in kept)


def test_an_erratum_has_a_quote_or_a_heading_not_both(tmp_path: Path) -> None:
    text = f"[[documents.{'a' * 64}.errata]]\nquote = 'abcdef'\nheading = 'abcdef'\nnote = 'n'\n"
    (tmp_path / OVERRIDES_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match="`quote` or `heading`"):
        load_overrides([tmp_path])
