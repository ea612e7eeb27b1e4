"""Evidence first: the sentences and list items of the retrieved passages that answer the question.

Selection happens before any generation, so whatever writes the answer can only say what these
units say. Two cases:

- A passage whose heading asks the same question (the notes are a bank of interview questions)
  is the answer: its units are taken in the notes' order, so four listed causes give four points.
- Otherwise units are scored by the question's words and bigrams they contain, best first, then
  put back in the notes' order.

Which units of a section answer is `section_answer` (and `section_units`); this module picks
the section, and adds another note's different answer to the same question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from core.text import mainly_latin
from core.types import Hit
from service.asks import asked, defined, without_excepted
from service.aspects import aspect_list
from service.close_calls import (
    MIN_BETTER,
    THIRD_SECTION_MARGIN,
    WEAKER_SECTION,
    best_score,
    best_sentence_first,
    closest_order,
)
from service.evidence_unit import Evidence, in_notes_order, without_dangling
from service.keyterms import key_terms, squash
from service.labels import item_heads, with_labels
from service.names_asked import mentioned, naming_first, titled_item
from service.naming import key, naming
from service.overlap import features, heading_match
from service.section_answer import from_section, is_question, section_answer
from service.section_units import (
    MAX_POINTS,
    MAX_PROSE,
    MIN_FOCUS_SCORE,
    SURE_PROSE,
    EvidenceUnit,
    first_points,
    is_duplicate,
    new_points,
    units_of,
)
from service.sections import SAME_QUESTION, read_section, section_key
from service.subject import about

__all__ = ["Evidence", "EvidenceUnit", "select"]

# Fused scores this close (0–1 scale) don't tell which section answers a paraphrased question;
# on the dev set, adding the runner-up's points raised a lexical point-coverage proxy from
# 0.53 to 0.55 at about one more sentence per answer (0.10 gave 0.56 at 1.2 more: padding).
SECOND_SECTION_MARGIN = 0.05
# Below this heading match, a close call is flagged as the closest section, not the answer: on
# the dev set, 8 of the 11 answers flagged so came from a wrong section or read as misleading
# to reviewers; 9 of the other 84 did.
LOW_MATCH = 0.15
# Points taken from the runner-up (and third) section of a close call: as many as from the
# first, since either may be the answer (dev set: 4 → 6 gave +2 lexical points, 4 → 8 +3, 14
# answers longer, none lost; dev-002's post-processing, dev-015's retrieval step)
MAX_SECOND = MAX_POINTS
SAME_HEADING = 0.8  # heading match between two sections: the same question
MAX_OTHER = 4  # another note's answer to the same question: its lead and three points
OTHER_SHARE = 0.25  # its best unit's match with the question, against the answer's best
MAX_FAMILY_UNITS = 3  # from each subsection of a question section: its lead and two points
# Hits that name what a "what is X" question asks about, from which X is the topic's common word
# (dev sets: "什么是 Transformer？" 5 of 5 hits, "什么是微调？" 6 of 6; the 30 terms of
# eval/datasets/terms.jsonl at most 3, but for "量化" 5)
COMMON_NAME = 4
HEADING_WEIGHT = 0.5  # heading match added to the fused score (0–1) when picking the section


def _other_note(
    hit: Hit, later: Sequence[tuple[bool, float, int, int, Hit]], per_hit: list[tuple[int, Hit]],
    q: set[str], picked: list[EvidenceUnit], asked: str,
) -> list[EvidenceUnit]:  # fmt: skip
    """Another file's section under the same heading, when it says something else: its lead and
    first points, marked with that note's title. A copy (most units duplicates) adds nothing,
    nor one silent on a name `asked` names and the answer mentions ("Tiktoken" asked, the other
    note only on LangChain's token use)."""
    own = features(hit.chunk.heading_path[-1] if hit.chunk.heading_path else "", question=True)
    best = max((u.score for u in picked), default=0.0)
    said: set[str] | None = None  # the asked names the answer mentions, when first needed
    for _same, _score, _neg, n, h in later:
        heading = h.chunk.heading_path[-1] if h.chunk.heading_path else ""
        if h.chunk.doc_id == hit.chunk.doc_id or heading_match(own, heading) < SAME_HEADING:
            continue
        units = from_section(n, h, per_hit, q)
        new = new_points(units, picked)
        # as close to the question as the answer itself, or it is another topic's padding
        near = max((u.score for u in new), default=0.0) >= max(OTHER_SHARE * best, 1e-9)
        if not new or len(new) * 2 < len(units) or not near:
            continue
        if said is None:
            names = {squash(t.text) for t in key_terms(asked) if t.hard}
            said = mentioned(names, [*hit.chunk.heading_path, *(u.text for u in picked)])
        if said <= mentioned(said, [*h.chunk.heading_path, *(u.text for u in new)]):
            return [
                replace(u, other_note=h.chunk.heading_path[0]) for u in first_points(new, MAX_OTHER)
            ]
    return []


def _asking_parent(hit: Hit, q: set[str], match: float) -> tuple[str, ...]:
    """The heading path of the question section right above `hit`'s, when it asks the question
    better than `hit`'s own heading ("prefix LM 和 causal LM 区别是什么？" over "● Causal LM"),
    else ()."""
    path = hit.chunk.heading_path
    if len(path) < 2 or not is_question(path[-2]):
        return ()
    return path[:-1] if heading_match(q, path[-2]) > match else ()


def _family(
    parent: tuple[str, ...], hit: Hit, per_hit: list[tuple[int, Hit]], q: set[str]
) -> list[EvidenceUnit]:
    """A question section's own lead, then a point for each subsection found ("● Prefix LM",
    "● Causal LM"), in the notes' order: together they answer it."""
    members = sorted(
        (p for p in per_hit
         if p[1].chunk.doc_id == hit.chunk.doc_id
         and p[1].chunk.heading_path[: len(parent)] == parent),
        key=lambda p: (p[1].chunk.start, p[1].chunk.end),
    )  # fmt: skip
    units: list[EvidenceUnit] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for n, h in members:
        if section_key(h.chunk) in seen:
            continue
        seen.add(section_key(h.chunk))
        own = first_points(new_points(from_section(n, h, per_hit, q), units), MAX_FAMILY_UNITS)
        if own and h.chunk.heading_path != parent:  # a subsection: one point, its sentences on
            own[0] = replace(own[0], item=True)
        units += own
    return first_points(units, MAX_POINTS + 1)


def select(question: str, hits: Sequence[Hit], whole: str = "") -> Evidence:
    """`_select`, and the short sub-heading ("优点", "输入") or the line ("causal Decoder：")
    that introduces each unit under one. What the question sets aside ("除了 X，…") picks
    nothing."""
    evidence = _select(without_excepted(question), hits, without_excepted(whole))
    return replace(evidence, units=tuple(without_dangling(with_labels(evidence.units, hits))))


def _select(question: str, hits: Sequence[Hit], whole: str = "") -> Evidence:
    """Evidence units for `question` from the ranked `hits` (hit i is passage n = i + 1).

    Hollow hits (bare headings, contents-only topics) never give evidence. The answer comes
    from one section: the one whose heading asks the question, else the best retrieved one
    (fused score, plus how well its heading matches). Mixing sentences from several sections
    read as padding, and broke the notes' own structure.
    """
    q = features(question, question=True)
    per_hit = [(i + 1, h) for i, h in enumerate(hits) if not h.chunk.hollow]
    if not per_hit:
        return Evidence((), False, "")
    ranked = []
    families: set[tuple[str, ...]] = set()  # subsections answered with the question above them
    for n, h in per_hit:
        heading = h.chunk.heading_path[-1] if h.chunk.heading_path else ""
        match = heading_match(q, heading) if q else 0.0
        parent = _asking_parent(h, q, match)
        if parent:
            families.add(h.chunk.heading_path)
            match = heading_match(q, parent[-1])
        ranked.append((match >= SAME_QUESTION, h.score + HEADING_WEIGHT * match, -n, n, h))
    ranked.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    # one entry per section: its chunks are read together
    firsts: dict[tuple[str, tuple[str, ...]], tuple[bool, float, int, int, Hit]] = {}
    for r in ranked:
        firsts.setdefault(section_key(r[4].chunk), r)
    ranked = naming_first(list(firsts.values()), per_hit, question)
    # an English question on one listed thing ("Which organization released T5…?"): its item
    titled = titled_item(question, ranked, per_hit, q)
    if titled:
        first = titled[0].heading_path[-1] if titled[0].heading_path else ""
        return Evidence(tuple(titled), False, first, by_name=True)
    # "X是什么？" that no section is about (its heading would name X): the sentences naming X
    name = defined(question)
    if (
        name and not any(key(name) in key(h) for h in ranked[0][4].chunk.heading_path)
        # a word nearly every hit says is the topic's own word ("Transformer", "微调"): the
        # sentences naming it say nothing in particular about it
        and sum(key(name) in key(h.chunk.text) for _, h in per_hit) < COMMON_NAME
    ):  # fmt: skip
        by_name, said = naming(name, per_hit, q)
        if by_name:
            first = by_name[0].heading_path[-1] if by_name[0].heading_path else ""
            mentions = "" if said else name
            return Evidence(tuple(by_name), False, first, mentions=mentions, by_name=True)
    # a question about one listed point ("温度参数有什么作用？") that no heading asks: that point
    if not ranked[0][0]:
        points = about(question, per_hit, q)
        if points:
            first = points[0].heading_path[-1] if points[0].heading_path else ""
            return Evidence(tuple(points), False, first, by_name=True)
    # not for an English question: it shares only their English glosses with Chinese passages,
    # which name a topic ("下一句预测(Next Sentence Prediction, NSP)") more than say it (hj-030)
    if not mainly_latin(question):
        ranked = best_sentence_first(ranked, per_hit, q)
    # "…有哪些优势？" that no heading asks: the one sub-list titled with that aspect ("RLHF 的优势")
    if not ranked[0][0]:
        aspect = aspect_list(question, [r[4] for r in ranked], per_hit, q)
        if aspect:
            first = aspect[0].heading_path[-1] if aspect[0].heading_path else ""
            return Evidence(tuple(aspect), False, first)  # not by name: the gate still judges
    for i, (same, score, _neg, n, hit) in enumerate(ranked[:2]):
        if hit.chunk.heading_path in families:
            parent = hit.chunk.heading_path[:-1]
            return Evidence(tuple(_family(parent, hit, per_hit, q)), same, parent[-1])
        # a section the search is sure of (it asks the question, or leads the next one
        # clearly) gives its whole paragraph when it has no list
        runner_up = ranked[i + 1 : i + 2]
        sure = same or not runner_up or score - runner_up[0][1] > SECOND_SECTION_MARGIN
        # a whole question only: a part's words may name one point while the next part asks
        # about the list ("Top k 设为 3 代表什么？两者同时开启谁先生效？")
        prose = SURE_PROSE if sure else MAX_PROSE
        picked, point = section_answer(n, hit, per_hit, q, prose, not whole, question)
        if not picked:
            continue
        heading = hit.chunk.heading_path[-1] if hit.chunk.heading_path else ""
        if point:  # found by the name of the point it asks about
            units = (*picked, *_kind_asked(question, picked, per_hit, q))
            return Evidence(units, same, heading, by_name=True, point=True)
        # names asked come from the whole question (`whole`, when `question` is one of its parts)
        other = _other_note(hit, ranked[i + 1 :], per_hit, q, picked, whole or question)
        # Retrieval can't tell two close sections apart: give the runner-up's points too.
        rest = ranked[i + 1 : i + 2]
        close = rest and not rest[0][0] and score - rest[0][1] <= SECOND_SECTION_MARGIN
        closest: tuple[str, ...] = ()
        if not other and not same and close:
            low = heading_match(q, heading) < LOW_MATCH
            # the runner-up; on a close call the answer says it is (whole questions only: a
            # part's answer carries no such line), a third section as close too
            near = rest + (ranked[i + 2 : i + 3] if low and not whole else [])
            named = [heading]
            best = max((u.score for u in picked), default=0.0)
            # each section's units, with how well its best line matches the question
            blocks = [(best_score(hit, per_hit, q), list(picked), heading)]
            for j, (_same, other_score, _neg, n2, hit2) in enumerate(near):
                if j and score - other_score > THIRD_SECTION_MARGIN:
                    break
                own = read_section(hit2, per_hit, q)  # read once: its best line, its lines
                strength = max((u.score for u in own), default=0.0)
                if strength < WEAKER_SECTION * best:
                    continue  # its best sentence says far less of what is asked: padding
                found = first_points(from_section(n2, hit2, per_hit, q), MAX_SECOND)
                if (
                    best >= MIN_BETTER
                    and max((u.score for u in found), default=0.0) < WEAKER_SECTION * best
                ):
                    # its first points are not what made it close: the lines that did
                    strong = [u for u in own if u.score >= WEAKER_SECTION * best]
                    found = in_notes_order(strong + item_heads(own, strong), own)
                added = new_points(found, picked)
                picked += added
                named += [u.heading_path[-1] for u in added[:1]]
                if added:
                    blocks.append((strength, added, added[0].heading_path[-1]))
            # not for an English question: its words meet the notes' English glosses only,
            # its scores don't say which section answers (as `best_sentence_first`)
            if low and len(blocks) > 1 and not mainly_latin(question):
                blocks = closest_order(blocks)
                picked = [u for b in blocks for u in b[1]]
                named = [b[2] for b in blocks]
            closest = tuple(dict.fromkeys(named)) if low else ()  # two files may share a heading
        picked += _kind_asked(question, picked, per_hit, q)
        return Evidence((*picked, *other), same, heading, closest)
    return Evidence((), False, "")


def _kind_asked(
    question: str, picked: list[EvidenceUnit], per_hit: list[tuple[int, Hit]], q: set[str]
) -> list[EvidenceUnit]:
    """A question that asks for a number (a formula, a size…) that the answering section never
    gives: the best-matching sentence of the other hits that gives one joins, as a last point
    ("指令微调（SFT）阶段一般需要多少条问答对？" is answered by "SFT 指令微调数据 如何构建？", whose
    steps have no count; "…问答对(prompt和答案)的数量一般在10K~100K…" sits in another section)."""
    ask = asked(question)
    if ask is None or any(ask.present(u.text, question) for u in picked):
        return []
    found = [u for n, h in per_hit for u in units_of(n, h, q) if ask.present(u.text, question)]
    best = max(found, key=lambda u: u.score, default=None)
    if best is None or best.score < MIN_FOCUS_SCORE or is_duplicate(best, picked):
        return []
    return [replace(best, item=True, rest=False)]
