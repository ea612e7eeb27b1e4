"""A question about what one thing is ("困惑度是什么？", "What is X?"), when no section is about it.

The notes define many terms in passing, inside a longer answer: such a question scores low on
meaning against the whole passage (the score gate would refuse it), and the section the search
puts first may only share a word with it ("Scaling Law是什么?" for "Loss Scaling是什么？"). Its
answer is the sentences that name the thing, or what the notes call it in the other language
(their own glosses: "困惑度（perplexity）"), with the rest of their item; a passage the search
missed is looked up by the name (`lookup`, before the evidence is selected).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from core.errata import masked, retracted
from core.types import Hit
from core.units import split_units
from service.asks import defined, used_for
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
MAX_TERM = 8  # Chinese characters of a term glossed in English: "重播缓冲区", "梯度裁剪"
MAX_NAMED = 4  # sentences that name it: as many as a scored answer takes (MAX_SCORED)


_QUOTES = re.compile(r"[“”\"'「」‘’`*]")


def key(text: str) -> str:
    """`text` for comparing names: squashed (keyterms.squash), without quotes and emphasis:
    "“数据瓶颈”现象" and "\"数据瓶颈\"现象" compare equal."""
    return _QUOTES.sub("", squash(text))


def aliases(name: str, texts: Sequence[str]) -> list[str]:
    """`name` and what the notes call it in the other language, from their own glosses:
    "困惑度（perplexity）" makes "困惑度" a name for "perplexity", and "梯度裁剪 (Gradient
    Clipping)" "Gradient Clipping" one for "梯度裁剪". Of the Chinese run before a gloss, the
    longest ending the notes also use elsewhere ("困惑度", not "自动评估指标如困惑度")."""
    words = r"\s*".join(map(re.escape, name.split()))
    out = [name]
    blob = "\n".join(texts)
    before = re.compile(rf"([\u4e00-\u9fff]{{2,12}})\s*[（(]\s*[`*]*{words}[`*]*\s*[)）]", re.I)
    after = re.compile(rf"{words}\s*[（(]\s*[`*]*([A-Za-z][\w \-]{{2,40}}?)[`*]*\s*[)）]", re.I)
    rest = before.sub(" ", blob)  # the notes without the glossed spots
    for m in before.finditer(blob):
        run = m.group(1)
        # a term starts after a non-Chinese character: the glossed run itself ("- 负采样(`Negative
        # Sampling`)"), else its longest ending the notes write so elsewhere ("例如困惑度, …")
        if len(run) <= MAX_TERM and not re.match(
            r"[\u4e00-\u9fff]", blob[m.start() - 1 : m.start()]
        ):
            out.append(run)
            continue
        ends = (run[i:] for i in range(len(run) - 1))
        out += [e for e in ends if re.search(r"(?<![\u4e00-\u9fff])" + re.escape(e), rest)][:1]
    out += [m.group(1).strip() for m in after.finditer(blob)]
    return list(dict.fromkeys(n for n in out if len(key(n)) >= 2))


def _names(keys: Sequence[str], text: str) -> bool:
    """`text` names one of `keys` (names as `key` writes them); the text is keyed once."""
    keyed = key(text)
    return any(k in keyed for k in keys)


def naming(
    name: str, per_hit: list[tuple[int, Hit]], q: set[str]
) -> tuple[list[EvidenceUnit], bool]:
    """What the notes say of a thing a "what is X" question names (`name`, or what the notes
    call it in the other language), when no section is about it, and whether some of it says
    what the thing is: the sentences that name it, passage by passage in the search's order,
    each with the rest of its item: the sentences on its line, the lines under it ("负采样(`Negative
    Sampling`):" and its two points), its item's first sentence. When some passage says what
    it is, passages that only mention it are left out ("在线学习平台" beside "在线学习是一种增量
    学习的方法"). "Loss Scaling是什么？" is answered by the mixed-precision item "6 梯度缩放(Loss
    Scaling)", not the section "Scaling Law是什么?" that shares a word with it."""
    names = aliases(name, [h.chunk.text for _, h in per_hit])
    keys = [key(n) for n in names]
    groups: list[list[EvidenceUnit]] = []
    taken: list[EvidenceUnit] = []
    for n, h in per_hit:
        units = units_of(n, h, q)
        found = [
            u for u in units
            if _names(keys, u.text) and "|" not in u.text
            and not is_duplicate(u, taken)
        ][: MAX_NAMED - len(taken)]  # fmt: skip
        if not found:
            continue
        groups.append(whole_items(units, found))
        taken += groups[-1]
        if len(taken) >= MAX_NAMED:
            break
    defining = [g for g in groups if any(defines(x, (u.text for u in g)) for x in names)]
    return [u for g in (defining or groups) for u in g], bool(defining)


def whole_items(units: list[EvidenceUnit], found: list[EvidenceUnit]) -> list[EvidenceUnit]:
    """`found` with the rest of their items, in the notes' order: the sentences on an item's
    line, the lines under it (up to MAX_INTRODUCED; a line with "|", a formula's "P(w | C)" or
    a pipeline of code, reads as nothing), and
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
        rf"^[(（\d]*{k}|^[^，,。；]{{0,14}}[(（]{k}[)）]|即{k}|{k}(?:[(（][^)）]*[)）])?(?:是|指|即|:|：)"
    )
    return any(opens.search(key(t)) for t in texts)


# what may come before the name a sentence opens on: an item's number, bold, a quote
_OPENING = re.compile(r"^(?:\s|\d{1,2}[.、)）]|[-*•>“\"「]|\*\*)+")
# ... and what says the sentence defines it, after the name and any gloss: "早停策略：",
# "内部协变量移位指的是", "X is"; not "困惑度越低, 训练效果就越好"
_DEFINES = re.compile(
    r"^\s*(?:[(（][^()（）]{1,40}[)）])?[\s”\"」*]*"
    r"(?:[：:]|是|指|即|就是|又称|也称|\s(?:is|are|refers to|means)\b)"
)


# what a question may add to a name: "Top p 参数是怎么定义的？" is answered by "Top p: …"
_NAME_SUFFIX = re.compile(r"\s*(?:参数|指标|概念|这个词)$")


def opens_with_definition(text: str, name: str) -> bool:
    """Whether `text` opens on `name` and says what it is ("早停策略：在微调过程中…"): stricter
    than `defines`, which also takes a sentence that only opens on the name ("困惑度越低, 训练
    效果就越好"), or glosses it; this one picks the sentence to lead an answer with."""
    text = _OPENING.sub("", text)
    for said in dict.fromkeys((name, _NAME_SUFFIX.sub("", name) or name)):
        m = re.match(r"[\s“”\"「」]*".join(map(re.escape, said.replace(" ", ""))), text, re.I)
        if m is not None and _DEFINES.match(text[m.end() :]) is not None:
            return True
    return False


def lookup(question: str, hits: Sequence[Hit], sections: Sections) -> list[Hit]:
    """Passages that name what a "what is X" or "what is X for" question (or part of one) asks
    about, when no hit says what it is: the search ranks a short question by meaning, and
    "分布式假设是什么？" found the "分布式训练" sections first, not "基础假设(分布式假设)" under
    Word2Vec. Up to MAX_FOUND for each name, in the notes' order, scored below every hit (the
    search did not find them)."""
    floor = min((h.score for h in hits), default=0.0)
    have = {h.chunk.chunk_id for h in hits}
    out: list[Hit] = []
    every = [c for chunks in sections.values() for c in chunks]
    for part in question_parts(question):
        name = defined(part) or used_for(part)
        if name is None:
            continue
        names = aliases(name, [c.text for c in every])
        # what the hits say, less the notes' reviewed errors (a wrong section's "量化是一种…"
        # is no definition an answer may give)
        said = [
            u.text for h in [*hits, *out] if not retracted(h.chunk)
            for u in split_units(masked(h.chunk).text)
        ]  # fmt: skip
        if any(defines(n, said) for n in names):  # a hit says what it is already
            continue
        keys = [key(n) for n in names]
        found = [c for c in every if c.chunk_id not in have and _names(keys, c.text)]
        out += [Hit(c, floor, None, None) for c in found[:MAX_FOUND]]
        have.update(c.chunk_id for c in found[:MAX_FOUND])
    return out
