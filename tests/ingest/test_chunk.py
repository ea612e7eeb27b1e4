"""Chunker: sentence-safe even splitting, content-addressed ids, and a whole-corpus sanity pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.types import Chunk, Document, sha256_text
from ingest.chunk import _sentences, chunk_document
from ingest.load import load_document
from ingest.overrides import load_overrides

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SIZE, OVERLAP = 700, 120
ENDS = ("。", "！", "？", "?", "!", ".")


def _doc(doc_id: str, text: str) -> Document:
    return Document(doc_id=doc_id, text=text, sha256=sha256_text(text))


def _long_section() -> Document:
    # Sentences of varied length from 001:392-397 (分块处理 … 模型结构优化), repeated into one long answer.
    sentences = [
        "将长文本分割成较短的片段，然后逐个片段输入模型进行处理。",
        "这样可以避免长文本对模型内存和计算资源的压力。",
        "在处理分块文本时，可以使用重叠的方式，即将相邻片段的一部分重叠，以保持上下文的连贯性。",
        "通过引入层次结构，将长文本划分为更小的单元。",
        "例如，可以将文本分为段落、句子或子句等层次，然后逐层输入模型进行处理。",
    ]
    body = "".join(sentences * 12)
    return _doc("999_test.txt", f"# 测试\n\n## 1. 如何让大模型处理更长的文本？\n\n{body}\n")


def test_sentence_splitter_keeps_sentences_whole() -> None:
    text = "生成式语言模型的输出是所有可能标记的概率分布. 这个概率分布是一个向量? 是的！4. 列表编号不切"
    assert _sentences(text) == [
        "生成式语言模型的输出是所有可能标记的概率分布. ",
        "这个概率分布是一个向量? ",
        "是的！",
        "4. 列表编号不切",
    ]


def test_long_section_is_split_evenly_at_sentence_ends_with_overlap() -> None:
    doc = _long_section()
    chunks = chunk_document(doc, SIZE, OVERLAP)
    assert len(chunks) >= 3
    sizes = [len(c.text) for c in chunks]
    assert max(sizes) <= SIZE
    assert min(sizes) >= 0.75 * max(sizes), sizes  # even pieces, no short tail
    for c in chunks:
        assert c.text.endswith(ENDS), c.text[-20:]
        assert c.heading_path == ("测试", "如何让大模型处理更长的文本？")
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start < a.end  # the pieces overlap in the source ...
        overlap = a.end - b.start
        assert 0.3 * OVERLAP <= overlap <= 2 * OVERLAP, overlap  # ... by about chunk_overlap
        assert b.text[:20] in a.text
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text


def test_ids_are_content_addressed_and_stable() -> None:
    doc = _long_section()
    first = [c.chunk_id for c in chunk_document(doc, SIZE, OVERLAP)]
    assert first == [c.chunk_id for c in chunk_document(doc, SIZE, OVERLAP)]
    assert len(set(first)) == len(first)
    assert all(re.fullmatch(r"[0-9a-f]{16}", cid) for cid in first)
    assert first != [c.chunk_id for c in chunk_document(doc, SIZE, OVERLAP + 1)]


def test_qa_pair_that_fits_is_one_chunk() -> None:
    text = "# 大模型(LLMs)面试经验\n## 大模型基础面试\n### 4、涌现能力是啥原因？\n根据前人分析和论文总结，大致是2个猜想：\n\n任务的评价指标不够平滑；\n"
    [chunk] = chunk_document(_doc("004_x.txt", text), SIZE, OVERLAP)
    assert chunk.heading_path == ("大模型(LLMs)面试经验", "大模型基础面试", "涌现能力是啥原因？")
    assert chunk.text == "根据前人分析和论文总结，大致是2个猜想：\n任务的评价指标不够平滑；"


@pytest.fixture(scope="module")
def corpus_chunks() -> dict[str, list[Chunk]]:
    """Each corpus file chunked as the build does: with its reviewed overrides, by hash."""
    overrides = load_overrides([CORPUS])
    out = {}
    for path in sorted(CORPUS.glob("*.txt")):
        doc = load_document(path)
        fixes = overrides.for_document(doc)
        out[path.name[:3]] = chunk_document(doc, SIZE, OVERLAP, fixes)
    return out


def _find(chunks: list[Chunk], title: str) -> list[Chunk]:
    return [c for c in chunks if c.heading_path[-1] == title]


def test_corpus_has_no_noise(corpus_chunks: dict[str, list[Chunk]]) -> None:
    for chunks in corpus_chunks.values():
        for c in chunks:
            for bad in ("扫码", "知识星球", "二维码", "红包", "点击查看答案", "![", "<img"):
                assert bad not in c.text, (c.heading_path, bad)
            assert not re.search(r"\.{4,}\s*\d", c.text)
            assert not re.search(r"^- \[[ x]?\]", c.text, re.M)


def test_corpus_chunk_sizes(corpus_chunks: dict[str, list[Chunk]]) -> None:
    for chunks in corpus_chunks.values():
        assert all(len(c.text) <= 1.3 * SIZE for c in chunks)
        ids = [c.chunk_id for c in chunks]
        assert len(ids) == len(set(ids))


def test_corpus_offsets_point_back(corpus_chunks: dict[str, list[Chunk]]) -> None:
    for prefix, chunks in corpus_chunks.items():
        text = next(CORPUS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
        for c in chunks:
            span = text[c.start : c.end].replace("\\", "")  # the cleaner unescapes `max\_tokens`
            # Re-attached answers (001's orphan lists) make a chunk cover two regions, so check
            # containment line by line rather than one contiguous slice.
            for line in c.text.split("\n"):
                assert line.replace("\\", "").strip()[:6] in span, (
                    prefix,
                    c.heading_path,
                    line[:30],
                )


def test_known_hollow_headings(corpus_chunks: dict[str, list[Chunk]]) -> None:
    c001, c002 = corpus_chunks["001"], corpus_chunks["002"]
    for title in (
        "五、ChatGLM-6B LoRA后的权重多大？",
        "4.2 推导一下 旋转位置编码 RoPE ？",
        "4.4 旋转位置编码 RoPE 被哪些 LLMs 应用？",
    ):
        [chunk] = _find(c001, title)
        assert chunk.hollow and chunk.text == ""
    for q in ("RLHF过程中RM随着训练过程得分越来越高", "解释P-tuning 的工作原理"):
        [chunk] = [c for c in c002 if c.heading_path[-1].startswith(q)]
        assert chunk.hollow
    assert not any(c.hollow for c in corpus_chunks["000"])


def test_topics_listed_only_in_contents_are_hollow(corpus_chunks: dict[str, list[Chunk]]) -> None:
    toc = [c for c in corpus_chunks["001"] if c.heading_path[1:2] == ("目录",)]
    assert toc and all(c.hollow for c in toc)
    listed = "\n".join(c.heading_path[-1] + "\n" + c.text for c in toc)
    for topic in ("Layer Norm", "RMS Norm", "Deep Norm", "激活函数", "显存问题", "分布式训练"):
        assert topic in listed, topic
    # answered topics are not reported as missing
    for topic in ("推理面", "复读机", "LoRA"):
        assert topic not in listed, topic


def test_orphan_answer_list_is_reattached(corpus_chunks: dict[str, list[Chunk]]) -> None:
    c001 = corpus_chunks["001"]
    # 001:1125-1129 answer heading 21 (幻觉); 001:1156 answers 痛点5; 001:1607 answers 四、(methods)
    for fragment, question in (
        ("数据清洗和预处理：在训练大语言模型之前", "LLMs 存在模型幻觉问题，请问如何处理？"),
        ("引入外部知识和约束：为了提高生成文本的准确性", "LLMs 存在模型幻觉问题，请问如何处理？"),
        (
            "数据准备：准备大量高质量的训练数据",
            "痛点5：如何让LLM基于query和context得到高质量的response",
        ),
        (
            "文本前缀 (Text Prefix)",
            "四、提示学习（Prompting）有哪些方法，能不能稍微介绍一下它们间？",
        ),
        ("训练和优化复杂度高：P-tuning v2", "4.4.4 P-tuning v2 缺点是什么？"),
    ):
        holders = [c for c in c001 if fragment in c.text]
        assert holders and all(c.heading_path[-1] == question for c in holders), fragment
    # the questions' own intro lines share those chunks, and no empty look-alikes stand alone
    [hall] = [c for c in c001 if "16. 数据清洗和预处理" in c.text]
    assert "大语言模型的模型幻觉问题是指" in hall.text
    for title in (
        "基于LLM+向量库的文档对话 基础面",
        "4.1 前缀微调 (Prefix-tuning) 篇",
        "4.4 P-tuning v2 篇",
    ):
        assert not _find(c001, title), title


def test_file_without_title_line_or_headings_still_yields_chunks() -> None:
    qa = _doc("gb.txt", "## 1. 什么是复读机问题？\n\n模型重复生成相同的句子。\n")
    [chunk] = chunk_document(qa, SIZE, OVERLAP)
    assert (
        chunk.heading_path == ("gb", "什么是复读机问题？")
        and chunk.text == "模型重复生成相同的句子。"
    )
    [plain] = chunk_document(_doc("plain.txt", "短文本。"), SIZE, OVERLAP)
    assert plain.text == "短文本。"


def test_a_piece_cut_inside_a_nested_list_keeps_the_items_above_it(
    corpus_chunks: dict[str, list[Chunk]],
) -> None:
    # 002, "大语言模型的训练步骤都有哪些?": the piece with the SFT corpus size opens three levels down
    piece = next(c for c in corpus_chunks["002"] if "10K~100K" in c.text)
    assert piece.text.lstrip().startswith("- 输出: 标签")
    assert [line.strip()[:8] for line in piece.lead] == ["- 2 微调(S", "- 输入", "- 带标签的数据"]
    # a piece that opens at the top of its section, or on a paragraph, has none
    first = _find(corpus_chunks["002"], "大语言模型的训练步骤都有哪些?")[0]
    assert first.lead == ()


def test_a_piece_cut_inside_a_table_carries_its_header_and_rule(
    corpus_chunks: dict[str, list[Chunk]],
) -> None:
    # 002, Word2Vec: the piece that opens on the table's fourth row
    piece = next(c for c in corpus_chunks["002"] if c.text.lstrip().startswith("| **适用场景**"))
    assert [line.strip()[:12] for line in piece.lead] == [
        "- `CBOW`和`Sk", "| **维度** | *", "|----------|",
    ]  # fmt: skip
