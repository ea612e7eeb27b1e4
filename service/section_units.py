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
    "EvidenceUnit", "asked_label", "dedupe", "first_points", "is_duplicate", "item_heads",
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
LABEL_MARGIN = 1.0  # a sub-heading asked about shares a word more than the others (a bigram)
_JOINED = re.compile(r"[和与及、/]")
_GLOSS = re.compile(r"\s*[(（][^()（）]*[)）]")
MAX_POINT_TITLE = 30  # characters before "：": "梯度累积 (Gradient Accumulation)"
POINT_TITLE_SHARE = 0.8  # "扩展查询" in "在文档召回中，扩展查询能解决什么问题？": all of it
MIN_TITLE_BIGRAMS = 2  # a point's Chinese title the question names: three characters or more
MIN_LABEL_WORDS = 1  # ... and a Chinese word with the question ("局限"), not only names


def is_duplicate(unit: EvidenceUnit, kept: Sequence[EvidenceUnit]) -> bool:
    if short_label(unit):  # "输入" under 预训练 and "输入" under 微调 are two things
        return False
    g = bigrams(unit.text)
    for k in kept:
        h = bigrams(k.text)
        if g and h and len(g & h) / len(g | h) >= DUPLICATE:
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


def asked_point(
    units: list[EvidenceUnit], focus: frozenset[str], q: frozenset[str] = frozenset()
) -> list[EvidenceUnit]:
    """The one listed point the question asks about, alone, with its next sentences and the
    lines under it: "生成时调整波束搜索宽度会影响什么？" is the item "波束搜索宽度: …" of "大模型生成时
    的参数怎么设置？", not the section's four parameters. The question (`q`) must name its title (the
    words before "："), nearly all of it in one language (POINT_TITLE_SHARE), MIN_FOCUS_SCORE
    or more beyond the section's heading (`focus`), and no other point's as well; else []."""
    items = [u for u in units if u.item and not u.rest and not u.label]
    if not focus or len(items) < 2:
        return []

    asked = q or focus  # the title may share words with the heading ("数据重采样", 领域数据)

    def covered(*parts: set[str]) -> bool:  # nearly all of one of `parts` is in the question
        return any(p and weight(asked & p) >= POINT_TITLE_SHARE * weight(p) for p in parts)

    named = []  # (whether the title is long enough to stand for the question, the item)
    for u in items:
        head, *colon = re.split(r"[：:]", u.text, maxsplit=1)
        # a statement, not a titled point; an English gloss in brackets and code marks don't
        # count ("层次`Softmax`(`Hierarchical Softmax`)")
        if not colon or len(_GLOSS.sub("", head).replace("`", "")) > MAX_POINT_TITLE:
            continue
        title = features(head)
        # in either language: "梯度累积 (Gradient Accumulation)" is named by "梯度累积" alone
        english = {f for f in title if f.startswith("w:")}
        chinese = title - english
        # a title of two names ("后处理和过滤") is named by their words, without the bigrams
        # across the 和 (an English question glossed "（后处理、过滤）")
        names = set().union(*(features(name) for name in _JOINED.split(head))) - english
        said = [
            part for part, ok in ((english, covered(english)), (chinese, covered(chinese, names)))
            if ok
        ]  # fmt: skip
        # a title the heading already says ("减轻LLM幻觉的方法") is not named by the question;
        # a short title named too ("伪标签") makes it a question about two points
        if any(focus & p for p in said):
            stands = max(weight(focus & p) for p in said) >= MIN_FOCUS_SCORE
            short = chinese <= focus and len(chinese) >= MIN_TITLE_BIGRAMS
            named.append((stands or short, u))
    # not one English word ("SFT") or one bigram: a title of MIN_FOCUS_SCORE or more, or a
    # Chinese name of three characters that only the question says ("元学习"; not "内在幻觉"
    # under a heading on 幻觉)
    if len(named) != 1 or not named[0][0]:
        return []
    head = named[0][1]
    i = units.index(head) + 1
    rest: list[EvidenceUnit] = []
    while i < len(units) and units[i].rest and len(rest) < MAX_ASKED_REST:
        rest.append(units[i])
        i += 1
    under = [u for u in units if u.parent == head.start and u.file == head.file]
    return [head, *rest, *first_points(under, MAX_POINTS)]


def asked_label(
    units: list[EvidenceUnit], q: set[str], picked: list[EvidenceUnit]
) -> list[EvidenceUnit]:
    """The sub-heading of the section that the question asks about, with the lines under it:
    "LoRA 本身有哪些局限？" under "LoRA是什么? LoRA微调方法的局限性" is the sub-heading item
    "LoRA微调方法的局限性" and its list, not the section's first eight points (which never
    reached it: `picked`). It must match the question by more than the words every sub-heading
    shares (LABEL_MARGIN over the next best); else []."""
    scored = sorted(
        ((weight(q & features(u.text)), i) for i, u in enumerate(units) if u.label), reverse=True
    )
    if not scored or scored[0][0] < MIN_FOCUS_SCORE:
        return []
    if len(scored) > 1 and scored[0][0] - scored[1][0] < LABEL_MARGIN:
        return []
    head = units[scored[0][1]]
    if any(u.parent == head.start for u in picked):  # the answer reaches it already
        return []
    # what it asks in words, not only the names every sub-heading of the section shares
    # ("GPT和BERT的概念" for "GPT 那种…和 BERT 那种…，各自适合干什么？")
    if len({f for f in q & features(head.text) if not f.startswith("w:")}) < MIN_LABEL_WORDS:
        return []
    under = [u for u in units if u.parent == head.start and u.file == head.file]
    return [head, *first_points(under, MAX_POINTS)]
