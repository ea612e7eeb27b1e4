"""Hybrid retrieval over a real FAISS + BM25 index built from the real chunker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from core import index_store
from core.retrieval import HybridRetriever, across_languages
from core.settings import Settings
from core.text import mainly_latin
from core.types import Chunk
from ingest.build import build_index
from ingest.dedup import assign_duplicate_groups
from tests.fakes import CountingHashEmbedder


def make_retriever(
    corpus: Path, index: Path, embedder: Callable[[], Any] = CountingHashEmbedder, **kw: object
) -> HybridRetriever:
    s = Settings(corpus_dir=corpus, index_dir=index, **kw)  # type: ignore[arg-type]
    build_index(s, embedder_factory=embedder, progress=False)
    return HybridRetriever(index_store.load_index(index), embedder(), s)


def test_exact_term_found_by_bm25_and_hybrid(small_corpus: Path, tmp_path: Path) -> None:
    r = make_retriever(small_corpus, tmp_path / "idx")
    for mode in ("bm25", "hybrid"):
        hits = r.search("prefix LM 和 causal LM 区别", 3, mode=mode)
        assert hits, mode
        assert any("Prefix LM" in h.chunk.indexed_text for h in hits), mode
        assert hits == sorted(hits, key=lambda h: -h.score)
        assert all(h.dense_score is not None and h.bm25_score is not None for h in hits)


def test_rrf_fusion_also_works(small_corpus: Path, tmp_path: Path) -> None:
    r = make_retriever(small_corpus, tmp_path / "idx", fusion="rrf")
    hits = r.search("LangChain 的核心组件有哪些", 5)
    assert len(hits) == 5 and "LangChain" in hits[0].chunk.indexed_text


def test_duplicates_collapse_into_one_hit(small_corpus: Path, tmp_path: Path) -> None:
    text = (small_corpus / "a.md").read_text(encoding="utf-8")
    # A copy with half-width punctuation, as 003 copies 000.
    (small_corpus / "copy.md").write_text(
        text.replace("，", ",").replace("：", ":"), encoding="utf-8"
    )
    r = make_retriever(small_corpus, tmp_path / "idx")
    hits = r.search("prefix LM 和 causal LM 区别是什么", 10)
    groups = [h.chunk.dup_group for h in hits if h.chunk.dup_group]
    assert groups and len(groups) == len(set(groups))
    assert any(h.duplicates for h in hits)


def notes_file(tmp_path: Path, text: str) -> Path:
    """A corpus of one markdown file."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "notes.md").write_text(text, encoding="utf-8")
    return corpus


def test_hollow_heading_ranks_below_its_answer(tmp_path: Path) -> None:
    corpus = notes_file(
        tmp_path,
        "# 训练\n\n## 1. 梯度累积是什么？\n\n## 2. 混合精度训练是什么？\n\n"
        "混合精度训练用FP16做前向和反向计算，用FP32保存主权重，并用loss scaling防止梯度下溢。\n\n"
        "## 3. 梯度累积的作用？\n\n梯度累积把多个小批次的梯度累加起来再更新一次参数，"
        "从而在显存不足时模拟更大的batch size。\n",
    )
    r = make_retriever(corpus, tmp_path / "idx")
    hits = r.search("梯度累积是什么", 5)
    assert any(c.hollow for c in r.index.chunks)
    first_real = next(i for i, h in enumerate(hits) if "累加" in h.chunk.text)
    hollow_ranks = [i for i, h in enumerate(hits) if h.chunk.hollow]
    assert all(first_real < i for i in hollow_ranks)


def test_empty_question_returns_nothing(small_corpus: Path, tmp_path: Path) -> None:
    r = make_retriever(small_corpus, tmp_path / "idx")
    assert r.search("   ", 5) == []


def test_dedup_groups_half_width_copies() -> None:
    body = "LLMs复读机问题指的是大型语言模型在生成文本时出现的一种现象，即模型倾向于无限地复制输入的文本或者以过度频繁的方式生成重复的句子或短语。"
    a = Chunk("a", "000.txt", ("x",), body, 0, 10)
    b = Chunk("b", "003.txt", ("y",), body.replace("，", ",").replace("。", "."), 0, 10)
    c = Chunk(
        "c",
        "002.txt",
        ("z",),
        "完全不同的一段关于位置编码的文字，讲旋转位置编码RoPE的推导和外推问题以及长度扩展。",
        0,
        10,
    )
    out = assign_duplicate_groups([a, b, c])
    assert out[0].dup_group and out[0].dup_group == out[1].dup_group
    assert out[2].dup_group is None


class TopicLanguageEmbedder:
    """What e5 does across languages, written out: a text's vector is its topic plus the language
    it is written in, so an English question sits near every English passage."""

    name = "fake/topic-language"
    dim = 4  # bias, chains, English, Chinese

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        v[0] = text.lower().count("bias") + text.count("偏见")
        v[1] = text.lower().count("chain") + text.count("链")
        v[2 if mainly_latin(text) else 3] = 1.5
        return v / np.linalg.norm(v)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim))

    def embed_query_vector(self, text: str) -> np.ndarray:
        return self._vec(text)


def test_an_english_question_finds_the_chinese_passage_that_answers_it(tmp_path: Path) -> None:
    corpus = notes_file(
        tmp_path,
        "# 框架\n\n## Components\n\n"
        "Components and Chains are key concepts: a chain links components together.\n\n"
        "## History\n\nChat message history stores the messages of a conversation.\n\n"
        "# 模型\n\n## 偏见是什么？\n\nLLM偏见是指系统性的误述，偏见来自训练数据。\n\n"
        "## 思维链\n\n思维链让模型一步步推理，把中间步骤写出来再给出答案。\n\n"
        "## 记录\n\n对话记录保存每一轮的消息。\n",
    )
    r = make_retriever(corpus, tmp_path / "idx", TopicLanguageEmbedder)
    hits = r.search("What causes bias in a language model?", 4, mode="dense")
    assert "偏见" in hits[0].chunk.text
    # scored as it stands, the English passages come first: the language outweighs the topic
    q = TopicLanguageEmbedder().embed_query_vector("What causes bias in a language model?")
    plain = [r.index.chunks[i].text for i in np.argsort(-(r._vectors @ q))]
    assert "偏见" not in plain[0]
    # a Chinese question is scored as before
    assert "偏见" in r.search("偏见从哪里来？", 4, mode="dense")[0].chunk.text


def test_across_languages_leaves_one_language_alone() -> None:
    v = np.eye(3, dtype=np.float32)
    assert across_languages(v, ["你好", "再见", "谢谢"]) is v
