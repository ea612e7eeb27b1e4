"""Split an answer into claims (sentences), each with the passage numbers it cites.

Sentences are `core.text.sentence_spans`: Chinese ones end at 。！？； (a RAGAS splitter dropped
these and saw one giant claim), English ones at . ! ? followed by a space, a citation marker or
the end; a marker after the full stop belongs to the sentence before ("…很重要。[2]").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import CITATION, sentence_spans

_BULLET = re.compile(r"^\s*(?:[-*+>•●○■◆#]+|\d+[.)、]|[(（]\d+[)）])\s*")
_CONTENT = re.compile(r"[^\W\d_]", re.UNICODE)  # letters (CJK included), not digits or marks
MIN_CONTENT_CHARS = 2
# Remarks about the notes ("资料中没有相关信息", "笔记里没有关于 X 的内容", "the notes don't
# cover Y") are not claims to verify. The eval keeps its own list rather than importing the
# pipeline's, so what counts as a claim does not move when the pipeline changes.
GAP_REMARK = re.compile(
    r"资料中没有相关信息|没有相关信息|没有相关内容|未提及|没有提及|没有提到|未涉及|没有涉及"
    r"|(?:笔记|资料|文档)(?:里|中|内)?(?:并)?(?:没有|未)(?:关于|涉及|提到|提及|覆盖|写到|包含)"
    r"|无法(?:根据|从).{0,12}(?:回答|找到)"
    r"|(?:do|does|did) not (?:cover|mention|contain|say)|(?:don't|doesn't) (?:cover|mention|say)"
    r"|not covered|no relevant information",
    re.IGNORECASE,
)
# The composer's closest-section line, whole: it quotes headings, and a heading's own "？"
# ("…最接近的「…」、「为什么BERT选择mask掉15%这个比例的词，可以是其他的比例吗？」：") would
# cut it into a "claim".
CLOSEST_LINE = re.compile(
    r"^.*(?:没有找到明确对应这个问题的一节|found no section of the notes).*$",
    re.IGNORECASE | re.MULTILINE,
)


# The editor's note on an error of the notes (corpus/overrides.toml `errata`), a line of its
# own: a reviewer's statement, not one the cited passages make, so not a claim to judge
# against them; `editor_notes` counts them, and the report shows how many answers carry one.
EDITOR_NOTE = re.compile(r"^\s*(?:编者注[：:]|Editor's note:).*$", re.MULTILINE)


def editor_notes(text: str) -> list[str]:
    return [m.group(0).strip() for m in EDITOR_NOTE.finditer(text)]


@dataclass(frozen=True)
class Claim:
    text: str  # markers and list bullets removed
    cites: tuple[int, ...]  # passage numbers cited by this sentence, in order


def strip_markers(text: str) -> str:
    return CITATION.sub("", text)


def _clean(piece: str) -> str:
    s = strip_markers(piece).strip()
    s = s.replace("**", "").replace("__", "")
    s = _BULLET.sub("", s).strip()
    return s


def split_claims(text: str) -> list[Claim]:
    """The checkable sentences of an answer. Dropped: crumbs (under two letters), questions,
    lead-ins that end with a colon ("原因如下：") and the model's "the notes don't say" remarks,
    which are statements about the notes rather than claims to verify."""
    claims: list[Claim] = []
    text = CLOSEST_LINE.sub("", EDITOR_NOTE.sub("", text))
    for a, b in sentence_spans(text):
        piece = text[a:b]
        cites: list[int] = []
        for m in CITATION.finditer(piece):
            for n in re.findall(r"\d+", m.group(1)):
                if int(n) not in cites:
                    cites.append(int(n))
        s = _clean(piece)
        if len(_CONTENT.findall(s)) < MIN_CONTENT_CHARS:
            continue
        if s[-1] in "：:？?" or GAP_REMARK.search(s):
            continue
        claims.append(Claim(s, tuple(cites)))
    return claims


def split_sentences(text: str) -> list[str]:
    return [c.text for c in split_claims(text)]
