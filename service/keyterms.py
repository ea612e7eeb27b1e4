"""A question's key terms: what it names, read before any answer (service/term_check.py checks
them against the evidence).

- Hard terms: English names and acronyms (LoRA, GPT-3, FlashAttention) and numbers: missing
  from the notes, they make the question one the notes don't cover.
- Soft terms: Chinese content words and plain lower-case English. Users paraphrase ("车轱辘话"
  for 复读机, "merge" for 合并), so a missing soft term never refuses.
"""

from __future__ import annotations

import re
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
    # what kind of thing a name is, as model: "the causal decoder architecture" is the notes'
    # "causal Decoder" (a phrase with it was never found, and the question was refused)
    "architecture", "architectures",
    # hardware the question runs on, not its topic ("reduce GPU memory during training")
    "gpu", "gpus", "cpu", "cpus",
    # an English question's words on the notes themselves, as 笔记 above ("What advantages do
    # the notes claim…, especially compared with…", "the notes' English explanation of…"):
    # read as a name the notes never use, they refused questions the notes answer
    "notes", "note", "claim", "claims", "especially", "compared", "exactly", "english",
])  # fmt: skip
# "gradient checkpointing (activation recomputation)", "GQA（grouped-query attention）": a
# term glossed in brackets is a name, whatever its case; both spellings are hard terms.
GLOSSED = re.compile(
    r"([A-Za-z][A-Za-z0-9\-]*(?: [A-Za-z][A-Za-z0-9\-]*){0,3})\s*[(（]\s*"
    r"([A-Za-z][A-Za-z0-9\- ]*[A-Za-z0-9])\s*[)）]"
)
# "交叉编码器（cross-encoder）", "虚拟现实（VR）": the user glosses a Chinese term with its English
# name or acronym. The English is a name too.
_ZH_GLOSSED = re.compile(
    r"([\u4e00-\u9fff]{2,})\s*[（(]\s*([A-Za-z][A-Za-z0-9\- ]*[A-Za-z0-9])\s*[)）]"
)


def zh_glosses(question: str) -> list[tuple[str, str]]:
    """The (Chinese term, English gloss) pairs a question writes as "中文（english）"."""
    return [(zh, en) for zh, en in _ZH_GLOSSED.findall(question)]


@dataclass(frozen=True)
class Term:
    text: str  # as the question wrote it
    hard: bool  # a name or number: missing means not covered


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


_SENTENCE_END = re.compile(r"[.!?。？！]\s*$")


def _opens_sentence(before: str) -> bool:
    """The word after `before` starts a sentence, so its capital says nothing ("…grows. Apart
    from…": "The notes do not cover Apart.")."""
    return bool(_SENTENCE_END.search(before))


def _name_runs(question: str) -> list[str]:
    """The names of an English question, a run of them next to each other as one ("Elastic
    Weight Consolidation", "Constitutional AI": a field word such as AI joins the name before
    it, and "The notes do not cover Constitutional." named half of it)."""
    runs: list[list[str]] = []
    last_end = -1
    for i, m in enumerate(LATIN_TERM.finditer(question)):
        w = m.group(0)
        first = i == 0 or _opens_sentence(question[: m.start()])  # every sentence's first word
        name = _is_name(w, first=first)
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
    for before, inside in GLOSSED.findall(question):
        words: list[str] = []
        for w in reversed(before.split()):
            if not _is_word(w):
                break
            words.insert(0, w)
        out.append((" ".join(words), inside))
    return out


# "What is the 'reversal curse'…?": a phrase an English question puts in quotes names something,
# whatever its case (hk-008 had no key term, and got the notes' 复读机 problem)
_QUOTED = re.compile(r"(?<![A-Za-z])['\"‘“]([A-Za-z][A-Za-z\- ]{0,40}[A-Za-z])['\"’”](?![A-Za-z])")


def quoted(question: str) -> list[str]:
    """The phrases an English question quotes that are all content words ("reversal curse"; not
    "A is B", nor a sentence)."""
    return [
        q for q in _QUOTED.findall(question)
        if len(q.split()) <= 4 and all(_is_word(w) for w in q.split())
    ]  # fmt: skip


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
        for name in _name_runs(question) + quoted(question):
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
            # a word after one that ends a sentence opens the next ("…grows. Apart from…")
            named = [
                _is_name(w, first=(sentence and not k) or (k > 0 and _opens_sentence(words[k - 1])))
                for k, w in enumerate(words)
            ]
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
