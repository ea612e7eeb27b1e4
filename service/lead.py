"""The answer's first point: the one that says what is asked, when the section answers a wider
question ("BERT 的 NSP 任务里，正负样本各占多少？" is answered by a section on GPT and BERT, whose
50%/50% sentence came fifth). Learners read the first lines; the rest keeps the notes' order."""

from __future__ import annotations

import re
from dataclasses import replace

from core.units import leans_back, names_back
from service.asked_part import point_title
from service.asks import asking_clauses, without_excepted
from service.evidence_unit import Evidence, EvidenceUnit, announces
from service.keyterms import squash
from service.overlap import features, weight

# The best unit goes first only when it says this many times more of the question than the
# answer's first point, and at least MIN_LEAD (weighted shared features: three bigrams and a
# term). Set on the dev sets and the held-out sets' answers, checked by reviewers (round yy).
LEAD_SHARE = 2.0
MIN_LEAD = 4.0
# a sentence that reads right only after the one before it ("然而，…", "通过以上思路，…"), or a
# closing caveat ("需要注意的是，…": round yy); nor one that announces the lines after it
_GOES_ON = re.compile(r"\s*(?:然而|但是?|而且|同时|另外|需要注意|值得注意)")
_TITLED = re.compile(r"^[^：:。，,]{1,20}[：:]")
# A listed point the question singles out goes first (`named_first`): its title shares half its
# words and bigrams with the question, two or more beyond the section's heading (a bigram pair
# or an English word), and the question marks it as its subject: by an English name ("Tools",
# "XLNet"), in quotes (“动态切分”), or in the clause that asks ("…用模拟数据来代替是怎么做的？").
# Names anywhere in the question were as often its setting as its subject ("从拿到原始数据到能拿
# 去训练，中间要做哪些事？" over "收集原始数据：": 8 of 21 moves read worse).
NAMED_SHARE = 0.5
MIN_NAMED = 2.0
MIN_MARKED = 3  # characters of the title in the quotes or the asking clause
MAX_NAMED_FIRST = 3  # "Knowledge 和 Memory", three quoted categories: each a subject
_QUOTED = re.compile(r"[“\"「『‘']([^”\"」』’']{2,40})[”\"」』’']")
# A listed point that alone says four or more characters running of the clause that asks goes
# first when the answer opens on a line that only announces the list ("笔记建议拿什么当初始模型？":
# "预训练模型：…作为初始模型…"; "推荐用哪些中文分词工具？": the point on 中文分词 and THULAC).
MIN_SAID_RUN = 4


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


def _first(evidence: Evidence, moved: list[EvidenceUnit]) -> Evidence:
    """`evidence` with `moved` first, the rest in the order they had."""
    return replace(evidence, units=(*moved, *(u for u in evidence.units if u not in moved)))


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
    return _first(evidence, moved)


def named_first(evidence: Evidence, question: str) -> Evidence:
    """`evidence` with the listed points the question singles out first, in the notes' order,
    the rest after them: "提示学习里的“策略优化”方法是怎么做的？" opens on 策略优化, not on the
    line that announces five methods. Every point whose title shares a word beyond the heading
    with the question must be one it marks (else it asks about the list); none for a point
    the question names only as a setting ("除了…")."""
    units = list(evidence.units)
    if evidence.point or evidence.by_name or len(units) < 3 or units[0].other_note:
        return evidence
    blocks = [b for b in _blocks(units) if not b[0].other_note]
    asked = without_excepted(question)
    q = features(asked, question=True)
    focus = q - features(evidence.heading)
    marked = [squash(m) for m in (*_QUOTED.findall(asked), *asking_clauses(asked))]
    lead = squash(" ".join(u.text for u in blocks[0]))
    named: list[int] = []
    touched = 0
    for i, block in enumerate(blocks):
        titled = point_title(block[0].text) if block[0].item else None
        if titled is None:
            continue
        head, title = titled
        own = features(head)
        touched += bool(own & focus)
        if weight(own & q) < NAMED_SHARE * weight(own) or weight(own & focus) < MIN_NAMED:
            continue
        english = any(f.startswith("w:") for f in own & focus)
        runs = [_common_run(squash(title), m) for m in marked]
        # not a name the answer's lead already says ("分为两类：即内在幻觉和外在幻觉")
        if english or any(len(r) >= MIN_MARKED and r not in lead for r in runs):
            named.append(i)
    if not named or named[0] == 0 or len(named) > MAX_NAMED_FIRST or touched > len(named):
        return evidence
    moved = [u for i in named for u in blocks[i]]
    return _first(evidence, moved)


def _common_run(title: str, text: str) -> str:
    """The longest run of `title`'s characters that `text` contains."""
    best = ""
    for i in range(len(title)):
        j = i + len(best) + 1
        while j <= len(title) and title[i:j] in text:
            best = title[i:j]
            j += 1
    return best


def said_first(evidence: Evidence, question: str) -> Evidence:
    """`evidence` with the one listed point that says what the question's asking clause says
    first, when the answer opens on a line that only announces its list: the announcing line
    restates the question's setting, so it outscores the point that answers."""
    units = list(evidence.units)
    if evidence.same_question or evidence.point or evidence.by_name or len(units) < 3:
        return evidence
    blocks = [b for b in _blocks(units) if not b[0].other_note]
    if len(blocks) < 3 or len(blocks[0]) != 1 or not announces(blocks[0][0].text):
        return evidence
    clauses = [squash(c) for c in asking_clauses(without_excepted(question))]
    texts = [squash(" ".join(u.text for u in b)) for b in blocks]
    found = []  # the announcing line among them: it says the clause's own words of the list
    for i, text in enumerate(texts):
        run = max((_common_run(c, text) for c in clauses), key=len, default="")
        if len(run) >= MIN_SAID_RUN and not any(run in t for j, t in enumerate(texts) if j != i):
            found.append(i)
    if len(found) != 1 or found[0] == 0 or not blocks[found[0]][0].item:
        return evidence
    moved = blocks[found[0]]
    return _first(evidence, moved)
