"""Orphan answer lists (a PDF conversion artefact) on hand-built sections; the real corpus case
is in test_chunk.py (test_orphan_answer_list_is_reattached), its reviewed map in
test_overrides.py."""

from __future__ import annotations

from core.types import Line
from ingest.orphans import reattach_orphan_answers
from ingest.structure import Section

TEMP_ITEMS = [
    "1. 温度采样：温度越高，温度采样的分布越平。",
    "2. 温度采样时温度低于 1 会让分布更尖锐。",
    "3. 温度采样常和 top-p 一起用。",
    "4. 温度为 0 时温度采样退化成贪心。",
]
BEAM_ITEMS = [
    "5. 束搜索每步保留束宽个候选序列。",
    "6. 束搜索的束宽越大越慢。",
    "7. 束搜索容易生成重复的束搜索结果。",
    "8. 束宽为 1 的束搜索就是贪心。",
]


def _line(no: int, text: str) -> Line:
    return Line(no=no, start=no * 100, end=no * 100 + len(text), text=text)


def _sections(items: list[str], list_title: str = "答案") -> list[Section]:
    q1 = Section(("T", "什么是温度采样？"), 2, _line(2, "## 什么是温度采样？"), is_question=True)
    q1.body = [_line(3, "温度采样介绍如下。")]
    q2 = Section(("T", "什么是束搜索？"), 2, _line(4, "## 什么是束搜索？"), is_question=True)
    answers = Section(("T", list_title), 2, _line(5, f"## {list_title}"))
    answers.body = [_line(6 + k, text) for k, text in enumerate(items)]
    return [Section(("T",), 0, None), q1, q2, answers]


def _texts(sec: Section) -> list[str]:
    return [ln.text for ln in sec.body]


def test_items_are_aligned_to_the_questions_they_answer() -> None:
    secs = reattach_orphan_answers(_sections(TEMP_ITEMS + BEAM_ITEMS))
    _, q1, q2, answers = secs
    # The intro sentence stays first; the list's items follow it.
    assert _texts(q1) == ["温度采样介绍如下。", *TEMP_ITEMS]
    assert _texts(q2) == BEAM_ITEMS
    assert answers.body == [] and answers.absorbed
    assert not q1.absorbed and not q2.absorbed


def test_hand_written_map_overrides_the_alignment() -> None:
    # Deliberately the "wrong" way round, so only the map can produce it.
    maps = {"答案": ((1, "什么是束"), (5, "什么是温度"))}
    _, q1, q2, _ = reattach_orphan_answers(_sections(TEMP_ITEMS + BEAM_ITEMS), maps)
    assert _texts(q1) == ["温度采样介绍如下。", *BEAM_ITEMS]
    assert _texts(q2) == TEMP_ITEMS


def test_map_for_another_list_or_unknown_question_falls_back_to_alignment() -> None:
    other = reattach_orphan_answers(
        _sections(TEMP_ITEMS + BEAM_ITEMS), {"别的列表": ((1, "什么是束"),)}
    )
    stale = reattach_orphan_answers(
        _sections(TEMP_ITEMS + BEAM_ITEMS), {"答案": ((1, "什么是束"), (5, "已删除的问题"))}
    )
    for _, q1, q2, _ in (other, stale):
        assert _texts(q1) == ["温度采样介绍如下。", *TEMP_ITEMS]
        assert _texts(q2) == BEAM_ITEMS


def test_short_lists_are_left_alone() -> None:
    before = _sections(TEMP_ITEMS + BEAM_ITEMS[:3])  # 7 items: an ordinary list, not an orphan
    expected = [_texts(s) for s in before]
    after = reattach_orphan_answers(before)
    assert [_texts(s) for s in after] == expected
    assert not any(s.absorbed for s in after)
