"""A question about what one thing is ("困惑度是什么？", "What is X?"), when no section is about it.

The notes define many terms in passing, inside a longer answer: such a question scores low on
meaning against the whole passage (the score gate would refuse it), and the section the search
puts first may only share a word with it ("Scaling Law是什么?" for "Loss Scaling是什么？"). Its
answer is the sentences that name the thing, with the rest of their item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from core.text import split_units
from core.types import Hit
from service.asks import defined
from service.keyterms import squash
from service.parts import question_parts
from service.section_units import (
    MAX_INTRODUCED,
    EvidenceUnit,
    is_duplicate,
    item_heads,
    units_of,
)
from service.sections import Sections

MAX_FOUND = 2  # passages added by the lookup: the definition and one more mention
MAX_NAMED = 4  # sentences that name it: as many as a scored answer takes (evidence.MAX_SCORED)


_QUOTES = re.compile(r"[“”\"'「」‘’`*]")


def key(text: str) -> str:
    """`text` for comparing names: squashed (keyterms.squash), without quotes and emphasis:
    "“数据瓶颈”现象" and "\"数据瓶颈\"现象" compare equal."""
    return _QUOTES.sub("", squash(text))


def naming(name: str, per_hit: list[tuple[int, Hit]], q: set[str]) -> list[EvidenceUnit]:
    """What the notes say of a thing a "what is X" question names (`name`), when no section is
    about it: the sentences that name it, passage by passage in the search's order, each with
    the rest of its item: the sentences on its line, the lines under it ("负采样(`Negative
    Sampling`):" and its two points), its item's first sentence. When some passage says what
    it is, passages that only mention it are left out ("在线学习平台" beside "在线学习是一种增量
    学习的方法"). "Loss Scaling是什么？" is answered by the mixed-precision item "6 梯度缩放(Loss
    Scaling)", not the section "Scaling Law是什么?" that shares a word with it."""
    name = key(name)
    groups: list[list[EvidenceUnit]] = []
    taken: list[EvidenceUnit] = []
    for n, h in per_hit:
        units = units_of(n, h, q)
        found = [
            u for u in units
            if name in key(u.text) and "|" not in u.text and not is_duplicate(u, taken)
        ][: MAX_NAMED - len(taken)]  # fmt: skip
        if not found:
            continue
        groups.append(whole_items(units, found))
        taken += groups[-1]
        if len(taken) >= MAX_NAMED:
            break
    if any(defines(name, (u.text for u in g)) for g in groups):
        groups = [g for g in groups if defines(name, (u.text for u in g))]
    return [u for g in groups for u in g]


def whole_items(units: list[EvidenceUnit], found: list[EvidenceUnit]) -> list[EvidenceUnit]:
    """`found` with the rest of their items, in the notes' order: the sentences on an item's
    line, the lines under it (up to MAX_INTRODUCED; a table row's cells read as nothing), and
    the first sentence of an item `found` only continues."""
    picked = {u.start for u in found if u.item}
    more = [
        v for i, v in enumerate(units)
        if v not in found and "|" not in v.text
        and (v.parent in picked or (v.rest and i and units[i - 1] in found))
    ][:MAX_INTRODUCED]  # fmt: skip
    return sorted([*found, *more, *item_heads(units, found)], key=units.index)


def defines(name: str, texts: Iterable[str]) -> bool:
    """Some sentence says what `name` is: it opens on the name ("蕴含率: 该指标定义为…",
    "`CBOW`…"), glosses it ("梯度缩放(Loss Scaling)", "…, 即"数据瓶颈"现象"), or goes on "X是…",
    "X指…", "X（…）是…"; else the notes only mention it ("例如困惑度, 交叉熵, …")."""
    k = re.escape(key(name))
    opens = re.compile(
        rf"^[(（\d]*{k}|[(（]{k}[)）]|即{k}|{k}(?:[(（][^)）]*[)）])?(?:是|指|即|:|：)"
    )
    return any(opens.search(key(t)) for t in texts)


def lookup(question: str, hits: Sequence[Hit], sections: Sections) -> list[Hit]:
    """Passages that name what a "what is X" question (or part of one) asks about, when no hit
    says what it is: the search ranks a short question by meaning, and "分布式假设是什么？" found the
    "分布式训练" sections first, not "基础假设(分布式假设)" under Word2Vec. Up to MAX_FOUND for
    each name, in the notes' order, scored below every hit (the search did not find them)."""
    floor = min((h.score for h in hits), default=0.0)
    have = {h.chunk.chunk_id for h in hits}
    out: list[Hit] = []
    for part in question_parts(question):
        name = defined(part)
        said = [u.text for h in [*hits, *out] for u in split_units(h.chunk.text)]
        if name is None or defines(name, said):  # a hit says what it is already
            continue
        found = [
            c for chunks in sections.values() for c in chunks
            if c.chunk_id not in have and key(name) in key(c.text)
        ]  # fmt: skip
        out += [Hit(c, floor, None, None) for c in found[:MAX_FOUND]]
        have.update(c.chunk_id for c in found[:MAX_FOUND])
    return out
