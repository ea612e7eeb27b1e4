"""Grade a learner's answer against the notes' answer, point by point.

The key points are the answer section's evidence units (service/practice_bank.py `answer_points`).
A point is covered when the learner's answer says it, judged in the support check's direction
turned round: the point is the claim, the learner's answer the passage. Lexically, with the key
terms of service/keyterms.py (jieba content words, English names, numbers):

- recall: most of the point's terms occur in the answer (words the question itself uses,
  "复读机" in every point about 复读机, say nothing and are left out);
- a label: a listed point's name ("数据偏差：…") written in the answer;
- precision: one of the learner's sentences is mostly made of this point's terms (a short
  paraphrase of a long point: "训练数据里重复文本多，模型就会复制这些模式").

What this can't do: recognise a paraphrase in other words, or judge a whole English answer
against Chinese notes (English shares only names and numbers with them). An embedding
similarity (the service's multilingual e5), when given, is the second signal, clause by
clause: alone for English clauses; for a Chinese clause only towards a point it shares a term
with (without that anchor, off-topic Chinese answers scored 0.33 on the grading set).

Contradictions: a learner's sentence that matches a point but changes its number, or flips its
polarity (support.py's negation test), is reported, and that point does not count as covered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.text import bigrams, has_cjk, numbers
from core.units import split_units
from service.evidence import EvidenceUnit
from service.keyterms import Term, key_terms, squash
from service.support import negated

# Share of a point's terms (names weigh 2) the answer must contain: half of them is "said it".
MIN_RECALL = 0.5
MIN_HARD = 2  # names or numbers a point needs before an English answer is judged on them
# Share of one learner sentence's terms found in the point, with at least MIN_SHARED of them:
# the sentence is about this point.
MIN_PRECISION = 0.6
MIN_SHARED = 3
# A sentence matches a point closely enough to contradict it (a changed number, a flipped
# negation) at this precision: lower, and a sentence about another point would be "contradicting".
CONTRADICTION_PRECISION = 0.5
# Share of a learner clause's bigrams found in one clause of the point: the same statement,
# so a flipped negation between them is a contradiction.
NEGATION_MATCH = 0.6
_CLAUSE = re.compile(r"[，,；;。！？!?]")
MAX_LABEL_CHARS = 16  # "数据偏差：" names a point; a longer text before the colon is a sentence
_LABEL = re.compile(r"^(.{2,%d}?)[：:]" % MAX_LABEL_CHARS)  # noqa: UP031 - a regex's braces
# e5 cosine of an English clause and a Chinese point. e5's cosines crowd into 0.78-0.94, so
# the level alone says little: a point is covered when it is among the clause's closest
# (within SIM_BAND of the best) and stands out from the clause's mean over all points.
MIN_SIMILARITY = 0.84
SIM_BAND = 0.01
MIN_LEAD = 0.01
# A sentence this much Latin script is judged by similarity too ("模型 parameters 要常驻显存"):
# its English words are the learner's translation of the notes' Chinese ones.
LATIN_SHARE = 0.3
MIN_ANCHOR = 1  # terms a Chinese clause shares with a point before its similarity counts
# Clauses embedded per answer: a thorough answer has a dozen; an 8000-character paste would
# otherwise cost a few hundred e5 calls (seconds of CPU) in one request.
MAX_EMBEDDED = 32
_EN_CLAUSE = re.compile(r"[;；,，。]\s*|\s+and\s+")

# (sentences) -> cosine of each sentence with each key point: shape (sentences, points)
Similarity = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class PointGrade:
    n: int  # 1-based, the point's place in the notes' answer
    unit: EvidenceUnit
    covered: bool
    how: str  # "recall" | "label" | "sentence" | "similarity" | "" (not covered)


@dataclass(frozen=True)
class Contradiction:
    sentence: str
    point: int
    reason: str


@dataclass(frozen=True)
class Grade:
    score: float  # covered points / points
    points: tuple[PointGrade, ...]
    contradictions: tuple[Contradiction, ...]


def _terms(text: str, asked: str) -> list[Term]:
    """Key terms of `text` that the question (`asked`, squashed) doesn't already say."""
    return [t for t in key_terms(text) if squash(t.text) not in asked]


def _weight(terms: Sequence[Term]) -> float:
    return sum(2.0 if t.hard else 1.0 for t in terms)


def _share(terms: Sequence[Term], haystack: str) -> tuple[float, int]:
    """(weighted share of `terms` found in `haystack` (squashed), how many were found)."""
    found = [t for t in terms if squash(t.text) in haystack]
    return (_weight(found) / _weight(terms) if terms else 0.0), len(found)


def _label(unit: EvidenceUnit) -> str:
    m = _LABEL.match(unit.text)
    return m.group(1) if m and unit.item else ""


def _sentences(answer: str) -> list[str]:
    units = [u.text for u in split_units(answer)]
    return units or ([answer.strip()] if answer.strip() else [])


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) >= 4]


def _negation_conflict(sentence: str, point: str) -> bool:
    """A clause of the sentence that reads like one of the point's, with the other polarity
    ("LoRA权重不能合并" against "LoRA权重可以合并"). By clause: a long point's "无法" elsewhere
    says nothing about this one."""
    theirs = _clauses(point)
    for mine in _clauses(sentence):
        g = bigrams(mine)
        share, closest = max(((len(g & bigrams(c)) / len(g), c) for c in theirs), default=(0, ""))
        if share >= NEGATION_MATCH and negated(mine) != negated(closest):
            return True
    return False


_SCALE = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}


def _parts(number: str) -> tuple[str, str, float | None]:
    """("30", "万", 300000.0) from "30万": digits, the unit or scale after them, and the value
    when it has one (so "300,000" and "30万" agree)."""
    m = re.match(r"([\d.,/]+)(.*)", squash(number))
    if not m:
        return number, "", None
    digits, unit = m.group(1), m.group(2)
    try:
        value = float(digits.replace(",", "")) * _SCALE.get(unit, 1.0)
    except ValueError:  # "8/7"
        value = None
    return digits.replace(",", ""), unit, value if unit != "%" else None


def _agree(a: tuple[str, str, float | None], b: tuple[str, str, float | None]) -> bool:
    if a[2] is not None and b[2] is not None and abs(a[2] - b[2]) <= 1e-9 * max(a[2], 1.0):
        return True
    # the same digits where one side leaves the unit out ("540" beside "540B")
    return a[0] == b[0] and (a[1] == b[1] or not a[1] or not b[1])


def _number_conflict(sentence: str, point: str) -> str | None:
    """A number the notes don't give here: other digits, or the same digits at another scale
    ("1750万" against "1750亿")."""
    theirs = [_parts(n) for n in numbers(point)]
    new = [n for n in numbers(sentence) if not any(_agree(_parts(n), t) for t in theirs)]
    if not new or not theirs:
        return None
    listed = ", ".join(dict.fromkeys(numbers(point)))
    return f"number: the answer says {', '.join(new)}, the notes {listed}"


def _contradiction(sentence: str, points: Sequence[str]) -> Contradiction | None:
    """A changed number in the point the sentence is about, or a flipped negation in any
    point one of its clauses restates. Which point it is about: by all its words but its
    numbers (a changed number must not hide the match; the question's words count here), with
    a number it shares as one more anchor ("175B 指的是 1750 万个参数")."""
    nums = set(numbers(sentence))
    words = [t for t in key_terms(sentence) if t.text not in nums]
    matching = []
    for i, p in enumerate(points):
        precision, shared = _share(words, squash(p))
        anchors = shared + len({squash(n) for n in nums} & {squash(n) for n in numbers(p)})
        if anchors >= 2 and precision >= CONTRADICTION_PRECISION:
            matching.append((precision, anchors, -i))
    if not matching:
        return None
    best = -max(matching)[2]
    reason = _number_conflict(sentence, points[best])
    if reason is not None:
        return Contradiction(sentence, best + 1, reason)
    for _precision, _anchors, neg in sorted(matching, key=lambda m: -m[2]):
        if _negation_conflict(sentence, points[-neg]):
            reason = "negation: one says it holds, the other that it does not"
            return Contradiction(sentence, -neg + 1, reason)
    return None


def _best_point(terms: Sequence[Term], points: Sequence[str]) -> tuple[float, int, int]:
    """(precision, terms shared, index) of the point sharing most of `terms` (squashed points)."""
    return max(((*_share(terms, p), i) for i, p in enumerate(points)), default=(0.0, 0, 0))


def grade(
    question: str,
    points: Sequence[EvidenceUnit],
    answer: str,
    similarity: Similarity | None = None,
    contexts: Sequence[str] | None = None,
) -> Grade:
    """Which of `points` the learner's `answer` covers, and what in it the notes contradict.
    `contexts`: each point with the sentences that continue it in the notes (a listed point is
    its item's first sentence; a learner may paraphrase the next one), to match sentences on."""
    asked = squash(question)
    hay = squash(answer)
    point_terms = [_terms(p.text, asked) for p in points]
    how = ["" for _ in points]
    english = not has_cjk(answer)
    for i, (p, terms) in enumerate(zip(points, point_terms, strict=True)):
        label_terms = _terms(_label(p), asked) if _label(p) else []
        # An English answer can only share the point's names and numbers, so those are what
        # it is measured on (when the point has a few: one shared name is not a point).
        hard = [t for t in terms if t.hard]
        if english and len(hard) >= MIN_HARD:
            terms = hard
        if hay and label_terms and _share(label_terms, hay)[0] == 1.0:
            how[i] = "label"
        elif hay and _share(terms, hay)[0] >= MIN_RECALL:
            how[i] = "recall"

    contradictions: list[Contradiction] = []
    contradicted: set[int] = set()
    sentences = _sentences(answer)
    # (clause, needs an anchor): English clauses by similarity alone; a Chinese clause must
    # also share a term with the point (e5 rates any two Chinese texts on one field close)
    clauses = [
        (c, not _latin(s))
        for s in sentences
        for c in (_en_clauses(s) if _latin(s) else _clauses(s) or [s])
    ][:MAX_EMBEDDED]
    texts = list(contexts or [p.text for p in points])
    squashed = [squash(c) for c in texts]
    for s in sentences:
        # the sentence, and each of its clauses: a learner lists several points in one
        # sentence ("LN 能缓解梯度消失和爆炸，让训练更稳定、收敛更快"), and each clause is
        # made of one point's terms where the whole sentence is made of two points' terms
        for part in dict.fromkeys([s, *_clauses(s)]):
            precision, shared, best = _best_point(_terms(part, asked), squashed)
            if shared >= MIN_SHARED and precision >= MIN_PRECISION and not how[best]:
                how[best] = "sentence"
        found = _contradiction(s, texts)
        if found is not None:
            contradictions.append(found)
            contradicted.add(found.point - 1)
    if clauses and similarity is not None and points:
        sims = similarity([c for c, _ in clauses])
        for (clause, anchored), row in zip(clauses, sims, strict=True):
            anchor = _terms(clause, asked) if anchored else None
            _by_similarity(row, how, anchor, squashed)
    grades = tuple(
        PointGrade(i + 1, p, bool(how[i]) and i not in contradicted, how[i])
        for i, p in enumerate(points)
    )
    score = sum(g.covered for g in grades) / len(grades) if grades else 0.0
    return Grade(round(score, 4), grades, tuple(contradictions))


def _latin(sentence: str) -> bool:
    """Written in English, wholly or largely (mixed answers name concepts in English)."""
    chars = [ch for ch in sentence if not ch.isspace()]
    letters = sum(ch.isascii() and ch.isalpha() for ch in chars)
    return not has_cjk(sentence) or letters >= LATIN_SHARE * len(chars)


def _en_clauses(sentence: str) -> list[str]:
    """An English sentence often lists several points ("split it into chunks; model it
    hierarchically, ..."): each clause is compared on its own."""
    parts = [c.strip() for c in _EN_CLAUSE.split(sentence) if len(c.strip()) >= 8]
    return parts or [sentence]


def _by_similarity(
    row: np.ndarray, how: list[str], anchor: Sequence[Term] | None, points: Sequence[str]
) -> None:
    """A clause covers the points it is clearly closest to (e5 cosines `row`, one per point);
    with an `anchor` (a Chinese clause's terms), only points that share one of them."""
    floor = max(MIN_SIMILARITY, float(row.max()) - SIM_BAND, float(row.mean()) + MIN_LEAD)
    for i in np.flatnonzero(row >= floor).tolist():
        if not how[i] and (anchor is None or _share(anchor, points[i])[1] >= MIN_ANCHOR):
            how[i] = "similarity"
