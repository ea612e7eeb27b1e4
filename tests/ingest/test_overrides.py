"""Corpus fixes as reviewed data (corpus/overrides.toml), matched by content hash, never by name."""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from core import index_store
from core.errors import CorpusError
from core.settings import Settings
from core.types import Chunk
from ingest.build import BuildReport, build_index
from ingest.chunk import chunk_document
from ingest.documents import DocumentStore
from ingest.jobs import Job
from ingest.load import load_document
from ingest.overrides import OVERRIDES_NAME, load_overrides
from tests.conftest import CORPUS
from tests.fakes import CountingHashEmbedder

SIZE, OVERLAP = 700, 120
F001 = "001_c14bfeaf169b6fab.txt"
F002 = "002_960aae5ed1c2f91c.txt"
F003 = "003_701ce8b9e1f33bd2.txt"
# Answer items of 001's two orphan lists and the questions the reviewed map sends them to; the
# word alignment alone sends several elsewhere (see test_without_the_map_the_items_move).
PLACED_BY_MAP = (
    ("查询类型：首先确定用户可能的查询类型", "基于LLM+向量库的文档对话 prompt 模板 如何构建？"),
    ("大语言模型：大语言模型是指能够理解和生成", "基于LLM+向量库的文档对话 核心技术是什么？"),
    ("数据预处理：首先，需要对文档数据进行预处理", "基于LLM+向量库的文档对话 思路是怎么样？"),
    ("数据清洗和预处理：在训练大语言模型之前", "LLMs 存在模型幻觉问题，请问如何处理？"),
    ("解决指示语句与任务需求不匹配的问题", "4.4.1 为什么需要 P-tuning v2？"),
    ("训练和优化复杂度高：P-tuning v2", "4.4.4 P-tuning v2 缺点是什么？"),
    ("文本前缀 (Text Prefix)", "四、提示学习（Prompting）有哪些方法，能不能稍微介绍一下它们间？"),
)


def _chunks(path: Path, with_overrides: bool = True, name: str | None = None) -> list[Chunk]:
    doc = load_document(path)
    if name is not None:
        doc = type(doc)(doc_id=name, text=doc.text, sha256=doc.sha256)
    fixes = load_overrides([CORPUS]).for_document(doc) if with_overrides else None
    return chunk_document(doc, SIZE, OVERLAP, fixes)


def _holders(chunks: Sequence[Chunk], fragment: str) -> set[str]:
    return {c.heading_path[-1] for c in chunks if fragment in c.text}


def _settings(corpus: Path, tmp_path: Path, **kw: object) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "idx", **kw)  # type: ignore[arg-type]


def _build(settings: Settings) -> tuple[BuildReport, dict[str, Any]]:
    report = build_index(settings, embedder_factory=CountingHashEmbedder, progress=False)
    return report, index_store.load_index(settings.index_dir).manifest


def _corpus(tmp_path: Path, *names: str) -> Path:
    dest = tmp_path / "corpus"
    dest.mkdir()
    shutil.copy(CORPUS / OVERRIDES_NAME, dest / OVERRIDES_NAME)
    for n in names:
        shutil.copy(CORPUS / n, dest / n)
    return dest


# --- the real corpus: the data reproduces what the hand-read rules in code did --------------


def test_reviewed_map_places_001s_orphan_answers() -> None:
    chunks = _chunks(CORPUS / F001)
    for fragment, question in PLACED_BY_MAP:
        assert _holders(chunks, fragment) == {question}, fragment


def test_without_the_map_the_items_move() -> None:
    """The entry is what places them: with no override several land under other questions."""
    chunks = _chunks(CORPUS / F001, with_overrides=False)
    moved = [f for f, q in PLACED_BY_MAP if _holders(chunks, f) != {q}]
    assert len(moved) >= 3, moved


def test_reviewed_title_heads_every_002_path() -> None:
    with_title = _chunks(CORPUS / F002)
    assert {c.heading_path[0] for c in with_title} == {"LLM 面试题 Q1–Q30"}
    without = _chunks(CORPUS / F002, with_overrides=False)
    assert {c.heading_path[0] for c in without} == {"LLM"}
    # only the title differs: the same sections, texts and offsets
    assert [(c.heading_path[1:], c.text, c.start) for c in with_title] == [
        (c.heading_path[1:], c.text, c.start) for c in without
    ]


def test_entries_are_keyed_by_the_manifest_hash() -> None:
    overrides = load_overrides([CORPUS])
    for name in (F001, F002):
        doc = load_document(CORPUS / name)
        fixes = overrides.for_document(doc)
        assert fixes is not None and fixes.file == name
        assert doc.sha256 == hashlib.sha256((CORPUS / name).read_bytes()).hexdigest()
    assert overrides.files == {
        f"corpus/{OVERRIDES_NAME}": hashlib.sha256(
            (CORPUS / OVERRIDES_NAME).read_bytes()
        ).hexdigest()
    }


def _unreviewed(tmp_path: Path) -> Path:
    """A note no entry was reviewed on: 003's text with a line added (every corpus file has an
    entry now, 003 for its errata)."""
    path = tmp_path / "unreviewed.txt"
    path.write_text((CORPUS / F003).read_text(encoding="utf-8") + "\n附：一行新内容。\n", "utf-8")
    return path


def test_a_renamed_copy_of_another_file_is_untouched(tmp_path: Path) -> None:
    """An unreviewed text under 001's or 002's prefix gets no fix: the hash decides, never the
    name (rules keyed by prefix used to give any 002_* file 002's title)."""
    source = _unreviewed(tmp_path)
    own = _chunks(source, with_overrides=False)
    for name in ("001_copy.txt", "002_copy.txt"):
        assert load_overrides([CORPUS]).for_document(load_document(source)) is None
        copy = _chunks(source, name=name)
        assert [(c.heading_path, c.text, c.hollow) for c in copy] == [
            (c.heading_path, c.text, c.hollow) for c in own
        ]
        assert "LLM 面试题 Q1–Q30" not in {c.heading_path[0] for c in copy}


# --- the build: manifest, rebuild on change, edited documents -------------------------------


def test_manifest_records_the_overrides_and_a_copy_gets_none(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, F001)
    shutil.copy(_unreviewed(tmp_path), corpus / "001_copy.txt")
    _, manifest = _build(_settings(corpus, tmp_path))
    rows = manifest["documents"]
    assert rows[F001]["override"]["source"] == f"corpus/{OVERRIDES_NAME}"
    assert "override" not in rows["001_copy.txt"]
    digest = hashlib.sha256((corpus / OVERRIDES_NAME).read_bytes()).hexdigest()
    assert manifest["overrides"] == {f"corpus/{OVERRIDES_NAME}": digest}


def test_an_edited_document_loses_its_fix_and_the_build_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = _corpus(tmp_path, F001)
    with (corpus / F001).open("a", encoding="utf-8") as fh:
        fh.write("\n补充的一行笔记。\n")
    with caplog.at_level(logging.WARNING, logger="ingest.build"):
        _, manifest = _build(_settings(corpus, tmp_path))
    assert "override" not in manifest["documents"][F001]
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert F001 in warning and "text changed" in warning and "not applied" in warning
    chunks = index_store.load_index(tmp_path / "idx").chunks
    moved = [f for f, q in PLACED_BY_MAP if _holders(chunks, f) != {q}]
    assert moved  # the alignment, not the reviewed map, placed the items


def test_changing_an_entry_rebuilds_that_document_only(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, F002, F003)
    settings = _settings(corpus, tmp_path)
    first, _ = _build(settings)
    toml = corpus / OVERRIDES_NAME

    # a comment changes no entry: nothing to rebuild
    toml.write_text(toml.read_text(encoding="utf-8") + "# reviewed again\n", encoding="utf-8")
    same, _ = _build(settings)
    assert not same.published and same.version == first.version

    text = toml.read_text(encoding="utf-8").replace("LLM 面试题 Q1–Q30", "LLM 面试三十问")
    toml.write_text(text, encoding="utf-8")
    report, manifest = _build(settings)
    assert report.published
    assert report.docs == {F002: "changed", F003: "unchanged"}
    assert report.embedded > 0  # new heading paths, new vectors
    chunks = index_store.load_index(tmp_path / "idx").chunks
    assert {c.heading_path[0] for c in chunks if c.doc_id == F002} == {"LLM 面试三十问"}
    assert (
        manifest["overrides"][f"corpus/{OVERRIDES_NAME}"]
        == hashlib.sha256(toml.read_bytes()).hexdigest()
    )

    # removing the entry rebuilds it too, back to the file's own title
    toml.write_text("# no fixes\n", encoding="utf-8")
    report, manifest = _build(settings)
    assert report.docs[F002] == "changed"
    assert "override" not in manifest["documents"][F002]


def test_uploaded_documents_get_fixes_by_hash(tmp_path: Path) -> None:
    """An upload whose text is listed gets its fix, from the corpus file or from an
    overrides.toml in the documents dir."""
    corpus = _corpus(tmp_path, F003)
    docs = tmp_path / "documents"
    docs.mkdir()
    shutil.copy(CORPUS / F002, docs / "my-llm-notes.txt")
    own = "# 笔记\n\n## 1. 什么是温度采样？\n\n温度越高，采样的分布越平，输出越多样。\n"
    (docs / "mine.md").write_text(own, encoding="utf-8")
    sha = hashlib.sha256(own.encode("utf-8")).hexdigest()
    (docs / OVERRIDES_NAME).write_text(
        f'[documents.{sha}]\nfile = "mine.md"\n# why: "笔记" says nothing\ntitle = "采样笔记"\n',
        encoding="utf-8",
    )
    _, manifest = _build(_settings(corpus, tmp_path, docs_dir=docs))
    chunks = index_store.load_index(tmp_path / "idx").chunks
    titles: dict[str, set[str]] = {}
    for c in chunks:
        titles.setdefault(c.doc_id, set()).add(c.heading_path[0])
    assert titles["my-llm-notes.txt"] == {"LLM 面试题 Q1–Q30"}
    assert titles["mine.md"] == {"采样笔记"}
    assert manifest["documents"]["mine.md"]["override"]["source"] == f"documents/{OVERRIDES_NAME}"
    assert set(manifest["overrides"]) == {f"corpus/{OVERRIDES_NAME}", f"documents/{OVERRIDES_NAME}"}


def test_an_upload_through_the_document_store_gets_its_fix(tmp_path: Path) -> None:
    """The API's path: a job builds the next version with the upload, fixes applied by hash."""
    settings = _settings(_corpus(tmp_path, F003), tmp_path)
    build_index(settings, embedder_factory=CountingHashEmbedder, progress=False)
    store = DocumentStore(settings, embedder_factory=CountingHashEmbedder)
    submitted = store.submit_upload("llm-notes.txt", (CORPUS / F002).read_bytes())
    assert isinstance(submitted, Job)
    job = store.run(submitted.job_id)
    assert job.status == "done", job.error
    loaded = index_store.load_index(settings.index_dir)
    mine = [c for c in loaded.chunks if c.doc_id == "llm-notes.txt"]
    assert len(mine) == job.chunks and {c.heading_path[0] for c in mine} == {"LLM 面试题 Q1–Q30"}
    assert loaded.manifest["documents"]["llm-notes.txt"]["source"] == "upload"
    assert "override" in loaded.manifest["documents"]["llm-notes.txt"]


# --- a bad overrides file is one clear line, before anything is built -----------------------


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("[documents.abc]\ntitle = 'x'\n", "64-hex-digit"),
        (f"[documents.{'a' * 64}]\ntitel = 'x'\n", "unknown key 'titel'"),
        (f"[documents.{'a' * 64}]\nfile = 'x.md'\n", "fixes nothing"),
        (
            f"[[documents.{'a' * 64}.reattach]]\nlist = 'L'\n"
            "answers = [{from_item = 5, question_prefix = 'a'}, {from_item = 1, question_prefix = 'b'}]\n",
            "must ascend",
        ),
        (
            f"[[documents.{'a' * 64}.lists]]\nquestion_prefix = 'Q'\n"
            "lists = [{intro = '原因如下：', first_item = '原因一'}]\n",
            "two or more",
        ),
        (
            f"[[documents.{'a' * 64}.lists]]\nquestion_prefix = 'Q'\n"
            "lists = [{intro = 'a：', first = 'x'}, {intro = 'b：', first_item = 'y'}]\n",
            "unknown key 'first'",
        ),
        ("[documents\n", "not valid TOML"),
    ],
)
def test_bad_overrides_fail_with_one_line(tmp_path: Path, content: str, says: str) -> None:
    (tmp_path / OVERRIDES_NAME).write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=says) as err:
        load_overrides([tmp_path])
    assert "\n" not in str(err.value)


def test_a_hash_listed_in_both_files_is_refused(tmp_path: Path) -> None:
    entry = f"[documents.{'b' * 64}]\ntitle = 'T'\n"
    for d in ("corpus", "documents"):
        (tmp_path / d).mkdir()
        (tmp_path / d / OVERRIDES_NAME).write_text(entry, encoding="utf-8")
    with pytest.raises(CorpusError, match="also listed in corpus/overrides.toml"):
        load_overrides([tmp_path / "corpus", tmp_path / "documents"])
