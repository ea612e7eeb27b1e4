"""`EvidenceUnit`: one sentence or list item of a retrieved passage, where it sits in its file,
and how well it matches the question; `units_of` reads a hit's units (core/units.py) as these.
`Evidence`: the units selected to answer a question (service/evidence.py), and how."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.types import Hit
from core.units import leans_back, split_units
from service.overlap import features, weight


@dataclass(frozen=True)
class EvidenceUnit:
    n: int  # citation number of the passage it comes from
    text: str
    chunk_id: str
    file: str
    heading_path: tuple[str, ...]
    start: int  # character offsets in the file
    end: int
    item: bool  # a list item: rendered as a point
    score: float
    other_note: str = ""  # another note's title: its answer to the same question (they differ)
    rest: bool = False  # a list item's next sentence, on the item's own line
    parent: int = -1  # the start of the list item it is nested under, or -1
    label: bool = False  # an item that only names what the lines under it say
    context: tuple[str, ...] = ()  # the list items above its passage it sits under
    coda: bool = False  # read after the list below it (core/units.py `Unit.coda`)


def under(head: EvidenceUnit, units: Sequence[EvidenceUnit]) -> list[EvidenceUnit]:
    """The lines of `units` right under `head` (a list item or a sub-heading), in order."""
    return [u for u in units if u.parent == head.start and u.file == head.file]


# a line that announces the lines after it ("…仍存在不足:", "其计算过程如下。")
_ANNOUNCES = re.compile(r"(?:[：:]|如下|以下)\W*$")


def announces(text: str) -> bool:
    return bool(_ANNOUNCES.search(text))


def without_dangling(units: Sequence[EvidenceUnit]) -> list[EvidenceUnit]:
    """`units` without a line that announces lines after it ("常见的任务包括:", "可以采取以下策
    略：") when none of them follows: the list it opens was cut off at a passage's end, or by the
    cap on points, and the line reads as if the answer went on. Not when it is all there is."""
    out = list(units)
    for i in reversed(range(len(out))):
        u = out[i]
        if not announces(u.text) or len(out) == 1:
            continue
        nxt = out[i + 1] if i + 1 < len(out) else None
        if nxt is None or nxt.file != u.file or nxt.heading_path != u.heading_path:
            del out[i]
    return out


# A sentence about the text it sits in, copied from an article: "本文将探讨大型语言模型(LLMs)的
# 幻觉问题…", "本节中将介绍强化学习的基本概念…", "在这里, 只讨论PEFT相对于传统微调的好处".
_ABOUT_THE_TEXT = re.compile(r"本文将|本节中?将|本篇将|本章将|在这里\s*[,，]\s*只讨论|这里只讨论")


def units_of(n: int, hit: Hit, q: set[str]) -> list[EvidenceUnit]:
    c = hit.chunk
    out = []
    meta = False  # the unit before was about the text: one that points back to it goes too
    for u in split_units(c.text, c.lead):
        if u.text[-1] in "？?":  # a question restated in the body answers nothing
            continue
        # nor does what the article will discuss ("…的好处。因此, 理解为什么…更有益。")
        meta = bool(_ABOUT_THE_TEXT.search(u.text)) or (meta and not u.item and leans_back(u.text))
        if meta:
            continue
        own = weight(q & features(u.text))
        # Mild length normalisation: a long sentence matches more bigrams by chance.
        score = own / (1.0 + 0.15 * math.log1p(len(u.text) / 40))
        out.append(
            EvidenceUnit(
                n, u.text, c.chunk_id, c.doc_id, c.heading_path, c.start + u.start,
                c.start + u.end, u.item, score, rest=u.rest,
                parent=c.start + u.parent if u.parent >= 0 else -1, label=u.label,
                context=u.context, coda=u.coda,
            )
        )  # fmt: skip
    return out


@dataclass(frozen=True)
class Evidence:
    units: tuple[EvidenceUnit, ...]
    same_question: bool  # the first unit comes from a section whose heading asks the question
    heading: str  # that section's heading, or ""
    # No heading asks the question and the search could hardly tell the answering section from
    # the next: their headings, for a line that says the answer is the closest the notes have.
    closest: tuple[str, ...] = ()
    # A "what is X" question the notes answer only with sentences that mention X: X, for a line
    # that says so, so that "例如困惑度, 交叉熵, …" doesn't read as a definition of 交叉熵.
    mentions: str = ""
    # what the notes say of the one thing the question names (service/naming.py, subject.py),
    # or the sentence that says what a yes/no question asks (service/verdict.py): found by the
    # name or the claim, so the score gate's "nothing close" doesn't stand
    by_name: bool = False
    # the one listed point the question names by its title (service/asked_part.py `asked_point`)
    point: bool = False

    @property
    def empty(self) -> bool:
        return not self.units


def in_notes_order(
    picked: Sequence[EvidenceUnit], units: Sequence[EvidenceUnit]
) -> list[EvidenceUnit]:
    """`picked` in the notes' order, chunk after chunk, with a lifted paragraph (`coda`) after
    the last list line below it, even when its list goes on in the next passage."""
    order = {u: (i, i) for i, u in enumerate(units)}
    lines = [
        (j, v) for j, v in enumerate(units) if not v.coda and (v.item or v.rest or v.parent >= 0)
    ]
    for i, u in enumerate(units):
        if u.coda:
            below = [j for j, v in lines if v.file == u.file and v.start > u.start]
            order[u] = (max(below, default=i), len(units) + i)  # right after it, in order
    return sorted(picked, key=lambda u: order[u])
