"""The one part of a section a question asks about: a listed point it names by its title
("波束搜索宽度" of the sampling parameters), or a sub-heading its words match ("LoRA微调方法的局限
性"). Either comes alone, with the lines under it; the rest of the section answers another
question."""

from __future__ import annotations

import re

from core.text import ASIDE
from service.evidence_unit import EvidenceUnit, announces, under
from service.overlap import features, weight
from service.section_units import MAX_ASKED_REST, MAX_POINTS, MIN_FOCUS_SCORE, first_points

LABEL_MARGIN = 1.0  # a sub-heading asked about shares a word more than the others (a bigram)
_JOINED = re.compile(r"[和与及、/]")  # "后处理和过滤": a title of two names
MAX_POINT_TITLE = 30  # characters before "：": "梯度累积 (Gradient Accumulation)"
POINT_TITLE_SHARE = 0.8  # "扩展查询" in "在文档召回中，扩展查询能解决什么问题？": all of it
MIN_TITLE_BIGRAMS = 2  # a point's Chinese title the question names: three characters or more
MIN_LABEL_WORDS = 1  # ... and a Chinese word with the question ("局限"), not only names
MAX_NAMED = 3  # points a question may name together and still ask about those alone
_EACH = frozenset({"分别", "w:respectively", "w:each"})  # it asks about each
_VARIOUS = frozenset({"各种", "各类", "各样"})  # "various", not "each"


def point_title(text: str) -> tuple[str, str] | None:
    """A titled point's head before its "：" and its title without an English gloss in
    brackets or code marks ("层次`Softmax`(`Hierarchical Softmax`)" is titled 层次Softmax), or
    None for a statement: no "：", or a head too long to be a title."""
    head, *colon = re.split(r"[：:]", text, maxsplit=1)
    title = ASIDE.sub("", head).replace("`", "")
    return (head, title) if colon and len(title) <= MAX_POINT_TITLE else None


def asked_point(
    units: list[EvidenceUnit], focus: frozenset[str], q: frozenset[str] = frozenset()
) -> list[EvidenceUnit]:
    """The one listed point the question asks about, alone, with its next sentences and the
    lines under it: "生成时调整波束搜索宽度会影响什么？" is the item "波束搜索宽度: …" of "大模型生成时
    的参数怎么设置？", not the section's four parameters. The question (`q`) must name its title (the
    words before "："), nearly all of it in one language (POINT_TITLE_SHARE), MIN_FOCUS_SCORE
    or more beyond the section's heading (`focus`), and no other point's as well; else [].
    Two or three points named whole, asked about each ("…分别…", "…各自…"), are those points."""
    items = [u for u in units if u.item and not u.rest and not u.label]
    if not focus or len(items) < 2:
        return []

    asked = q or focus  # the title may share words with the heading ("数据重采样", 领域数据)

    def covered(*parts: set[str]) -> bool:  # nearly all of one of `parts` is in the question
        return any(p and weight(asked & p) >= POINT_TITLE_SHARE * weight(p) for p in parts)

    named = []  # (whether the title is long enough to stand for the question, the item)
    for u in items:
        titled = point_title(u.text)
        if titled is None:
            continue
        head = titled[0]
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
            named.append((stands or short, any(p <= asked for p in said), u))
    # titles alike ("无意识的源-目标差异", "有意识的源-目标差异"): the one the question says whole
    if len(named) > 1 and sum(whole for _, whole, _ in named) == 1:
        named = [n for n in named if n[1]]
    # not one English word ("SFT") or one bigram: a title of MIN_FOCUS_SCORE or more, or a
    # Chinese name of three characters that only the question says ("元学习"; not "内在幻觉"
    # under a heading on 幻觉)
    # two or three points, each named whole, asked about each ("CassandraChatMessageHistory 和
    # MongoDBChatMessageHistory 分别…"): those points, in the notes' order; "伪标签和领域专家标注
    # 怎么取舍？" asks more than the two say
    several = (
        1 < len(named) <= MAX_NAMED
        and all(stands and whole for stands, whole, _ in named)
        and _asks_each(asked)
    )
    if not several and (len(named) != 1 or not named[0][0]):
        return []
    return [u for _, _, head in named for u in _with_lines(units, head)]


def _asks_each(q: frozenset[str]) -> bool:
    """The question asks about each thing it names: 分别, 各自, 各影响, respectively."""
    return bool(q & _EACH) or any(f.startswith("各") and f not in _VARIOUS for f in q)


def _with_lines(units: list[EvidenceUnit], head: EvidenceUnit) -> list[EvidenceUnit]:
    """A listed point with its next sentences and the points under it."""
    i = units.index(head) + 1
    rest: list[EvidenceUnit] = []
    while i < len(units) and units[i].rest and len(rest) < MAX_ASKED_REST:
        rest.append(units[i])
        i += 1
    return [head, *rest, *first_points(under(head, units), MAX_POINTS)]


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
    lines = under(head, units)
    # the answer reaches it already: more of it than the line announcing its list ("尽管LoRA提
    # 供了许多优点, 但它在某些场景下仍存在不足:" stood over nothing, the list cut by MAX_POINTS),
    # and more than the one line that says what a sub-heading is ("词表的设计权衡" and its
    # first line, 词表大小, of three)
    reached = [u for u in picked if u.parent == head.start and not announces(u.text)]
    if reached and (len(reached) > 1 or len(lines) == 1):
        return []
    # what it asks in words, not only the names every sub-heading of the section shares
    # ("GPT和BERT的概念" for "GPT 那种…和 BERT 那种…，各自适合干什么？")
    if len({f for f in q & features(head.text) if not f.startswith("w:")}) < MIN_LABEL_WORDS:
        return []
    return [head, *first_points(lines, MAX_POINTS)]
