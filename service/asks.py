"""What kind of answer a question asks for, and whether the evidence has one.

Some uncovered questions use only words the notes use: "请推导一下 RoPE 的公式" (the notes explain
RoPE's idea, with no formula), "权重文件有多大" (no size is given). Neither the score gate nor the
key-term check can see the gap; the kind of answer can. A question that asks for a formula, a
number or model names is refused when the passages its evidence comes from have none, and the
refusal says what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.text import has_cjk, latin_terms, numbers


def _has_formula(text: str, question: str) -> bool:
    return bool(re.search(r"=|\\frac|\\sum|\^|_\{|\$", text))


def _has_number(text: str, question: str) -> bool:
    return bool(numbers(text)) or bool(
        re.search(r"[一二三四五六七八九十百千万亿两]+\s*[个张天倍种]", text)
    )


def _has_model_name(text: str, question: str) -> bool:
    asked = {t.lower() for t in latin_terms(question)}
    return any(
        t.lower() not in asked and (any(c.isupper() for c in t[1:]) or any(c.isdigit() for c in t))
        for t in latin_terms(text)
    )


@dataclass(frozen=True)
class Ask:
    pattern: re.Pattern[str]
    present: Callable[[str, str], bool]
    zh: str  # what is missing, for the refusal
    en: str


ASKS = (
    Ask(re.compile(r"公式|推导|formula|deriv|equation", re.I), _has_formula, "公式推导", "a formula"),
    Ask(
        re.compile(r"多少|多大|多长|多久|how (?:many|much|long|large|big)", re.I),
        _has_number, "具体数字", "the number asked for",
    ),
    Ask(
        re.compile(r"哪些(?:大)?模型|哪个模型|被哪些|which (?:llms?|models?)", re.I),
        _has_model_name, "具体的模型", "which models",
    ),
)  # fmt: skip


def missing_kind(question: str, evidence_text: str) -> str | None:
    """What the question asks for that the evidence lacks ("公式推导"), or None."""
    for ask in ASKS:
        if ask.pattern.search(question) and not ask.present(evidence_text, question):
            return ask.zh if has_cjk(question) else ask.en
    return None
