"""The practice bank: the notes' answered question headings, built at ingest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core import index_store
from core.settings import Settings
from core.types import Chunk, Document, sha256_text
from ingest.bank import BANK, build_bank, display_question, load_bank
from ingest.build import build_index
from ingest.chunk import chunk_document
from ingest.dedup import assign_duplicate_groups
from tests.conftest import CORPUS
from tests.fakes import CountingHashEmbedder


def _chunks(corpus: Path) -> tuple[list[Chunk], dict[str, str]]:
    chunks: list[Chunk] = []
    texts = {}
    for path in sorted(corpus.iterdir()):
        text = path.read_text(encoding="utf-8")
        texts[path.name] = text
        chunks += chunk_document(Document(path.name, text, sha256_text(text)), 700, 120)
    return assign_duplicate_groups(chunks), texts


@pytest.fixture(scope="module")
def corpus_bank() -> tuple[list[Chunk], dict[str, str]]:
    return _chunks(CORPUS)


def test_answered_questions_only(corpus_bank: tuple[list[Chunk], dict[str, str]]) -> None:
    chunks, _ = corpus_bank
    bank = build_bank(chunks)
    questions = {e.question for e in bank}
    assert len(bank) > 150  # the five files hold a couple of hundred answered questions
    # real questions with bodies, from every file's heading style (000 `## N.`, 001 bare and
    # `一、`, 002 `- Q<n> **…**`, 004 `### N、`)
    assert {
        "为什么会出现 LLMs 复读机问题？",
        "LoRA 的思路是什么？",
        "Scaling Law是什么?",
    } <= questions
    assert "为何现在的大模型大部分是Decoder only结构" in questions  # asks without a mark
    # hollow headings (CORPUS.md: 001's empty bodies, 002's Q22/Q23) and contents-only topics
    hollow = {display_question(c.heading_path[-1]) for c in chunks if c.hollow}
    assert "五、ChatGLM-6B LoRA后的权重多大？" not in questions
    assert not any("推导一下" in q for q in questions)
    assert not any(q.startswith("RLHF过程中RM随着训练过程得分越来越高") for q in questions)
    assert not questions & hollow
    assert all("目录" not in e.topic for e in bank)
    # topics: the headings above the question, file title first
    entry = next(e for e in bank if e.question == "什么是 LLMs 复读机问题？")
    assert entry.topic == ("大模型面试宝典", "大语言模型基础", "LLMs复读机问题")
    assert entry.source.heading_path[-1] == "4.1 什么是 LLMs 复读机问题？"


def test_copies_across_files_collapse(corpus_bank: tuple[list[Chunk], dict[str, str]]) -> None:
    chunks, texts = corpus_bank
    bank = build_bank(chunks)
    parrot = [e for e in bank if e.question == "为什么会出现 LLMs 复读机问题？"]
    assert len(parrot) == 1  # 000, 001 and 003 (half-width punctuation) ask and answer it
    entry = parrot[0]
    assert entry.source.file.startswith("000")
    assert {c.file[:3] for c in entry.copies} == {"001", "003"}
    # a reworded copy over a copied answer: 001 "llama 输入…", 003 "LLMs输入…"
    llama = [e for e in bank if "输入句子长度理论上可以无限长吗" in e.question]
    assert len(llama) == 1 and [c.file[:3] for c in llama[0].copies] == ["003"]
    # the same question answered differently is graded against each file's own answer:
    # 001 gives four causes of 涌现能力, 004 two conjectures
    emergence = [e for e in bank if e.question.startswith("涌现能力是啥原因")]
    assert sorted(e.source.file[:3] for e in emergence) == ["001", "004"]
    # a shared name is not the same question: "LangChain 支持哪些功能" vs "…包含哪些特点"
    features = [e for e in bank if e.question == "LangChain 支持哪些功能?"]
    assert features and all(
        "支持哪些功能" in c.heading_path[-1] for e in features for c in e.copies
    )
    # two questions of one file are never copies of each other
    assert all(c.file != e.source.file for e in bank for c in e.copies)
    # every location points at the answer in its file
    for loc in (entry.source, *entry.copies):
        body = texts[loc.file][loc.start : loc.end]
        assert "复读机" in body and "重复" in body


def test_ids_stable_and_answer_bound(
    corpus_bank: tuple[list[Chunk], dict[str, str]], tmp_path: Path
) -> None:
    chunks, texts = corpus_bank
    first = {e.question: e.question_id for e in build_bank(chunks)}
    again = {e.question: e.question_id for e in build_bank(_chunks(CORPUS)[0])}
    assert first == again and len(set(first.values())) == len(first)
    # an edit in one answer gives that question a new id and leaves the others alone
    edited = tmp_path / "corpus"
    edited.mkdir()
    for name, text in texts.items():
        if name.startswith("000"):
            text = text.replace(
                "BERT选择mask掉15%的词是一种经验性的选择", "BERT选择mask掉15%的词是经验"
            )
        (edited / name).write_text(text, encoding="utf-8")
    after = {e.question: e.question_id for e in build_bank(_chunks(edited)[0])}
    changed = {q for q in first if after.get(q) != first[q]}
    assert changed == {"为什么BERT选择mask掉15%这个比例的词，可以是其他的比例吗？"}


def test_sub_headings_belong_to_their_question(
    corpus_bank: tuple[list[Chunk], dict[str, str]],
) -> None:
    chunks, _ = corpus_bank
    entry = next(
        e for e in build_bank(chunks) if e.question == "prefix LM 和 causal LM 区别是什么？"
    )
    by_id = {c.chunk_id: c for c in chunks}
    subs = {by_id[c].heading_path[-1] for c in entry.chunk_ids}
    assert {"Prefix LM", "Causal LM", "总结"} <= subs
    assert "#### Causal LM" in entry.answer
    assert not any(e.question in {"Prefix LM", "总结"} for e in build_bank(chunks))


def test_overlap_between_chunks_is_not_repeated() -> None:
    path = ("t", "什么是长答案？")
    a = Chunk("a", "x.md", path, "第一句很长的话。第二句也很长的话。第三句收尾的话。", 0, 30)
    b = replace(a, chunk_id="b", text="第三句收尾的话。第四句新的内容。", start=20, end=40)
    (entry,) = build_bank([a, b])
    assert entry.answer.count("第三句收尾的话") == 1 and entry.answer.endswith("第四句新的内容。")
    assert (entry.source.start, entry.source.end) == (0, 40)


def test_written_with_the_index_and_uploads_join(small_corpus: Path, tmp_path: Path) -> None:
    docs = tmp_path / "uploads"
    docs.mkdir()
    (docs / "mine.md").write_text(
        "# 我的笔记\n\n## 1. 什么是 KV Cache？\n\nKV Cache 缓存每层已算出的 Key 和 Value，"
        "生成下一个词时不再重算，用显存换时间。\n\n## 2. 空标题是什么？\n",
        encoding="utf-8",
    )
    s = Settings(corpus_dir=small_corpus, index_dir=tmp_path / "idx", docs_dir=docs)
    report = build_index(s, embedder_factory=CountingHashEmbedder, progress=False)
    loaded = index_store.load_index(tmp_path / "idx")
    assert (loaded.path / BANK).exists()
    bank = load_bank(loaded.path, loaded.chunks)
    assert loaded.manifest["bank"] == {"file": BANK, "questions": len(bank)}
    assert bank == build_bank(loaded.chunks)  # the file round-trips exactly
    mine = [e for e in bank if e.source.file == "mine.md"]
    assert [e.question for e in mine] == ["什么是 KV Cache？"]  # the empty one is hollow
    assert {e.source.file for e in bank} == {"a.md", "b.md", "mine.md"}
    # an index from before the bank: built from its chunks on load
    (loaded.path / BANK).unlink()
    assert load_bank(loaded.path, loaded.chunks) == bank
    assert report.published
