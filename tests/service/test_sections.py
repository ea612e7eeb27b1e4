"""Completing the sections the search found with the chunks it left out."""

from __future__ import annotations

from core.types import Chunk, Hit
from service.sections import MAX_SECTION_CHUNKS, complete_sections, group_sections

HEADING = ("笔记", "有哪些省内存的方法？")


def _chunk(cid: str, start: int, heading: tuple[str, ...] = HEADING, doc: str = "a.md") -> Chunk:
    return Chunk(cid, doc, heading, cid, start, start + 10)


def test_the_left_out_parts_of_a_top_section_follow_the_hits_in_the_notes_order() -> None:
    first, second, third = _chunk("s1", 0), _chunk("s2", 10), _chunk("s3", 20)
    other = _chunk("o1", 0, ("笔记", "别的问题？"))
    hits = [Hit(second, 0.9), Hit(other, 0.5)]
    out = complete_sections(hits, group_sections([third, other, first, second]))
    assert [h.chunk.chunk_id for h in out] == ["s2", "o1", "s1", "s3"]
    assert [h.score for h in out[2:]] == [0.9, 0.9]  # the score of the hit they complete


def test_the_same_heading_in_another_file_is_another_section() -> None:
    hits = [Hit(_chunk("s1", 0), 0.9)]
    copy = _chunk("c1", 0, doc="b.md")
    assert [h.chunk.chunk_id for h in complete_sections(hits, group_sections([copy]))] == ["s1"]


def test_a_long_topic_is_not_completed() -> None:
    parts = [_chunk(f"s{i}", 10 * i) for i in range(MAX_SECTION_CHUNKS + 1)]
    hits = [Hit(parts[2], 0.9)]
    assert complete_sections(hits, group_sections(parts)) == hits


def test_hollow_hits_are_not_completed() -> None:
    bare = Chunk("h", "a.md", HEADING, "", 0, 0, hollow=True)
    rest = _chunk("s2", 10)
    assert complete_sections([Hit(bare, 0.9)], group_sections([bare, rest])) == [Hit(bare, 0.9)]


def test_chunks_cut_from_one_joined_line_keep_the_notes_order() -> None:
    # a line the cleaner joined across a page break is not the file's text: every chunk cut
    # from it starts where the line does, and the one that ends first is the section's start
    head = Chunk("head", "a.md", HEADING, "head", 100, 150)
    tail = Chunk("tail", "a.md", HEADING, "tail", 100, 900)
    assert [c.chunk_id for c in group_sections([tail, head])[("a.md", HEADING)]] == ["head", "tail"]


def test_a_question_about_an_aspect_completes_more_sections() -> None:
    from service.aspects import MAX_SECTIONS, asks_aspect

    # the fifth section's sub-list "- RLHF 的优势" may be in a chunk the search left out
    heads = [("笔记", f"问题{i}？") for i in range(MAX_SECTIONS)]
    found = [Hit(_chunk(f"h{i}", 0, h), 0.9 - i / 10) for i, h in enumerate(heads)]
    left = _chunk("rest", 10, heads[-1])
    sections = group_sections([h.chunk for h in found] + [left])
    assert [h.chunk.chunk_id for h in complete_sections(found, sections)][-1] == "h4"
    wide = complete_sections(found, sections, MAX_SECTIONS)
    assert [h.chunk.chunk_id for h in wide][-1] == "rest"
    assert asks_aspect("用人类反馈做强化学习有哪些优势？这种方法主要用在哪些任务上？")
    assert asks_aspect("Which key techniques of RLHF training matter most?")
    assert not asks_aspect("LoRA 的思路是什么？") and not asks_aspect("LoRA 有哪些优缺点？")


def test_a_line_under_an_item_read_in_another_chunk_finds_its_parent() -> None:
    from service.evidence_unit import EvidenceUnit
    from service.sections import _one_parent

    def unit(text: str, start: int, parent: int = -1, label: bool = False) -> EvidenceUnit:
        return EvidenceUnit(1, text, "c", "a.md", HEADING, start, start + len(text), True, 1.0,
                            parent=parent, label=label)  # fmt: skip

    # 002: one chunk reads "- RLHF 训练过程中的关键技术" whole (14834), the next from its text
    # (14837), and names that offset as the parent of the lines under it
    label = unit("RLHF 训练过程中的关键技术", 14834, label=True)
    first = unit("奖励模型设计: …", 14860, parent=14834)
    second = unit("强化学习算法: …", 14918, parent=14837)
    stray = unit("数据效率: …", 14970, parent=99)  # a parent no unit read holds stays as it is
    out = _one_parent([label, first, second, stray])
    assert [u.parent for u in out] == [-1, 14834, 14834, 99]
