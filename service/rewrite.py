"""Turn a follow-up ("那它的缺点呢？") into a standalone question before retrieval.

Deterministic on purpose: an LLM rewrite costs a second generation on CPU and can drift. The
retriever only needs the topic words next to the new question, and a follow-up almost always
refers to the topic of the previous user turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from contract.ask import HistoryTurn

SHORT_QUESTION_CHARS = 8  # "缺点呢？", "为什么？", "and LoRA?": too short to stand alone
# 该/此/其 only alone: 应该, 因此, 其他 are ordinary words, not references.
_ZH_PRONOUN = re.compile(
    r"它们|它|这个|那个|这种|那种|这些|那些|上述|前者|后者"
    r"|(?<![应因尤极与如彼])(?:该|此|其)(?![他它余实中次])"
)
_EN_PRONOUN = re.compile(r"\b(its|it|they|them|their|this|that|these|those)\b", re.IGNORECASE)
# Leading connectives and trailing particles that only mark a follow-up.
_LEAD = re.compile(
    r"^(?:那么|那|还有|另外|(?:and|so|then|what about)\b)\s*[,，]?\s*", re.IGNORECASE
)
_ELLIPSIS_END = re.compile(r"呢\s*[？?]?\s*$")
# Question boilerplate around the topic of a turn ("请介绍一下 LoRA 是什么？" -> "LoRA").
_BOILERPLATE = re.compile(
    r"请问|请|介绍一下|介绍|简述|解释一下|解释|说说|讲讲|谈谈|什么是|是什么|是啥|有哪些|有什么"
    r"|为什么|为何|如何|怎么样|怎么|怎样|的原理|原理|的作用|作用|的区别|区别|一下|吗|呢|啊"
    r"|what is|what are|what's|explain|describe|how does|how do|why is|why does|tell me about"
    r"|[？?。！!，,：:；;\s]+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Rewrite:
    question: str  # as asked
    standalone: str  # what retrieval and the prompt use

    @property
    def rewritten(self) -> bool:
        return self.standalone != self.question


def topic_of(text: str) -> str:
    words = [w for w in _BOILERPLATE.split(text) if w.strip()]
    topic = " ".join(w.strip() for w in words).strip(" 的")
    return topic or text.strip()


def is_follow_up(question: str) -> bool:
    q = question.strip()
    return (
        len(q) <= SHORT_QUESTION_CHARS
        or bool(_ZH_PRONOUN.search(q) or _EN_PRONOUN.search(q))
        or bool(_LEAD.match(q))
        or bool(_ELLIPSIS_END.search(q))
    )


def _combine(question: str, topic: str) -> str:
    q = question.strip()
    if _ZH_PRONOUN.search(q):
        return _LEAD.sub("", _ZH_PRONOUN.sub(topic, q, count=1)).strip()
    if _EN_PRONOUN.search(q):

        def sub(m: re.Match[str]) -> str:
            return f"{topic}'s" if m.group(1).lower() in ("its", "their") else topic

        return _EN_PRONOUN.sub(sub, q, count=1)
    rest = _LEAD.sub("", q).strip()
    return f"{topic} {rest}".strip()


def rewrite(question: str, history: Sequence[HistoryTurn]) -> Rewrite:
    """Walk the user turns oldest first so a chain of follow-ups keeps its first topic."""
    standalone_prev: str | None = None
    for turn in history:
        if turn.role != "user" or not turn.content.strip():
            continue
        if standalone_prev is not None and is_follow_up(turn.content):
            standalone_prev = _combine(turn.content, topic_of(standalone_prev))
        else:
            standalone_prev = turn.content.strip()
    if standalone_prev is None or not is_follow_up(question):
        return Rewrite(question, question)
    return Rewrite(question, _combine(question, topic_of(standalone_prev)))
