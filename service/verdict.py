"""A yes/no question ("困惑度是不是越低越好？"), one for a number or a definition: the notes'
sentence on it, first.

Such a question asks whether one statement holds, and the notes settle it in one sentence,
often deep inside a section about something broader ("困惑度越低, 训练效果就越好." in a list of
evaluation metrics; "若 Top k 和 Top p 都启用，则 Top p 在 Top k 之后起作用" as the last
sentence of an item). The section's lead and points come after it: without the sentence, the
answer circles the claim and never says yes or no. A question for a number ("7B 模型用半精度做
推理，大概要占多少显存？") is the same: one line gives it ("7B: 全精度28G, 半精度14G"), under a
section that opens on how to estimate it. So is "X 是什么？" when the first sentence is on
something else: the sentence that opens on X and says what it is ("早停策略：…") comes first.
English questions are left as they are (but for a definition, which needs only the name):
their words rarely meet the Chinese notes' own (service/asks.py `yes_no` still keeps them from
being refused for a kind of answer they don't ask for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.text import is_english
from core.types import Hit
from core.units import names_back
from service.asks import (
    Ask,
    clauses,
    defined,
    gives,
    quantity,
    which_more,
    without_asking,
    yes_no,
)
from service.evidence import LOW_MATCH, Evidence
from service.keyterms import key_terms, squash
from service.labels import MAX_LEAD_IN, is_lead_in
from service.naming import opens_with_definition
from service.overlap import features, heading_match, weight
from service.section_units import EvidenceUnit, is_duplicate, units_of

# The claim must share this much with the sentence: three bigrams, or an English term and a
# bigram (section_units.MIN_FOCUS_SCORE, the same bar for "what the question asks").
MIN_CLAIM_SCORE = 3.0
MIN_SCENE_CLAIM = 2.0  # ... or two bigrams of it, and three of the question's scene
# ... and to stand against the score gate's "nothing close" (a short question scores low
# against a whole passage), most of it: "困惑度越低, 训练效果就越好." has 5 of the 6 bigrams of
# "困惑度越低越好吗？"
STATED_SHARE = 0.6
MAX_ITEM_REST = 2  # an item's next sentences, after the one that matched: its point is in them


@dataclass(frozen=True)
class Claim:
    said: str  # what the sentence must state, without the question words
    scene: str = ""  # the question's other clauses: where the claim holds
    # the kinds of number asked for, one of which the sentence must give, the likeliest first
    numbers: tuple[Ask, ...] = ()


def claim(question: str) -> Claim | None:
    """The clause of `question` that asks yes or no, without its question words, and the rest
    ("困惑度 越低越好" and "评测语言模型时" of "评测语言模型时，困惑度是不是越低越好？"); for a
    question for a number, the whole question without them ("7B 模型用半精度加载做推理， 要 显
    存": its asking clause alone says little). None for any other question, and for an English
    one: its words rarely meet the Chinese notes' own."""
    if is_english(question):
        return None
    parts = clauses(question)
    for i in reversed(range(len(parts))):
        if yes_no(parts[i]) or which_more(parts[i]):
            rest = "，".join(parts[:i] + parts[i + 1 :])
            return Claim(without_asking(parts[i]), without_asking(rest))
    numbers = quantity(question)
    return Claim(without_asking(question), numbers=numbers) if numbers else None


def _own_list(rest: Sequence[EvidenceUnit], lead: EvidenceUnit) -> list[EvidenceUnit]:
    """What stays beside the line that gives a number: the item it goes on ("参数计算口径不一致：
    …" before "例如，DiffPruning更新0.5%的参数…") and the other lines of its own list ("13B:
    全精度52G…" beside "7B: …"); the rest of its section says something else."""
    mine = [u for u in rest if u.file == lead.file and u.parent == lead.parent]
    heads = [u.start for u in mine if u.item and not u.rest and u.start < lead.start]
    # the item the lead goes on, from its first line
    keep = [u for u in mine if heads[-1] <= u.start < lead.start] if lead.rest and heads else []
    # (its sub-headings and lead-ins without the lines under them would say nothing)
    same = [u for u in mine if lead.parent >= 0 and not (u.label or is_lead_in(u))]
    return keep + [u for u in same if u not in keep]


def _asks_number(question: str) -> bool:
    found = claim(question)
    return found is not None and bool(found.numbers)


def statement(question: str, hits: Sequence[Hit]) -> tuple[list[EvidenceUnit], bool]:
    """The sentence of the hits (hit i is passage i + 1) that best matches what a yes/no
    question claims, with the rest of its list item (up to MAX_ITEM_REST sentences: "LLaMA模型：
    …训练使用多达14,000亿tokens语料…" names the point, "…不包含中日韩文。" settles it). It names
    the question's names, if it has any, and shares MIN_CLAIM_SCORE with the asking clause; the
    question's other clauses ("…同时开着的时候") count too, as the scene of the claim. For a
    question for a number, the sentence must give one, of the likeliest kind that any does.
    Also whether it states most of the claim (STATED_SHARE)."""
    found = claim(question)
    if found is None:
        return [], False
    q = features(found.said, question=True)
    scene = features(found.scene, question=True)
    whole = q | scene
    names = [squash(t.text) for t in key_terms(question) if t.hard]
    candidates: list[tuple[float, float, int, list[EvidenceUnit]]] = []
    for i, h in enumerate(hits):
        if h.chunk.hollow:
            continue
        units = units_of(i + 1, h, whole)
        for k, u in enumerate(units):
            if names and not any(n in _about(units, k) for n in names):
                continue
            said = features(u.text)
            own = weight(q & said)  # how much of the claim it shares
            # a generic claim ("会让模型更容易产生幻觉") in the question's own scene ("把 top-p
            # 开大、温度调高"): a sentence that shares the scene stands for it too; so does, for a
            # question for a number, a line that itself names what it is about ("7B: 全精度28G,
            # 半精度14G" for "推理一个 7B 模型大概要多少显存？")
            named = bool(found.numbers) and any(n in squash(u.text) for n in names)
            if own >= MIN_CLAIM_SCORE or (
                own >= MIN_SCENE_CLAIM and (named or weight(scene & said) >= MIN_CLAIM_SCORE)
            ):
                candidates.append((u.score, own, k, units))
    # a yes/no question: the best; one for a number: the best that gives it, of the likeliest kind
    for ask in found.numbers or (None,):
        fit = [c for c in candidates if ask is None or gives(ask, c[3][c[2]].text, question)]
        if fit:
            break
    else:
        return [], False
    _, shared, k, units = max(fit, key=lambda c: c[0])
    return _with_rest(units, k), shared >= STATED_SHARE * weight(q)


def definition(question: str, hits: Sequence[Hit]) -> list[EvidenceUnit]:
    """For "X 是什么？": the sentence of the hits that opens on X ("Top p: 动态设置tokens候选列表
    的大小", "知识蒸馏 (Knowledge Distillation) : 知识蒸馏是一种…"), the best match of those,
    with the rest of its item; none when no sentence does."""
    name = defined(question)
    if name is None:
        return []
    q = features(question, question=True)
    best: tuple[float, int, list[EvidenceUnit]] | None = None
    for i, h in enumerate(hits):
        if h.chunk.hollow:
            continue
        units = units_of(i + 1, h, q)
        for k, u in enumerate(units):
            if opens_with_definition(u.text, name) and (best is None or u.score > best[0]):
                best = (u.score, k, units)
    return [] if best is None else _with_rest(best[2], best[1])


def _with_rest(units: Sequence[EvidenceUnit], k: int) -> list[EvidenceUnit]:
    """Unit k and its item's next sentences (up to MAX_ITEM_REST), when k opens its item; after
    the sentence it points back to, if it does."""
    before = _antecedent(units, k)
    out = [before, units[k]] if before else [units[k]]
    for u in units[k + 1 : k + 1 + MAX_ITEM_REST]:
        if not u.rest or units[k].rest:  # the item's own next sentences, from its first one
            break
        out.append(u)
    return out


def _antecedent(units: Sequence[EvidenceUnit], k: int) -> EvidenceUnit | None:
    """The sentence unit k points back to (core/units.py `names_back`): the one before it in
    its passage."""
    u = units[k]
    before = units[k - 1] if k else None
    if before is None or before.n != u.n or not names_back(u.text):
        return None
    return before


def _about(units: Sequence[EvidenceUnit], k: int) -> str:
    """What unit k speaks of (squashed): its text, its passage's headings, the list items above
    its passage it sits under ("2 微调(SFT…)"), the line that introduces it ("Encoder-Decoder："
    over "缺点：在长文本生成任务上效果差"), a few lines up, and the sentence it points back to."""
    u = units[k]
    lead_in = next(
        (p.text for p in reversed(units[max(0, k - MAX_LEAD_IN) : k]) if p.text[-1] in "：:"), ""
    )
    before = _antecedent(units, k)
    said = [u.text, *u.heading_path, *u.context, lead_in, before.text if before else ""]
    return squash(" ".join(said))


def _follows(unit: EvidenceUnit, lead_in: EvidenceUnit) -> bool:
    """`unit` comes after `lead_in` in its passage, so it may be what the line introduces."""
    return unit.chunk_id == lead_in.chunk_id and unit.start > lead_in.start


def _number_first(question: str, evidence: Evidence) -> Evidence:
    """A question for a number that its own section answers further on ("微调模型需要多大显
    存？" opens on what the size depends on; "…需要至少16GB以上的显存…" is its third sentence):
    the section's first sentence that gives one, of the likeliest kind any does, comes first."""
    asked = claim(question)
    units = evidence.units
    if asked is None or not asked.numbers:
        return evidence
    own = (units[0].file, units[0].heading_path)
    mine = [u for u in units if (u.file, u.heading_path) == own and not u.other_note]
    for ask in asked.numbers:
        first = next((u for u in mine if gives(ask, u.text, question)), None)
        if first is not None:
            break
    else:
        return evidence
    if first is units[0]:
        return evidence
    before = _antecedent(units, units.index(first))
    moved = [before, first] if before else [first]
    lead = [replace(u, item=False, rest=False, parent=-1, label=False) for u in moved]
    return replace(evidence, units=(*lead, *(u for u in units if u not in moved)))


def lead_with_statement(question: str, hits: Sequence[Hit], evidence: Evidence) -> Evidence:
    """`evidence` with the statement of a yes/no or number question first, or the sentence that
    says what X is for "X 是什么？", as its own lead sentences (taken out of wherever they were); the rest keeps the notes' order. One that states most of
    the claim (STATED_SHARE) counts as found by it (`Evidence.by_name`)."""
    # a section that asks this, or a yes/no question of its own on it ("奖励模型需要和基础模型
    # 一致吗？" for "…一定要和被训练的主模型是同一个吗？"): its lead gives the verdict already
    # (but for a number, which it may give further on)
    if evidence.empty:
        return evidence
    if evidence.same_question:
        return _number_first(question, evidence)
    near = heading_match(features(question, question=True), evidence.heading) >= LOW_MATCH
    # ... unless the question names what the heading doesn't ("推理一个 7B 模型…" is not asked
    # by "微调模型需要多大显存？")
    heading = squash(evidence.heading)
    named = all(squash(t.text) in heading for t in key_terms(question) if t.hard)
    if near and named and claim(evidence.heading) is not None:
        return evidence
    found, stated = statement(question, hits)
    # the line that gives the number asked for ("…动用了440张A100共训练了9.5天, 对应的成本达到
    # 20w刀."): the rest of its section says something else (the training steps around it)
    number = stated and _asks_number(question)
    name = defined(question)
    if not found and name is not None and not opens_with_definition(evidence.units[0].text, name):
        found = definition(question, hits)  # "X 是什么？" and a first sentence on something else
    if not found:
        return evidence
    texts = {u.text for u in found}
    rest = [u for u in evidence.units if u.text not in texts]
    # a sub-heading whose lines all moved up says nothing on its own ("- 过程：" at the end)
    moved = {(u.file, u.parent) for u in evidence.units if u.text in texts}
    rest = [
        u for u in rest
        if not ((u.file, u.start) in moved and not any(v.parent == u.start for v in rest))
    ]  # fmt: skip
    # ... and so does a line that introduced them ("causal Decoder：") with none left after it
    rest = [
        u for i, u in enumerate(rest)
        if not is_lead_in(u) or (i + 1 < len(rest) and _follows(rest[i + 1], u))
    ]  # fmt: skip
    if len(rest) == len(evidence.units) and is_duplicate(found[0], rest):
        return replace(evidence, by_name=evidence.by_name or stated)  # its copy is there
    lead = [
        replace(u, item=False, rest=False, parent=-1, label=False, other_note="") for u in found
    ]
    if number:
        rest = _own_list(rest, found[0])
    if stated:  # it settles the question: other sections are padding ("…SFT之后LLM傻了")
        own = (found[0].file, found[0].heading_path)
        rest = [u for u in rest if (u.file, u.heading_path) == own and not u.other_note]
        return replace(evidence, units=(*lead, *rest), by_name=True, closest=())
    return replace(evidence, units=(*lead, *rest))
