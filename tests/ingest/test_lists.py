"""Two lists whose intros a conversion ran together (ingest/lists.py): the real 001 sections
through chunk_document with the reviewed entry, and hand-built sections for the edges."""

from __future__ import annotations

import logging

import pytest

from core.types import Line
from ingest.chunk import chunk_document
from ingest.lists import split_lists
from ingest.load import load_document
from ingest.overrides import ListSplit, load_overrides
from ingest.structure import Section
from tests.conftest import CORPUS

F001 = "001_c14bfeaf169b6fab.txt"
SFT = "为什么SFT之后感觉LLM傻了？"
CAUSES = "这可能是由于以下原因："
REMEDIES = "为了解决这些问题，可以尝试以下方法："


def _section_text(with_overrides: bool, heading: str) -> tuple[str, int]:
    doc = load_document(CORPUS / F001)
    fixes = load_overrides([CORPUS]).for_document(doc) if with_overrides else None
    chunks = [c for c in chunk_document(doc, 700, 120, fixes) if c.heading_path[-1] == heading]
    assert chunks, heading
    return chunks[0].text, chunks[0].start


def test_each_intro_heads_its_own_list_in_001() -> None:
    text, _ = _section_text(True, SFT)
    lines = text.split("\n")
    causes = lines.index(CAUSES)
    remedies = next(k for k, ln in enumerate(lines) if ln.startswith(REMEDIES))
    # the causes under their intro, the remedies under theirs; the summary lifted with the
    # intros stays after the last one, where core/units.py reads it as the list's coda
    assert lines[causes + 1].startswith("1. 数据偏移") and lines[remedies - 1].startswith("4. 缺乏")
    assert lines[remedies + 1].startswith("- 收集更多的训练数据")
    assert lines[remedies][len(REMEDIES) :].startswith("通过这些方法，可以尽量减少")


def test_without_the_entry_the_remedies_come_first() -> None:
    text, _ = _section_text(False, SFT)
    lines = text.split("\n")
    assert CAUSES + REMEDIES in lines[0]  # one lead line introducing nothing below it
    assert lines[1].startswith("- 收集更多的训练数据")


def test_the_pieces_keep_their_offsets_in_the_file() -> None:
    text, start = _section_text(True, SFT)
    doc = load_document(CORPUS / F001)
    assert doc.text[start:].startswith(text.split("\n")[0])
    assert CAUSES in doc.text and REMEDIES in doc.text


def _line(no: int, text: str) -> Line:
    return Line(no=no, start=no * 100, end=no * 100 + len(text), text=text)


def _sec() -> Section:
    sec = Section(("T", "Q？"), 2, _line(1, "## Q？"), is_question=True)
    sec.body = [
        _line(2, "开头。原因如下：办法如下：总之如此。"),
        _line(3, "- 办法一"),
        _line(4, "- 办法二"),
        _line(5, "1. 原因一"),
    ]
    return sec


def test_a_hand_built_section_is_reordered_with_exact_offsets() -> None:
    fix = ListSplit("Q", (("原因如下：", "原因一"), ("办法如下：", "办法一")))
    (sec,) = split_lists([_sec()], [fix])
    assert [ln.text for ln in sec.body] == [
        "开头。", "原因如下：", "1. 原因一", "办法如下：总之如此。", "- 办法一", "- 办法二",
    ]  # fmt: skip
    lead = _sec().body[0]
    for ln in sec.body:
        if ln.no == 2:
            assert lead.text[ln.start - lead.start : ln.end - lead.start] == ln.text


@pytest.mark.parametrize(
    "fix",
    [
        ListSplit("Q", (("原因如下：", "原因一"), ("没有的引子：", "办法一"))),
        ListSplit("Q", (("原因如下：", "原因一"), ("办法如下：", "没有这一条"))),
        ListSplit("别的问题", (("原因如下：", "原因一"), ("办法如下：", "办法一"))),
    ],
)
def test_text_not_as_reviewed_is_left_alone_with_a_warning(
    fix: ListSplit, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="ingest.lists"):
        (sec,) = split_lists([_sec()], [fix])
    assert [ln.text for ln in sec.body] == [ln.text for ln in _sec().body]
    assert "not found as reviewed" in caplog.text
