"""Refuse by what is missing: the question's key terms that the evidence never mentions.

Scores say how close the nearest passage is; they can't tell "LoRA's drawbacks" (covered) from
"FlashAttention's tiling" (a passage on attention is close, yet says nothing about it). Names do:
a method, model or acronym the question names must appear in the passages an answer would cite.

- Hard terms: English names and acronyms (LoRA, GPT-3, FlashAttention) and numbers. A question
  whose hard terms are all missing is refused, naming them; if some are covered, the answer
  says which part the notes don't cover.
- Soft terms: Chinese content words and plain lower-case English. Users paraphrase ("车轱辘话"
  for 复读机, "merge" for 合并), so a missing soft term never refuses; they count toward the
  coverage figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.text import EN_STOPWORDS, LATIN_TERM, has_cjk, numbers
from core.text_tokens import STOPWORDS, tokenize

# Words that name the field, not a topic: every passage is "about" them.
_GENERIC = frozenset([
    "模型", "大模型", "语言", "语言模型", "大语言模型", "方法", "问题", "区别", "作用", "原理",
    "优点", "缺点", "优缺点", "特点", "主要", "常见", "常用", "一般", "通常", "实现", "使用",
    "进行", "需要", "哪些", "什么", "怎么", "如何", "为什么", "介绍", "概念", "意思", "含义",
    "定义", "关系", "影响", "面试", "笔记", "解释", "理解", "具体", "分别", "时候", "情况",
    "目前", "现在", "不同", "比较",
    # spoken scaffolding ("这个框架到底是拿来干嘛的？"): it asks, it names nothing
    "到底", "究竟", "拿来", "用来", "干嘛", "干什么", "做什么",
    "llm", "llms", "model", "models", "ai", "nlp",
    # hardware the question runs on, not its topic ("reduce GPU memory during training")
    "gpu", "gpus", "cpu", "cpus",
])  # fmt: skip
# "gradient checkpointing (activation recomputation)", "GQA（grouped-query attention）": a
# term glossed in brackets is a name, whatever its case; both spellings are hard terms.
_GLOSSED = re.compile(
    r"([A-Za-z][A-Za-z0-9\-]*(?: [A-Za-z][A-Za-z0-9\-]*){0,3})\s*[(（]\s*"
    r"([A-Za-z][A-Za-z0-9\- ]*[A-Za-z0-9])\s*[)）]"
)
# "交叉编码器（cross-encoder）": the user glosses a Chinese term with its English name, in lower
# case (a capitalised one is a name anyway). The English is a name too; the pair counts as
# covered when the notes say the Chinese (its last four characters or more, or all of a
# shorter run: "编码器" alone is the notes' encoder, not a cross-encoder).
_ZH_GLOSSED = re.compile(r"([\u4e00-\u9fff]{2,})\s*[（(]\s*([a-z][a-z0-9\- ]*[a-z0-9])\s*[)）]")
MIN_ZH_GLOSSED = 4


def zh_glosses(question: str) -> list[tuple[str, str]]:
    """The (Chinese term, English gloss) pairs a question writes as "中文（english）"."""
    return [(zh, en) for zh, en in _ZH_GLOSSED.findall(question)]


def _said_in_chinese(zh: str, text: str) -> bool:
    """Some ending of the Chinese run before a gloss, MIN_ZH_GLOSSED characters or more (all of a
    shorter run), is in `text`."""
    shortest = min(MIN_ZH_GLOSSED, len(zh))
    return any(zh[-k:] in text for k in range(shortest, len(zh) + 1))


# English words that start questions or glue them together: never a name.


@dataclass(frozen=True)
class Term:
    text: str  # as the question wrote it
    hard: bool  # a name or number: missing means not covered


@dataclass(frozen=True)
class TermCoverage:
    terms: tuple[Term, ...]
    missing: tuple[Term, ...]  # absent from the evidence passages
    absent: tuple[Term, ...]  # hard terms absent from the whole index: the notes never say them
    # in `absent` too: acronyms the notes use with another meaning than the question's gloss
    other_meaning: tuple[Term, ...] = ()

    @property
    def share(self) -> float:
        """Share of the question's terms the evidence mentions (1.0 when it names none)."""
        return 1.0 - len(self.missing) / len(self.terms) if self.terms else 1.0

    @property
    def refuse(self) -> bool:
        """Every hard term absent from the notes. Soft terms alone never refuse: a paraphrase's
        words are often not the notes' words (the score gate judges those questions)."""
        hard = [t for t in self.terms if t.hard]
        return bool(hard) and len(self.absent) == len(hard)

    @property
    def partial(self) -> bool:
        return not self.refuse and bool(self.absent)


def squash(text: str) -> str:
    """Lower case without separators: "KV-Cache", "kv cache" and "KVCache" compare equal."""
    return re.sub(r"[\s\-_.·•]+", "", text.lower())


def _is_word(word: str) -> bool:
    return len(word) >= 2 and word.lower() not in EN_STOPWORDS and word.lower() not in _GENERIC


def _is_name(word: str, first: bool) -> bool:
    """A name stands out: capitals (LoRA, RLHF, Layer Norm; not the first word of an English
    sentence, which is capitalised anyway), digits (GPT-3, Qwen2), joined parts (P-tuning), a
    code identifier (lora_alpha, target_modules: held-out questions on LoRA's settings were
    answered with LoRA's idea)."""
    if not _is_word(word):
        return False
    inner = (
        any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)
        or bool(re.search(r"[A-Za-z0-9]_[A-Za-z0-9]", word))
    )  # fmt: skip
    return inner or (word[0].isupper() and not first) or ("-" in word and word[0].isupper())


# "GPT-style", "BERT-like", "Transformer-based": the name is the part before the suffix, and
# the notes write it so ("GPT-style" found nowhere made "The notes do not cover GPT-style.")
_KIND_OF = re.compile(r"-(?:style|like|based|type|esque|ish|related|specific)\b", re.I)


def _name_runs(question: str) -> list[str]:
    """The names of an English question, a run of them next to each other as one ("Elastic
    Weight Consolidation", "Constitutional AI": a field word such as AI joins the name before
    it, and "The notes do not cover Constitutional." named half of it)."""
    runs: list[list[str]] = []
    last_end = -1
    for i, m in enumerate(LATIN_TERM.finditer(question)):
        w = m.group(0)
        name = _is_name(w, first=i == 0)
        joins = runs and last_end >= 0 and question[last_end : m.start()] == " "
        if name or (joins and w.isupper() and w.lower() in _GENERIC):
            if joins:
                runs[-1].append(w)
            else:
                runs.append([w])
            last_end = m.end()
        else:
            last_end = -1
    return [" ".join(r) for r in runs]


def glosses(question: str) -> list[tuple[str, str]]:
    """The (name, gloss) pairs a question writes as "name (gloss)": the content words right
    before the bracket, back to a stop word ("How can gradient …"), and what is inside it."""
    out = []
    for before, inside in _GLOSSED.findall(question):
        words: list[str] = []
        for w in reversed(before.split()):
            if not _is_word(w):
                break
            words.insert(0, w)
        out.append((" ".join(words), inside))
    return out


def key_terms(question: str) -> tuple[Term, ...]:
    english = not has_cjk(question)
    terms: list[Term] = []
    seen: set[str] = set()

    def add(text: str, hard: bool) -> None:
        text = _KIND_OF.sub("", text)
        key = squash(text)
        if key and key not in seen:
            seen.add(key)
            terms.append(Term(text, hard))

    for gloss, inside in glosses(question):
        if gloss:
            add(gloss, True)
        add(inside, True)
    if not english:
        for _, gloss in zh_glosses(question):
            add(gloss, True)
    if english:
        for name in _name_runs(question):
            add(name, True)
    else:
        # In a Chinese question, consecutive English words are one term ("Layer Norm"). Only
        # names are hard: plain lower-case English ("weights", "merge", "fine-tuning") is how
        # mixed-language users phrase a concept the notes write in Chinese.
        for m in re.finditer(r"[A-Za-z][A-Za-z0-9_\-.+]*(?: [A-Za-z][A-Za-z0-9_\-.+]*)*", question):
            words = m.group(0).split()
            # an English sentence the glossary gave Chinese terms ("Roughly how much GPU memory
            # …?（显存）") starts with a capital anyway: "The notes do not cover Roughly."
            # (or whose first clause has no stop word: "Beyond constructing special training
            # samples, what …?（幻觉）" is English up to the glossary's bracket)
            head = question.split("（")[0]
            sentence = m.start() == 0 and (
                any(w.lower() in EN_STOPWORDS for w in words) or not has_cjk(head)
            )
            named = [_is_name(w, first=sentence and not k) for k, w in enumerate(words)]
            # runs of names ("Layer Norm", "GPU") are hard; the plain words between them soft; a
            # stop word ends a run ("Components and Chains" is two names, not "Components Chains")
            run: list[int] = []
            for k in range(len(words) + 1):
                word = k < len(words) and _is_word(words[k])
                if word and run and named[k] == named[run[0]]:
                    run.append(k)
                    continue
                if run:
                    add(" ".join(words[j] for j in run), named[run[0]])
                run = [k] if word else []
    for num in numbers(question):
        add(num, True)
    if not english:
        for w in tokenize("".join(ch if has_cjk(ch) else " " for ch in question)):
            content = len(w) >= 2 and w not in STOPWORDS and w not in _GENERIC
            # jieba's search mode also yields the pieces of a long word; keep the longest
            if content and not any(w in t.text and w != t.text for t in terms):
                add(w, False)
    return tuple(terms)


def found(term: Term, haystack: str) -> bool:
    key = squash(term.text)
    if key in haystack:
        return True
    # two names the notes write apart ("LangChain" and "Output Parsers"), each one a name on
    # its own: several words, or one with inner capitals ("Deep Norm" is not "Deep" and "Norm")
    words = term.text.split()
    for k in range(1, len(words) if term.hard else 0):
        sides = (words[:k], words[k:])
        if all(_alone(side) and squash(" ".join(side)) in haystack for side in sides):
            return True
    # plural or possessive English forms ("LLMs", "transformers")
    return term.hard and key.endswith("s") and len(key) > 3 and key[:-1] in haystack


def _alone(words: list[str]) -> bool:
    """These words name something by themselves: two or more, or one like "LangChain"."""
    w = words[0]
    return len(words) > 1 or any(c.isupper() or c.isdigit() for c in w[1:])


def _glossed_elsewhere(key: str, notes: str) -> bool:
    """The notes spell out `key` (squashed) with a gloss of their own: "生成式问答（GQA）"."""
    return any(f"{o}{key}{c}" in notes or f"{key}{o}" in notes for o, c in ("（）", "()"))


def _other_meaning(
    question: str, absent: list[Term], terms: Sequence[Term], notes: str
) -> list[Term]:
    """A question that glosses an acronym ("GQA（grouped-query attention）") the notes gloss as
    something else ("生成式问答（GQA）"): when the question's gloss is absent from the notes, the
    notes' acronym is not the question's, so it counts as absent too."""
    out: list[Term] = []
    gone = {squash(t.text) for t in absent}
    for before, inside in _GLOSSED.findall(question):
        a, b = squash(before.split()[-1]), squash(inside)
        for shown, missing in ((a, b), (b, a)):
            if missing in gone and shown not in gone and _glossed_elsewhere(shown, notes):
                out += [t for t in terms if squash(t.text) == shown]
    return out


def _with_names(
    terms: tuple[Term, ...], said: Iterable[tuple[str, Sequence[str]]]
) -> tuple[Term, ...]:
    """`terms`, with each concept `said` (its name as the question writes it, and all its
    names) a hard term, once: not beside a name that says it already ("DeepSpeed ZeRO" holds
    DeepSpeed; "混合专家模型（MoE）" names one concept twice), in place of a shorter one it
    completes ("Constitutional" is half of "Constitutional AI") or of the soft word it is (jieba
    may also cut "残差连接" in two; those pieces stay soft)."""
    out = list(terms)
    for name, names in said:
        key, keys = squash(name), {squash(n) for n in names}
        hard = [t for t in out if t.hard]
        if any(key in squash(t.text) or squash(t.text) in keys for t in hard):
            continue
        part = [
            i
            for i, t in enumerate(out)
            if squash(t.text) in key and (t.hard or squash(t.text) == key)
        ]
        if part:
            out[part[0]] = Term(name, True)
            out = [t for i, t in enumerate(out) if i == part[0] or i not in part]
        else:
            out.append(Term(name, True))
    return tuple(out)


def _unheard(term: Term, notes: str, heard: frozenset[str] = frozenset()) -> Term:
    """Plain English words in a Chinese question are soft: users write "weights" or "base
    model" for what the notes say in Chinese. A run of two or more of them with a word the notes
    never use ("reward hacking") names a concept they never discuss, and counts as a name;
    unless it is the field's name of a concept the notes discuss in other words (`heard`,
    squashed: "greedy search" is their 贪婪搜索)."""
    words = term.text.split()
    if term.hard or len(words) < 2 or not term.text.isascii() or squash(term.text) in heard:
        return term
    if any(len(w) >= 4 and squash(w) not in notes for w in words):
        return Term(term.text, True)
    return term


def check(
    question: str, evidence_texts: Iterable[str], notes: str | None = None, english: bool = False,
    unheard: Iterable[tuple[str, Sequence[str]]] = (), heard: Iterable[str] = (),
) -> TermCoverage:  # fmt: skip
    """`notes`: the whole index's text, squashed (see `squash`); None: judge by the evidence.
    `english`: the user wrote in English (the glossary may have added Chinese to `question`).
    `unheard`: the concepts the question names that the notes never mention (the field's terms,
    service/field_terms.py: the name as written, all its names): hard terms. `heard`: the
    field's English names the question uses for concepts the notes name only in Chinese."""
    concepts = tuple(unheard)
    terms = _with_names(key_terms(question), concepts)
    if notes is not None and not english:
        known = frozenset(squash(n) for n in heard)
        terms = tuple(_unheard(t, notes, known) for t in terms)
    haystack = squash("\n".join(evidence_texts))
    # the field's terms were looked for already, each as a word ("kto" is inside "tiktoken")
    field = {squash(name) for name, _ in concepts}
    missing = [t for t in terms if squash(t.text) in field or not found(t, haystack)]
    absent = [
        t for t in missing
        if t.hard and (notes is None or squash(t.text) in field or not found(t, notes))
    ]  # fmt: skip
    other = _other_meaning(question, absent, terms, notes) if notes is not None else []
    missing += [t for t in other if t not in missing]
    absent += other
    # "the LLM repetition (parroting) problem": the question says both name one thing, so the
    # one the notes use covers the other (the notes' "LLMs Parroting Problem")
    for pair in glosses(question):
        keys = {squash(t) for t in pair if t}
        if len(keys) < 2:
            continue
        one = [t for t in terms if squash(t.text) in keys]
        if any(t not in missing for t in one):
            missing = [t for t in missing if t not in one]
        if any(t not in absent for t in one):
            absent = [t for t in absent if t not in one]
    # "交叉编码器（cross-encoder）": the English is covered where the notes say the Chinese
    for zh, gloss in zh_glosses(question):
        said = [t for t in terms if squash(t.text) == squash(gloss)]
        if _said_in_chinese(zh, haystack):
            missing = [t for t in missing if t not in said]
        if notes is None or _said_in_chinese(zh, notes):
            absent = [t for t in absent if t not in said]
    return TermCoverage(terms, tuple(missing), tuple(absent), tuple(other))


def names(terms: Iterable[Term], english: bool = False) -> str:
    """ "A、B" for a Chinese sentence, "A, B" for an English one."""
    return (", " if english else "、").join(t.text for t in terms)
