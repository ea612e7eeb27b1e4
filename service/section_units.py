"""One section's answer: which of its sentences and list items answer the question.

A section whose heading asks the question gives its lead and one point per list item (four
listed causes give four points, in the notes' order; a short item brings its second sentence,
which often holds the point itself), and a few deeper sentences: the ones that match the
question best, and the one on what the question asks beyond the heading. Copies of a point
(the notes copy each other) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.text import bigrams
from core.units import leans_back
from service.evidence_unit import EvidenceUnit, in_notes_order, units_of
from service.labels import item_heads, label_bodies, leaned_on, short_label, short_labels
from service.overlap import features, weight

__all__ = [
    "EvidenceUnit", "dedupe", "first_points", "is_duplicate", "item_heads",
    "in_notes_order", "label_bodies", "new_points", "section_units", "short_label", "short_labels", "units_of",
]  # fmt: skip

MAX_POINTS = 8  # a listed answer rarely has more; beyond that the answer stops being an answer
MAX_PROSE = 3  # sentences taken from an unlisted section: its definition and the next two
# ... or from one the search is sure of: a paragraph of the notes (dev set: 4 or 5 sentences
# for every section gave +2 lexical points and off-question fourth sentences; 7 for the sure
# ones +4, none lost: dev-021's merge by matrix multiplication and its small loss, dev-079)
SURE_PROSE = 7
# Deeper sentences of the answering section that match the question best also join (at most
# MAX_EXTRA, scoring ≥ EXTRA_SHARE of the best unit and MIN_EXTRA_SCORE): dev-set lexical
# point coverage 0.564 → 0.621 for 0.5 more sentences per answer.
MAX_EXTRA = 2
EXTRA_SHARE = 0.8
MIN_EXTRA_SCORE = 3.0  # three shared bigrams, or an English term and a bigram
MIN_FOCUS_SCORE = 3.0  # what the question asks beyond its heading: three bigrams, or a term
NAMING_LEAD_IN = 12  # characters: "方法如下：" names nothing, "LoRA微调具有以下几个优点：" does
MAX_INTRODUCED = 4  # unlisted lines a "…：" point brings along (a formula's variables)
ITEM_CHARS = 160  # an item and its second sentence; beyond that it turns into a paragraph
# ... unless the question asks about that very point ("强化学习为什么更容易解决幻觉问题？" and
# the item "强化学习更容易解决幻觉问题：…"): its title holds this share of what the question
# asks beyond the section's heading, and the point comes whole, up to this many more sentences
# (its third one says how: the reward for abstaining).
ASKED_ITEM_SHARE = 0.6
MAX_ASKED_REST = 4
DUPLICATE = 0.7  # bigram Jaccard above which two units are the same point
CONTAINED = 0.9  # share of a unit's bigrams inside one kept unit: it says nothing new
MIN_CONTAINED = 12  # bigrams: a short line ("优点：") may repeat inside a longer one


def is_duplicate(unit: EvidenceUnit, kept: Sequence[EvidenceUnit]) -> bool:
    if short_label(unit):  # "输入" under 预训练 and "输入" under 微调 are two things
        return False
    g = bigrams(unit.text)
    for k in kept:
        h = bigrams(k.text)
        if g and h and len(g & h) / len(g | h) >= DUPLICATE:
            return True
        # said whole inside a longer unit of another copy, whose commas don't split sentences
        if g and h and len(g) >= MIN_CONTAINED and len(g & h) >= CONTAINED * len(g):
            return True
    return False


def dedupe(units: Sequence[EvidenceUnit], limit: int) -> list[EvidenceUnit]:
    kept: list[EvidenceUnit] = []
    for u in units:
        if len(kept) >= limit:
            break
        if not is_duplicate(u, kept):
            kept.append(u)
    return kept


def section_units(
    units: list[EvidenceUnit], *, prose: int = MAX_PROSE, extras: int = MAX_EXTRA,
    focus: frozenset[str] = frozenset(),
) -> list[EvidenceUnit]:  # fmt: skip
    """The answer of a question section, in order: its lead-in, then one unit per list item
    (or, for prose, its first `prose` sentences), and up to `extras` deeper sentences."""
    items = [u for u in units if u.item and not short_label(u)]
    if len(items) >= 2:
        first = units.index(items[0])
        # The lead: the section's first statement, and a lead-in that counts the points
        # ("…划分为以下7个不同的类别：") - a bare "方法如下：" says nothing.
        lead = [u for u in units[:first] if u.text[-1] not in "：:"][:1]
        lead += [u for u in units[:first] if u.text[-1] in "：:" and _COUNT.search(u.text)][:1]
        # ... or a lead-in right above the list that names what the points are ("以下是一些缓
        # 解模型遗忘通用能力的方法：", "适配器微调（Adapter-tuning）具有以下特点：")
        # - not a line that ran two of them together ("…以下原因：为了解决…以下方法：")
        above = units[first - 1] if first else None
        if (
            above is not None and above not in lead and not above.item
            and above.text[-1] in "：:" and len(above.text) >= NAMING_LEAD_IN
            and not re.search(r"[：:]", above.text[:-1])
        ):  # fmt: skip
            lead.append(above)
        # a lead-in under the lead takes no point's place: it only says what the points are
        picked = dedupe(lead + items, MAX_POINTS + 1 + (above in lead and len(lead) > 1))
        picked += _item_rest(units, picked)
        # A lead-in between the lists ("为了解决复读机问题，可以采取以下策略：") says what the
        # next points are; without it they would read as more of the first list.
        last = max(u.start for u in picked)
        picked += [
            u for u in units[first + 1 :]
            if not u.item and u.text[-1] in "：:" and u.start < last and u.n == items[0].n
        ]  # fmt: skip
    else:
        picked = dedupe(units, prose)
    picked += _introduced(units, picked)
    if extras:
        picked += _asked_item(units, picked, focus)
    # A fact the question asks for can sit deeper in the section ("…动用了440张A100共训练了
    # 9.5天" is an item's second sentence): the best-matching other sentences join, in order.
    best = max((u.score for u in units), default=0.0)
    floor = max(MIN_EXTRA_SCORE, EXTRA_SHARE * best)
    extra = sorted(
        (u for u in units if u not in picked and u.score >= floor), key=lambda u: -u.score
    )
    picked += [u for u in extra[:extras] if not is_duplicate(u, picked)]
    if extras:
        picked += _focused(units, picked, focus)
    picked += leaned_on(units, picked)
    picked += item_heads(units, picked)
    picked += label_bodies(units, picked)
    picked += short_labels(units, picked)
    return in_notes_order(picked, units)


def _focused(
    units: list[EvidenceUnit], picked: list[EvidenceUnit], focus: frozenset[str]
) -> list[EvidenceUnit]:
    """The sentence that best matches what the question asks beyond its section's heading
    ("训练中文大模型时推荐用哪些中文分词工具" under "训练中文大模型有啥经验": the tools are an
    item's second sentence, which the heading's own words outscore)."""

    if not focus:
        return []
    score = {u: weight(focus & features(u.text)) for u in units}
    # only when it matches at least as well as every point already taken
    floor = max([MIN_FOCUS_SCORE, *(score[u] for u in picked)])
    best = max((u for u in units if u not in picked), key=score.__getitem__, default=None)
    if best is None or score[best] < floor or is_duplicate(best, picked):
        return []
    return [best]


def _item_rest(units: list[EvidenceUnit], picked: list[EvidenceUnit]) -> list[EvidenceUnit]:
    """Each picked item's second sentence, when the two fit in ITEM_CHARS: an item's first
    sentence often only names the point ("温度参数调整：温度参数是用来控制生成文本的多样性的一个
    参数。"), and the next says what it does."""
    out: list[EvidenceUnit] = []
    for u in picked:
        i = units.index(u) + 1
        nxt = units[i] if i < len(units) else None
        # a lead-in ("…可以理解为:") would need the lines it introduces: not a sentence to add
        if (
            u.item and nxt and nxt.rest and nxt not in picked and nxt.text[-1] not in "：:"
            and len(u.text) + len(nxt.text) <= ITEM_CHARS
        ):  # fmt: skip
            out.append(nxt)
    return out


def _asked_item(
    units: list[EvidenceUnit], picked: list[EvidenceUnit], focus: frozenset[str]
) -> list[EvidenceUnit]:
    """The rest of the one listed point the question asks about (see ASKED_ITEM_SHARE)."""
    if not focus:
        return []
    share = {
        u: weight(focus & features(re.split(r"[：:]", u.text, maxsplit=1)[0]))
        for u in picked if u.item
    }  # fmt: skip
    best = max(share, key=share.__getitem__, default=None)
    if best is None or share[best] < max(MIN_FOCUS_SCORE, ASKED_ITEM_SHARE * weight(focus)):
        return []
    out: list[EvidenceUnit] = []
    for u in units[units.index(best) + 1 :]:
        if not u.rest or len(out) >= MAX_ASKED_REST:
            break
        if u not in picked:
            out.append(u)
    return out


def new_points(units: Sequence[EvidenceUnit], kept: Sequence[EvidenceUnit]) -> list[EvidenceUnit]:
    """`units` that say something `kept` doesn't; an item's second sentence goes with its item.
    A repeat stays when the next sentence leans on it: another note's "LangChain 是一个…框架" said
    twice reads better than its "它的核心思想是…" with nothing for 它 to point to (dev-033)."""
    out: list[EvidenceUnit] = []
    dup = [is_duplicate(u, kept) for u in units] + [True]  # past the end: nothing leans
    dropped = False
    for i, u in enumerate(units):
        if u.rest and dropped:
            continue
        pointed_to = not dup[i + 1] and units[i + 1].n == u.n and leans_back(units[i + 1].text)
        dropped = dup[i] and not pointed_to
        if not dropped:
            out.append(u)
    return out


def first_points(units: Sequence[EvidenceUnit], k: int) -> list[EvidenceUnit]:
    """The first `k` units, an item's second sentence going with its item."""
    out: list[EvidenceUnit] = []
    for u in units:
        k -= not u.rest
        if k < 0:
            break
        out.append(u)
    return out


def _introduced(units: list[EvidenceUnit], picked: list[EvidenceUnit]) -> list[EvidenceUnit]:
    """The lines a picked point introduces: "变量解释:" alone says nothing; the unlisted lines
    under it ("$D$: 数据量…") are its content. Up to MAX_INTRODUCED of them, up to the next item."""
    out: list[EvidenceUnit] = []
    for u in picked:
        if u.text[-1] not in "：:":
            continue
        i = units.index(u) + 1
        while i < len(units) and len(out) < MAX_INTRODUCED:
            nxt = units[i]
            if nxt.item or nxt.n != u.n or nxt in picked or nxt in out:
                break
            out.append(nxt)
            i += 1
    return out


_COUNT = re.compile(r"\d+\s*[个种类点条步方面]|[一二三四五六七八九十两几]\s*[个种类点条步方面]")
