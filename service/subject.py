"""A question about one listed point of the notes ("温度参数有什么作用？", "伪标签怎么生成？").

The notes answer many questions inside a list: "- 温度参数：…", "- 重播缓冲区（Replay Buffer）：…".
When no section's heading asks the question, the search's first section may be the list's
neighbour or a namesake ("Scaling Law是什么?" for "为什么要用 Loss Scaling？"), and the gate may
refuse a short question outright. A question that is one such point's title plus a few words of
asking ("有什么作用", "怎么生成") is answered by that point, whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.types import Hit
from service.asks import used_for
from service.naming import MAX_NAMED, key, whole_items
from service.overlap import features, weight
from service.section_units import EvidenceUnit, is_duplicate, units_of

MIN_TITLE = 3  # squashed characters: "伪标签", "topk"; two ("方法", "目标") name no one thing
MAX_TITLE = 30  # a longer head (its gloss aside) is a sentence, not a title
# What the question says beyond the titles: the asking words alone ("有什么作用" is {作用, 么作}).
# "RLHF 的完整训练过程有哪些步骤" keeps {完整, 步骤, …} beyond "训练过程": not about that point.
MAX_REST = 2.0
# Words a point's title adds to the name a question asks about ("温度" for 温度参数)
SETTING_WORDS = ("参数", "系数")

_NUMBERING = re.compile(r"^[\s\d.)）、]*")
_GLOSS = re.compile(r"[(（]([^()（）]+)[)）]")
_GAP = r"[\s\-_.·•“”\"'「」‘’`*]*"  # what `key` leaves out between a name's characters


def titles(unit: EvidenceUnit) -> list[str]:
    """The names a listed point goes by: its head before "：" ("温度参数"), a sub-heading item
    whole ("6 梯度缩放(Loss Scaling)"), without numbering, and the name and the gloss apart
    ("重播缓冲区", "Replay Buffer")."""
    if not unit.item:
        return []
    head = unit.text if unit.label else re.split(r"[：:]", unit.text, maxsplit=1)[0]
    if (head == unit.text and not unit.label) or len(_GLOSS.sub("", head)) > MAX_TITLE:
        return []
    head = _NUMBERING.sub("", head).strip()
    names = [head, _GLOSS.sub("", head).strip(), *_GLOSS.findall(head)]
    return [n for n in dict.fromkeys(names) if len(key(n)) >= MIN_TITLE]


def about(question: str, per_hit: Sequence[tuple[int, Hit]], q: set[str]) -> list[EvidenceUnit]:
    """The listed points whose titles make up `question` but for its asking words, each with
    the rest of its item, passage by passage in the search's order; [] when there are none."""
    asked = key(question)
    per_passage = [units_of(n, h, q) for n, h in per_hit]
    said = {key(t) for units in per_passage for u in units for t in titles(u) if key(t) in asked}
    # a title inside a longer one the question names is another thing: "数据增强" (of training
    # samples) in "数据增强生成有什么作用？" (LangChain's data-augmented generation)
    said = {t for t in said if not any(t != o and t in o for o in said)}
    # "温度有什么作用？" for the point titled 温度参数: the thing asked, plus a word that only
    # says it is a setting
    short = used_for(question) if not said else None
    if short:
        settings = {key(short) + key(w) for w in SETTING_WORDS}
        said = {key(t) for units in per_passage for u in units for t in titles(u)} & settings
    out: list[EvidenceUnit] = []
    named: set[str] = set()
    for units in per_passage:
        found: list[EvidenceUnit] = []
        for u in units:
            hits = [t for t in titles(u) if key(t) in said]
            if hits and not is_duplicate(u, out):
                found.append(u)
                named.update(key(t) for t in hits)
        if found:
            out += [u for u in whole_items(units, found) if u not in out]
        if len(out) >= MAX_NAMED:
            break
    if not out:
        return []
    rest = question  # unsquashed: English words stay apart
    for name in sorted(named | ({key(short)} if short else set()), key=len, reverse=True):
        rest = re.sub(_GAP.join(map(re.escape, name)), " ", rest, flags=re.I)
    return out if weight(features(rest, question=True)) <= MAX_REST else []
