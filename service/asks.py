"""What kind of answer a question asks for, and whether the evidence has one.

Some uncovered questions use only words the notes use: "请推导一下 RoPE 的公式" (the notes explain
RoPE's idea, with no formula), "权重文件有多大" (no size is given). Neither the score gate nor the
key-term check can see the gap; the kind of answer can. A question that asks for a formula, a
number or model names is refused when the passages its evidence comes from have none, and the
refusal says what is missing. When the answering section lacks it but another retrieved
passage has it, evidence selection takes that sentence too (service/evidence.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.text import counts, has_cjk, latin_terms, numbers


def _has_formula(text: str, question: str) -> bool:
    return bool(re.search(r"=|\\frac|\\sum|\^|_\{|\$", text))


def _has_number(text: str, question: str) -> bool:
    return bool(numbers(text)) or bool(
        re.search(r"[一二三四五六七八九十百千万亿两]+\s*[个张天倍种]", text)
    )


# A size is a number with a unit of storage; "6B" (parameters) or "7" alone don't answer
# "权重文件有多大". A speed-up is a factor or a share ("2-3倍", "2x", "40%").
_SIZE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:[KMGT]i?B|bytes?|字节)(?![A-Za-z])|\d\s*[GMK](?![A-Za-z0-9])", re.I
)
_FACTOR = re.compile(
    r"\d+(?:\.\d+)?\s*(?:倍|[x×](?![A-Za-z])|%|％)|[一二三四五六七八九十两几]+倍", re.I
)


def _has_size(text: str, question: str) -> bool:
    return bool(_SIZE.search(text))


def _has_factor(text: str, question: str) -> bool:
    return bool(_FACTOR.search(text))


# acronyms the notes use that name no model
_NOT_MODEL = re.compile(
    r"(?:NLP|LLMs?|AI|[CGT]PUs?|API|RLHF|SFT|PPO|RM|KV|FP16|FP32|BF16|INT[48]|QA|RAG|CNN|RNN"
    r"|LSTM|GRU|MLP|FFN|PEFT)$",
    re.I,
)


def names_a_model(term: str) -> bool:
    """`term` reads as a model's name ("LLaMA", "Qwen2", "GPT-3"), not a field's acronym ("KV",
    "NLP", "GPU")."""
    inner = any(c.isupper() for c in term[1:]) or any(c.isdigit() for c in term)
    return inner and not _NOT_MODEL.match(term)


def _has_model_name(text: str, question: str) -> bool:
    asked = {t.lower() for t in latin_terms(question)}
    # a term built on one the question says ("Encoder-Decoder" for "prefix Decoder"), or a
    # field's acronym ("NLP", "GPU"), is no model's name
    return any(
        not any(a in t.lower() for a in asked) and names_a_model(t) for t in latin_terms(text)
    )


@dataclass(frozen=True)
class Ask:
    pattern: re.Pattern[str]
    present: Callable[[str, str], bool]
    zh: str  # what is missing, for the refusal
    en: str


SIZE = Ask(
    re.compile(
        r"(?:文件|权重|显存|内存|存储|体积|checkpoint).{0,8}(?:多大|多少(?:G|M|空间|字节))"
        r"|how (?:large|big) (?:is|are) the (?:file|weight|checkpoint)"
        # the size's value, not how something bears on it ("how does Q2 affect file size": hj-002)
        r"|what(?:'s| is| are)(?: the| its| their)? (?:file|disk|memory) size",
        re.I,
    ),
    _has_size, "具体的大小", "the size asked for",
)  # fmt: skip

# Order matters: the first kind whose pattern matches decides (a size before any number).
ASKS = (
    Ask(re.compile(r"公式|推导|formula|deriv|equation", re.I), _has_formula, "公式推导", "a formula"),
    SIZE,
    Ask(
        re.compile(
            r"(?:加速|提速|快)了?(?:多少|几倍)|(?:提升|提高)(?:多少|几倍)"
            r"|how much (?:does it |do they |can it )?(?:speed|accelerat|fast)|how much faster",
            re.I,
        ),
        _has_factor, "具体的加速比", "the speed-up figure",
    ),
    Ask(
        re.compile(r"多少|多大|多长|多久|how (?:many|much|long|large|big)", re.I),
        _has_number, "具体数字", "the number asked for",
    ),
    Ask(
        re.compile(r"哪些(?:大|开源)?模型|代表模型|哪个模型|被哪些|which (?:llms?|models?)", re.I),
        _has_model_name, "具体的模型", "which models",
    ),
)  # fmt: skip


def asked(question: str) -> Ask | None:
    """The kind of answer the question asks for (a formula, a size, a number…), or None."""
    return next((ask for ask in ASKS if ask.pattern.search(question)), None)


# A yes/no question: "…吗？", "是不是…", "Is …?" ("什么"/"怎么" end on 么 too). One that asks for a
# method or a list ("有没有办法…？", "…用什么方法吗？") is no yes/no question.
_EITHER = r"是不是|是否|会不会|能不能|可不可以|有没有|要不要|对不对|算不算"  # "A-not-A" and 是否
_YES_NO_ZH = re.compile(r"(?:吗|(?<![什怎这那多])么)\s*[？?]?\s*$|" + _EITHER)
# the words that make a clause a question, not part of what it claims: yes/no ("是不是" would
# match a "不是" of the notes), how much, and the hedges around a number ("大概要多少显存")
_ASKING_WORDS = re.compile(
    _EITHER
    + r"|吗|呢|[？?]|多少|多大|多长|多久|几(?=[个张天倍种层位年条次])|大概|大约|分别|各(?=占|自)"
)
_YES_NO_EN = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|can|could|should|will|would|has|have)\b", re.I
)
_WH = re.compile(r"办法|方法|什么|哪些|哪个|怎么|怎样|如何|为什么|为何|多少")


def clauses(question: str) -> list[str]:
    """The question's clauses, cut at commas and semicolons ("评测语言模型时", "困惑度是不是越低越好？")."""
    return [c for c in re.split(r"[，,；;]", question) if c.strip()]


def asking_clauses(question: str) -> list[str]:
    """The clauses that ask, cut at any pause ("具体点名了哪几家云平台"), not those that set the
    scene ("从拿到原始数据到能拿去训练", "RLHF 有人类反馈贵、主观、延迟这些毛病")."""
    cut = re.split(r"[，,；;、？?。！!：:]|——", question)
    return [c for c in cut if "哪" in c or _WH.search(c) or _ASKING_WORDS.search(c)]


# "除了数据准备、微调、评估这些步骤，还有哪些技巧？": what the question sets aside, up to its
# 之外/以外 or comma, or to the 还/也 that asks for the rest; "Besides the pipeline, which …"
_EXCEPT = re.compile(
    r"除了[^，,？?。；;]*?(?:之外|以外)[，,]?|除了[^，,？?。；;]*[，,]|除了[^，,？?。；;]*?(?=还|也)"
    r"|\b(?:apart from|aside from|besides|beyond|other than|except for)\b[^,?]*,",
    re.I,
)


def without_excepted(question: str) -> str:
    """The question without what it sets aside ("除了 X 之外", "Besides X,"): the answer is
    the rest, so X's words must not pick the point that says X (hg-022 got only 数据准备)."""
    rest = _EXCEPT.sub(" ", question).strip()
    return rest if rest else question


def yes_no(clause: str) -> bool:
    """Whether `clause` (a question, or one clause of one) asks yes or no."""
    if _YES_NO_EN.match(clause):  # the glossary may have added the notes' Chinese terms
        return True
    return bool(_YES_NO_ZH.search(clause)) and not _WH.search(clause)


# "CBOW 跟 Skip-gram 比，哪个对生僻词更好？": which of the two is more so, a claim on each
_WHICH_MORE = re.compile(r"哪(?:一)?(?:个|种)(?=[^，,；;]*?更)")


def which_more(clause: str) -> bool:
    """Whether `clause` asks which of two things is more so ("哪个对生僻词更好")."""
    return bool(_WHICH_MORE.search(clause))


def without_asking(clause: str) -> str:
    """A clause without the words that ask: what it claims ("困惑度 越低越好"), or what its
    number is of ("7B 模型用半精度加载做推理， 要 显存")."""
    return _ASKING_WORDS.sub(" ", _WHICH_MORE.sub(" ", clause)).strip()


# how much memory or space: the size kind's own pattern wants "显存…多大" in that order, and
# a question for "多少显存" may be answered by a factor too ("优化器所占显存是模型参数的两倍"),
# so this only says which sentence to prefer
_MEMORY = re.compile(r"(?:多少|多大)\s*(?:的)?\s*(?:显存|内存|存储|空间)", re.I)
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}|[一二三四五六七八九十])\s*[.、)）]?\s+")


def quantity(clause: str) -> tuple[Ask, ...]:
    """The kinds of number `clause` asks for, the likeliest first (a size, then any number, for
    "7B 模型推理大概要多少显存？"); none for a question that asks for no number."""
    ask = asked(clause)
    if ask is None or ask.present not in (_has_size, _has_factor, _has_number):
        return ()
    return (SIZE, ask) if _MEMORY.search(clause) and ask is not SIZE else (ask,)


def gives(ask: Ask, text: str, question: str) -> bool:
    """Whether `text` gives the number `ask` is for; a list's "2 微调(SFT…)" numbers a step."""
    text = _ENUMERATOR.sub("", text)
    if ask.present is _has_number:  # "同一个模型": 一 is an article here, not a count
        return bool(numbers(text) or counts(text))
    return ask.present(text, question)


def missing_kind(question: str, evidence_text: str, english: bool | None = None) -> str | None:
    """What the question asks for that the evidence lacks ("公式推导"), or None, said in the
    language the user typed (`english`; by default the question's: the glossary's Chinese
    terms added to an English one don't make it Chinese). A yes/no question asks whether,
    not for the thing: "Is BERT's 15% masking ratio backed by a theoretical derivation?" is
    answered by the notes' "并没有一个固定的理论依据"."""
    if any(yes_no(c) for c in clauses(question)):
        return None
    en = not has_cjk(question) if english is None else english
    for ask in ASKS:
        if ask.pattern.search(question) and not ask.present(evidence_text, question):
            return ask.en if en else ask.zh
    return None


# "X 是什么？", "什么是 X？", "X 是怎么定义的？", "What is X?": a question about what one thing is
_WHAT_IS = re.compile(
    r"^\s*(?:什么是|何为|何谓|what\s+(?:is|are)\s+(?:an?\s+|the\s+)?)"
    r"(?P<a>[^？?，,。]{2,30}?)\s*[？?]?\s*$"
    r"|^\s*(?P<b>[^？?，,。]{2,30}?)\s*(?:是什么|是啥|(?:是|的是)?指(?:的是)?(?:什么|啥)|是什么意思"
    r"|什么意思|是怎么定义的|怎么定义|如何定义|的定义是什么)[？?]?\s*$"
    r"|^\s*what\s+does\s+(?:the\s+(?:name|term|acronym|abbreviation)\s+)?"
    r"(?P<c>[^?]{2,30}?)\s+(?:mean|stand\s+for)\s*\??\s*$",
    re.I,
)


_POINTING = re.compile(
    r"\s*(?:(?:这个|这种|这一|该)(?:指标|概念|方法|技术|参数|词)?(?:又|到底|究竟)?|又|到底|究竟)$"
)


# "数据增强生成有什么作用？": what a named thing is for; the notes say it on the line that opens
# on its name ("数据增强生成：LangChain 使链能够…"), wherever that line sits
_WHAT_FOR = re.compile(
    r"^\s*(?P<a>[^？?，,。]{2,20}?)\s*(?:有什么|有啥|有哪些)(?:作用|用处|用途|功能|好处)\s*[？?]?\s*$"
)


def without_gloss(question: str) -> str:
    """Without the notes' terms the glossary added to the question for the search ("…?（梯度）")."""
    return re.sub(r"(?<=[？?])\s*（[^（）]*）\s*$", "", question)


def used_for(question: str) -> str | None:
    """The thing a "what is X for" question asks about, or None."""
    m = _WHAT_FOR.match(without_gloss(question))
    return (_POINTING.sub("", m.group("a")).strip() or None) if m else None


def defined(question: str) -> str | None:
    """The thing a "what is X" question asks about, or None."""
    m = _WHAT_IS.match(without_gloss(question))
    if not m:
        return None
    # the thing's name, without the quotes a question may put around it ("“数据瓶颈”现象") and
    # the words that only point at it ("困惑度这个指标又是怎么定义的？")
    name = re.sub(r"[“”\"'「」‘’]", "", m.group("a") or m.group("b") or m.group("c")).strip()
    return _POINTING.sub("", name).strip() or None
