"""One section's answer to a question: the units of a section whose heading asks a question
(its lead and points, the sub-heading or the one point a narrower question asks about), or of a
topic's prose (the point named by its title, else the sentences that match best). Which
section answers is `service/evidence.py`."""

from __future__ import annotations

import re

from core.types import Hit
from service.asked_part import asked_label, asked_point
from service.asks import asking_clauses
from service.overlap import features, heading_match
from service.parts import question_parts
from service.section_units import (
    MAX_PROSE,
    EvidenceUnit,
    dedupe,
    in_notes_order,
    item_heads,
    label_bodies,
    section_units,
    short_label,
)
from service.sections import SAME_QUESTION, read_section

MAX_SCORED = 4  # units picked by score when no heading asks the question

# A heading that asks without a question mark ("痛点4：如何 尽可能召回与query相关的Document 问题"),
# names a pain point, which its section then solves ("痛点1：文档切分粒度不好把控，…"), or asks to
# explain ("解释LLM中Token, 词表, 语义空间的概念.": held-out hg-030 on its tokenizers had got three
# scattered sentences).
_ASKS = re.compile(
    r"如何|怎么|怎样|为什么|为何|什么|哪些|是否|吗|痛点|^解释|^(how|why|what|which)\b", re.I
)


# An asking clause that asks for several things ("实现过程大致分哪几步"), and a question that asks
# about each of the points it names ("这三种手段，各自适合…"): see `_point`.
_SEVERAL = re.compile(r"哪几|哪些|几步|几个|几种|几类|几点")
_EACH = re.compile(r"分别|各自|各是")


def _point(
    units: list[EvidenceUnit], focus: frozenset[str], q: set[str], question: str
) -> list[EvidenceUnit]:
    """`asked_point`; when the question asks for several things ("分哪几步", "有哪些") in clauses
    that name no title, a title in the clause that sets the scene is not what is asked ("GPT 从
    处理原始文本到最后生成文本，实现过程大致分哪几步？" asks for the steps, not the one titled
    生成文本). One asked about by itself may sit in the scene ("讲“无意识的源-目标差异”时，举了
    什么例子？"), and so may the points asked about each ("…这三种手段，各自适合…")."""
    clauses = asking_clauses(question) if question else []
    if clauses and _SEVERAL.search(" ".join(clauses)) and not _EACH.search(question):
        asking = features(" ".join(clauses), question=True)
        return asked_point(units, focus & asking, frozenset(q & asking))
    return asked_point(units, focus, frozenset(q))


def is_question(heading: str) -> bool:
    return heading.rstrip().endswith(("？", "?")) or bool(_ASKS.search(heading))


def from_section(
    n: int, hit: Hit, per_hit: list[tuple[int, Hit]], q: set[str], prose: int = MAX_PROSE
) -> list[EvidenceUnit]:
    return section_answer(n, hit, per_hit, q, prose)[0]


def section_answer(
    n: int, hit: Hit, per_hit: list[tuple[int, Hit]], q: set[str], prose: int = MAX_PROSE,
    points: bool = False, question: str = "",
) -> tuple[list[EvidenceUnit], bool]:  # fmt: skip
    """The section's units for the question (`q`, its features; `question`, its words, when the
    caller has them), and whether they are the one point it asks about
    (`asked_point`, when `points`): then the rest of the list, and other notes' lists, are
    another question's."""
    units = read_section(hit, per_hit, q)
    heading = hit.chunk.heading_path[-1] if hit.chunk.heading_path else ""
    if is_question(heading):
        own = features(heading, question=True)
        # a heading that asks two things ("LoRA是什么? LoRA微调方法的局限性") is wider than a
        # question that asks one of them in its words (hk-025 got what LoRA is, down to the
        # line that announces its limits)
        asks = question_parts(heading)
        one = bool(question) and len(asks) > len(question_parts(question))
        narrower = heading_match(q, heading) < SAME_QUESTION or (
            one and any(heading_match(q, p) >= SAME_QUESTION for p in asks)
        )
        focus = frozenset(q - own)
        picked = section_units(units, prose=prose, focus=focus)
        # a question narrower than the heading may ask about one of its sub-headings; one as
        # wide may still name one of its points ("层次建模怎么帮助大模型处理更长的文本？")
        label = asked_label(units, q, picked) if narrower else []
        point = [] if label or not points else _point(units, focus, q, question)
        return (label or point or picked), bool(point)
    # Not a question section (a topic's prose, split evenly): the point the question names by
    # its title ("微调时为什么要用早停策略？" in 高效微调技术最佳实践), else the sentences that match.
    point = _point(units, frozenset(q - features(heading)), q, question) if points else []
    if point:
        return point, True
    ranked = sorted(
        (u for u in units if u.score > 0 and not short_label(u)), key=lambda u: -u.score
    )
    picked = dedupe(ranked, MAX_SCORED)
    picked += item_heads(units, picked)
    picked += label_bodies(units, picked)
    return in_notes_order(picked, units), False  # `select` adds the short sub-headings
