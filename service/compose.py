"""Compose an answer from evidence units: a lead, then the points, each with its [n].

The extractive composer only rearranges the notes' own sentences, so it can't say anything they
don't; it is the answer on its own, and the fallback whenever an LLM's text fails the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from core.text import ASIDE, REFUSAL_EN, REFUSAL_ZH, TERMINAL, ends_sentence, sentence_spans
from service.evidence import Evidence

MAX_LEVEL = 2  # nesting deeper than three levels reads as noise in a chat answer


@dataclass(frozen=True)
class Sentence:
    text: str  # without its marker
    cites: tuple[int, ...]  # passage numbers; () for a statement about coverage itself
    point: bool = False  # rendered as a list item
    cont: bool = False  # continues the point before it, on the same line
    # the composer's own line about the notes ("另一份笔记…的回答："): a line of its own; it
    # states nothing about the topic, so the support check has nothing to check in it
    remark: bool = False
    level: int = 0  # a point nested under the point above it (the notes' nested lists)
    para: bool = False  # prose from another section than the prose before it: a new paragraph


@dataclass(frozen=True)
class Composed:
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        return render(self.sentences)


def _marked(text: str, marks: str) -> str:
    """The marker before each full stop: "…训练目标[1]。". A unit of the notes can hold more
    than one sentence as answers are split (the answer splitter cuts at every ". ", the notes'
    split not before a quote: "…级别. \"K\" 表示…"), and every one gets the marker, so none
    reads as uncited."""
    if not marks:
        return text
    out, pos = [], 0
    for a, b in sentence_spans(text):
        body = text[a:b].rstrip(TERMINAL + "：: ")
        out += [text[pos:a], body, marks, text[a + len(body) : b]]
        pos = b
    return "".join(out) + text[pos:]


# An English sentence after a sentence that ends on "." (the notes quote LangChain's docs):
# "…framework[1]. Indexes are…", not "…framework[1].Indexes are…". Chinese runs on.
_LATIN_START = re.compile(r"^[A-Za-z0-9`\"'(]")


def _join(before: str, after: str) -> str:
    gap = " " if before and before[-1] in ".!?;:" and _LATIN_START.match(after) else ""
    return before + gap + after


def render(sentences: tuple[Sentence, ...] | list[Sentence]) -> str:
    lines: list[str] = []
    prose = ""
    for s in sentences:
        marked = _marked(s.text, "".join(f"[{n}]" for n in s.cites))
        if s.remark:  # a line of its own
            lines += [prose, marked] if prose else [marked]
            prose = ""
            continue
        if s.cont and lines and lines[-1].lstrip().startswith("- ") and not prose:
            lines[-1] = _join(lines[-1], marked)
        elif s.level and not s.point:  # a line of its own, under the point above
            if prose:
                lines.append(prose)
                prose = ""
            lines.append(f"{'  ' * s.level}{marked}")
        elif s.point:
            if prose:
                lines.append(prose)
                prose = ""
            lines.append(f"{'  ' * s.level}- {marked}")
        else:
            if s.para and prose:
                lines.append(prose)
                prose = ""
            prose = _join(prose, marked)
    if prose:
        lines.append(prose)
    return "\n".join(lines)


def refusal(english: bool, missing: str = "", other: str = "") -> str:
    """The plain "not in the notes", naming what is missing when we know it, and the acronyms
    the notes use with another meaning (`other`)."""
    if missing:
        if english:
            also = f" (their {other} means something else)" if other else ""
            return f"The notes do not cover {missing}{also}."
        also = f"（笔记里的 {other} 是另一个意思）" if other else ""
        return f"笔记里没有关于 {missing} 的内容{also}。"
    return REFUSAL_EN if english else REFUSAL_ZH


def notes_wrong(english: bool, about: str = "") -> str:
    """The notes answer this, but their answer is a reviewed error (corpus/overrides.toml
    `errata`): said instead of "not in the notes", which would be untrue; the editor's notes
    that follow give the correction. `about`: the passages that would answer name it and are
    wrong, which need not mean the notes answer what was asked."""
    if about:
        if english:
            return f"The part of the notes that mentions {about} here is wrong, so it is left out."
        return f"笔记里在这里提到 {about} 的那部分内容有误，没有采用。"
    if english:
        return "The notes' answer to this is wrong, so it is left out."
    return "笔记对这个问题的回答有误，没有采用。"


def refusal_kind(english: bool, kind: str) -> str:
    """The notes discuss the topic but don't give what the question asks for. In English,
    only the second half: an English question's key terms can't be checked against the Chinese
    notes word for word, so whether they discuss it is not known ("What is speculative
    decoding and how much does it speed up inference?": they never mention it)."""
    if english:
        return f"The notes do not give {kind}."
    sep = " " if kind[:1].isascii() else ""  # "没有给出 LLaMA 的具体数字"
    return f"笔记里有相关内容，但没有给出{sep}{kind}。"


def gap(english: bool, missing: str) -> Sentence:
    """The part of a partly covered question that the notes don't answer."""
    if english:
        return Sentence(f"The notes do not cover {missing}.", ())
    return Sentence(f"笔记里没有关于 {missing} 的内容。", ())


def unsaid_refusal(name: str) -> str:
    """The (Chinese) question's one name, which the closest passages never mention, and none of
    their lines says much of the rest of it either: the notes don't answer it. They may name it
    elsewhere, so not "nothing on X"."""
    return f"笔记里没有讲到这个问题：最接近的内容都没有提到 {name}。"


def unsaid(english: bool, name: str) -> Sentence:
    """The thing the question names, which the passages the answer draws on never mention
    ("GLM 的二维位置编码…" and the notes' sinusoidal encoding): what follows may not hold for it,
    or speaks of it in other words (RAG as 文档对话)."""
    if english:
        return Sentence(f"The closest passages of the notes don't name {name}:", (), remark=True)
    return Sentence(f"笔记里最接近的内容没有直接提到 {name}：", (), remark=True)


def other_note(title: str, english: bool) -> Sentence:
    """Introduces another note's answer to the same question (a statement about the notes)."""
    if english:
        return Sentence(f"Another note ({title}) answers the same question:", (), remark=True)
    return Sentence(f"另一份笔记（{title}）对同一问题的回答：", (), remark=True)


def closest(headings: tuple[str, ...], english: bool) -> Sentence:
    """Says the answer is only the closest the notes have: no heading asks the question, and
    the search could hardly tell which section answers (a statement about the search)."""
    if english:
        names = ", ".join(f'"{h}"' for h in headings)
        text = f"I found no section of the notes that clearly asks this; the closest: {names}:"
    else:
        names = "、".join(f"「{h}」" for h in headings)
        text = f"笔记里没有找到明确对应这个问题的一节，以下取自最接近的{names}："
    return Sentence(text, (), remark=True)


def mentioned(name: str, english: bool) -> Sentence:
    """Says the notes have no section on `name`, and no sentence that opens on it: what follows
    are the places that mention it."""
    if english:
        return Sentence(
            f"The notes have no section on {name}; it is mentioned here:", (), remark=True
        )
    return Sentence(f"笔记没有专门讲 {name}，以下是提到它的地方：", (), remark=True)


def erratum(note: str, english: bool) -> Sentence:
    """A reviewer's note on what the notes get wrong here (corpus/overrides.toml `errata`),
    said instead of the wrong statement: marked as the editor's, not as the notes' words."""
    return Sentence(f"Editor's note: {note}" if english else f"编者注：{note}", (), remark=True)


def compose(
    evidence: Evidence, english: bool = False, errata: tuple[str, ...] = (),
    note_first: bool = False,
) -> Composed:  # fmt: skip
    """Lead (the first non-list unit, if the notes have one) and one point per list item;
    another note's answer to the same question follows under its own line; the editor's note
    on each error of the notes that the answer leaves out, last (`note_first`: the first note
    is on what the question asks, and opens the answer)."""
    units = list(evidence.units)
    out: list[Sentence] = [closest(evidence.closest, english)] if evidence.closest else []
    if evidence.mentions:
        out.append(mentioned(evidence.mentions, english))
    if note_first and errata:
        out.append(erratum(errata[0], english))
        errata = errata[1:]
    has_items = sum(u.item for u in units) >= 2
    sections: dict[int, tuple[str, tuple[str, ...]]] = {}  # the section each sentence is from
    # a point under another point of the answer is nested under it, as in the notes
    levels: dict[tuple[str, int], int] = {}
    for u in units:
        if has_items and u.item:
            up = levels.get((u.file, u.parent), -1)
            levels[(u.file, u.start)] = min(up + 1, MAX_LEVEL)
    for i, u in enumerate(units):
        if u.other_note and (i == 0 or units[i - 1].other_note != u.other_note):
            out.append(other_note(u.other_note, english))
        # introduces the points after it, or is the title of the line after it ("阿里云Qwen2：",
        # then what it is): keep the colon
        lead_in = u.text[-1] in "：:" and (i > 0 or (len(units) > 1 and units[1].rest))
        # a line the notes cut at a comma ends without it; a sub-heading introduces its lines
        text = (
            u.text if lead_in else u.text + "：" if u.label
            else ends_sentence(u.text.rstrip("：:,，、 "))
        )  # fmt: skip
        # a deeper sentence of a listed point stays with that point
        cont = (
            has_items
            and not u.item
            and not lead_in
            and not u.coda  # the paragraph after the list: its own line
            and i > 0
            # an item's second sentence may come from the next, overlapping passage
            and (units[i - 1].n == u.n or u.rest)
            and (units[i - 1].item or out[-1].cont)
            # ... and comes after it in the notes: a sentence from above a point moved first
            # (service/lead.py) is no part of that point
            and not (units[i - 1].file == u.file and u.start < units[i - 1].start)
        )
        point = has_items and u.item
        # a line under a point that does not go on with it ("…主要包括以下几个步骤:") is
        # indented below that point, so the points it introduces stay nested
        under = levels.get((u.file, u.parent), -1) + 1 if not cont else 0
        level = levels.get((u.file, u.start), 0) if point else under
        # two parts of a question answered from two sections read as one paragraph otherwise
        para = i > 0 and (units[i - 1].file, units[i - 1].heading_path) != (u.file, u.heading_path)
        out.append(Sentence(text, (u.n,), point=point, cont=cont, level=level, para=para))
        sections[len(out) - 1] = (u.file, u.heading_path)
    out += [erratum(note, english) for note in errata]
    # only the closest section's first points: naming them in its lead would overstate them
    return Composed(tuple(out if evidence.closest else with_overview(out, sections)))


# A lead that announces a list ("…可以采取以下方法", "…主要有以下几点"), and the title of a
# point ("数据偏差：大型语言模型…" is titled 数据偏差): the lead then names them.
_ANNOUNCES = re.compile(
    r"以下|如下|包括|(?:有|分为|分成)[几\d一二三四五六七八九十两]+\s*[个种点类条步方面]"
)
_TITLE = re.compile(r"^([^：:。，,；;！？!?\[\]]{2,40})\s*[：:]\s*\S")
_LAST_ASIDE = re.compile(ASIDE.pattern + r"\s*$")
MAX_TITLE = 16  # characters, its aside left out: a longer "title" is a sentence
MAX_OVERVIEW = 8  # titles in one lead sentence; a longer list reads better as the list alone


def with_overview(
    sentences: list[Sentence], sections: dict[int, tuple[str, tuple[str, ...]]] | None = None
) -> list[Sentence]:
    """A lead that announces the answer's first list names the titles of its points, when
    every point has one: "出现LLMs复读机问题可能有以下几个原因：数据偏差、训练目标的限制、…。"
    answers in its first sentence what the points then explain. The titles are the points' own words, and
    the sentence cites the lead's passage and theirs. `sections`: the section each sentence
    comes from, where known; the list ends with the lead's section (a question in two parts
    gives the second part's points right after the first's)."""
    sections = sections or {}
    first = next((i for i, s in enumerate(sentences) if s.point), 0)
    k = first - 1  # the lead's last sentence before the points ("…它具有以下几个优点：")
    if k < 0 or sentences[k].remark or sentences[k].level or sentences[k].point:
        return sentences
    # only the answer's own section: another note's answer shows its first points only
    opening = next(i for i, s in enumerate(sentences) if not s.remark)  # after "以下取自…"
    if any(s.remark for s in sentences[opening:k]):
        return sentences
    lead = sentences[k]
    said = lead.text.rstrip("。.：: ")
    # a lead that names them already ("…分为两类：即内在幻觉和外在幻觉") needs no titles
    if not _ANNOUNCES.search(said) or re.search(r"[：:]", said) or said[-1:] in "）)":
        return sentences
    titles: list[str] = []
    cites = list(lead.cites)
    for i, s in enumerate(sentences[k + 1 :], k + 1):
        if s.cont or s.level:
            continue
        if not s.point or sections.get(i) != sections.get(k):
            break
        title = _TITLE.match(s.text)
        if title is None or len(ASIDE.sub("", title.group(1)).strip()) > MAX_TITLE:
            return sentences
        # "参数共享 (Parameter Sharing)" is titled 参数共享; "计算键 (Key) 和值 (Value)" keeps
        # the aside inside it, so the title stays the notes' words
        titles.append(_LAST_ASIDE.sub("", title.group(1)).strip())
        cites += [n for n in s.cites if n not in cites]
    if not 2 <= len(titles) <= MAX_OVERVIEW:
        return sentences
    said += "：" + "、".join(titles) + "。"
    # the lead keeps its place: a new paragraph when it opens a second part's answer (hr-017)
    return [*sentences[:k], replace(lead, text=said, cites=tuple(cites)), *sentences[k + 1 :]]
