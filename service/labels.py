"""Sub-headings written as list items ("- 训练步骤", "- 优点"): a unit under one reads as what it
names, so the answer keeps them with their lines and their own paragraph when it says what
they are."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.types import Hit
from core.units import MIN_UNIT, leans_back
from service.evidence_unit import EvidenceUnit, units_of


def short_label(unit: EvidenceUnit) -> bool:
    """A sub-heading of a word or two ("优点", "输入"): it only says which of its parent's
    aspects the lines under it are, so it is no point of its own."""
    return unit.label and len(unit.text) < MIN_UNIT


def short_labels(
    units: Sequence[EvidenceUnit], picked: Sequence[EvidenceUnit]
) -> list[EvidenceUnit]:
    """The short sub-heading over each picked line: without "缺点", "16位浮点数的精度较低…"
    would read as one more of the 优点 listed before it."""
    under = {(p.file, p.parent) for p in picked}
    return [
        u for u in units
        if short_label(u) and (u.file, u.start) in under and u not in picked
    ]  # fmt: skip


def item_heads(units: Sequence[EvidenceUnit], picked: Sequence[EvidenceUnit]) -> list[EvidenceUnit]:
    """The first sentence of each item whose later sentence was picked alone (a deeper match):
    without it, "这些拷贝也不使用git fork" would read as part of the point before it (dev-020)."""
    out: list[EvidenceUnit] = []
    for u in picked:
        i = units.index(u)
        while i > 0 and units[i].rest:
            i -= 1
        head = units[i]  # a chunk can open inside an item: then there is no head to add
        if not head.rest and head is not u and head not in picked and head not in out:
            out.append(head)
    return out


def leaned_on(units: list[EvidenceUnit], picked: list[EvidenceUnit]) -> list[EvidenceUnit]:
    """The sentence before each picked sentence that points back to it ("因此，…" after
    "需要注意的是，…"): alone it would point back to whatever the answer put above it."""
    out: list[EvidenceUnit] = []
    for u in picked:
        i = units.index(u)
        if u.item or u.rest or i == 0 or not leans_back(u.text):
            continue
        before = units[i - 1]  # a list's line: it points back to the whole list ("这些技术…")
        if before.item or before.rest or before.parent >= 0:
            continue
        if before.n == u.n and before not in picked and before not in out:
            out.append(before)
    return out


def label_bodies(
    units: Sequence[EvidenceUnit], picked: Sequence[EvidenceUnit]
) -> list[EvidenceUnit]:
    """The first line under each picked sub-heading that has none of its lines picked: "- 9 评估
    与监控" alone says nothing (dev-050); its line "评估阶段一般会将模型恢复为FP32格式…" does. A
    paragraph right under it that opens on its name says what it is, whatever else is picked
    ("半精度训练是指…" under "- 半精度训练(Half-Precision Training)", over its 优点 and 缺点)."""
    out: list[EvidenceUnit] = []
    for u in picked:
        if not u.label:
            continue
        body = next((b for b in units if b.parent == u.start and b.file == u.file), None)
        if any(p.parent == u.start and p.file == u.file for p in picked) and (
            body is None or body.item or not _opens_on(body.text, u.text)
        ):
            continue
        if body is not None and short_label(body):  # "- 1 预训练" over "- 目标" over its line
            body = next((b for b in units if b.parent == body.start and b.file == u.file), None)
        if body is not None and body not in picked and body not in out:
            out.append(body)
    return out


MAX_LEAD_IN = 4  # lines back to the "X：" that introduces a sentence: a short list's length
MAX_LEAD_IN_CHARS = 20  # "causal Decoder：", "缺点："; a longer line ending on "：" says more


def is_lead_in(unit: EvidenceUnit) -> bool:
    """A line that only introduces the lines after it, in a list written without markers
    ("causal Decoder：" over "自回归语言模型…", "适用任务：…")."""
    return not unit.item and unit.text[-1] in "：:" and len(unit.text) <= MAX_LEAD_IN_CHARS


def lead_in_of(units: Sequence[EvidenceUnit], k: int) -> EvidenceUnit | None:
    """The line that introduces unit k, a few plain lines up, or None."""
    for p in reversed(units[max(0, k - MAX_LEAD_IN) : k]):
        if p.item:
            return None  # a list with markers: its nesting says what is under what
        if is_lead_in(p):
            return p
    return None


def with_lead_ins(picked: Sequence[EvidenceUnit], hits: Sequence[Hit]) -> tuple[EvidenceUnit, ...]:
    """`picked`, with the line that introduces each picked plain line, just before the first
    line under it: without "prefix Decoder：", its "特点：prefix部分的token互相能看到…" read as one
    more trait of the causal decoder listed before it (yn-009)."""
    return _with_lead_ins(picked, _hit_units(hits))


def with_labels(picked: Sequence[EvidenceUnit], hits: Sequence[Hit]) -> tuple[EvidenceUnit, ...]:
    """`picked`, with the short sub-heading over each unit under one and the line that
    introduces each plain line (the hits' units split once for both)."""
    units = _hit_units(hits)
    return _with_lead_ins(_with_short_labels(picked, units), units)


def _hit_units(hits: Sequence[Hit]) -> list[list[EvidenceUnit]]:
    return [units_of(n, h, set()) for n, h in enumerate(hits, start=1)]


def _with_lead_ins(
    picked: Sequence[EvidenceUnit], hit_units: Sequence[list[EvidenceUnit]]
) -> tuple[EvidenceUnit, ...]:
    have = {(u.file, u.start) for u in picked}
    out = list(picked)
    for units in hit_units:
        for k, u in enumerate(units):
            if (u.file, u.start) not in have or u.item or is_lead_in(u):
                continue
            p = lead_in_of(units, k)
            if p is None or (p.file, p.start) in have:
                continue
            first = next(
                v for v in out if v.file == p.file and p.start < v.start <= u.start
            )  # u itself at the latest
            out.insert(out.index(first), p)
            have.add((p.file, p.start))
    return tuple(out)


NAME_CHARS = 3  # "半精度", "RLH": a shorter shared opening is a common word ("模型")


def _opens_on(sentence: str, label: str) -> bool:
    """`sentence` starts with the first NAME_CHARS characters of `label`'s name."""
    name = re.sub(r"\W", "", label)[:NAME_CHARS]
    return len(name) == NAME_CHARS and re.sub(r"\W", "", sentence).startswith(name)


def _with_short_labels(
    picked: Sequence[EvidenceUnit], hit_units: Sequence[list[EvidenceUnit]]
) -> tuple[EvidenceUnit, ...]:
    """`picked`, with the short sub-heading over each unit under one, however it was picked
    (a section's points, a named sentence, a verdict's lead), just before the first of them."""
    have = {(u.file, u.start) for u in picked}  # a chunk's copy of it may be picked already
    labels: dict[tuple[str, int], EvidenceUnit] = {}
    for units in hit_units:
        for u in short_labels([u for u in units if short_label(u)], picked):
            if (u.file, u.start) not in have:
                labels.setdefault((u.file, u.start), u)
    out = list(picked)
    for label in labels.values():
        first = next(u for u in out if (u.file, u.parent) == (label.file, label.start))
        out.insert(out.index(first), label)
    return tuple(out)
