"""Whether the evidence is about what the question names: checks `ground` makes before it
answers (service/grounding.py). Each reads the question (its key terms, service/keyterms.py;
the one thing it asks to define) against the passages the evidence units come from, not
against all the hits: an answer built from one section is about what that section says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.text import numbers, sentence_spans
from core.types import Hit
from service import keyterms, term_check
from service.asks import defined, gives, names_a_model, quantity
from service.evidence import Evidence
from service.naming import key


def passages_of(evidence: Evidence, hits: Sequence[Hit]) -> list[str]:
    """The full text of the passages the evidence units come from."""
    ns = {u.n for u in evidence.units}
    return [h.chunk.text for i, h in enumerate(hits) if i + 1 in ns]


def headed(hits: Sequence[Hit]) -> list[str]:
    """Each hit's heading path and text: what a passage says, its headings included."""
    return [" ".join(h.chunk.heading_path) + "\n" + h.chunk.text for h in hits]


def _used(evidence: Evidence, texts: Sequence[str]) -> list[str]:
    """The texts (one per hit) of the passages the evidence units come from, in hit order."""
    return [texts[n - 1] for n in sorted({u.n for u in evidence.units})]


def subject_unsaid(
    terms: term_check.TermCoverage, evidence: Evidence, texts: Sequence[str]
) -> keyterms.Term | None:
    """The question's one name (a method, a model: its only hard term) when none of the
    passages the evidence comes from says it, nor their headings (`texts`, one per hit, with
    its headings). With two names or more, one may be only an example ("ChatGLM 用的 prefix
    decoder 跟 LLaMA 这类 causal decoder…" is answered by a section that names neither). A
    heading that asks the question, or units found by the name, say it by construction."""
    hard = [t for t in terms.terms if t.hard and t not in terms.absent]
    if len(hard) != 1 or evidence.empty or evidence.same_question or evidence.by_name:
        return None
    said = keyterms.squash("\n".join(_used(evidence, texts)))
    return None if term_check.found(hard[0], said) else hard[0]


def number_of_another(
    question: str, evidence: Evidence, texts: Sequence[str], en: bool
) -> str | None:
    """A number asked about a model that the evidence's passages (`texts`, one per hit, with
    its headings) never name ("LLaMA 的 tokenizer 词表大小是多少？" and a table of vocabularies
    "通常几千到几万个Token"): the numbers there are another model's, or none's, so what is
    missing is that model's number. Only a model's name: "KV cache 占多少显存？" is answered by
    passages that say "K 和 V"."""
    kinds = quantity(question)
    if not kinds:
        return None
    said = set(numbers(question))
    gone = [
        t
        for t in term_check.check(question, _used(evidence, texts), None, en).missing
        if t.hard and t.text not in said and names_a_model(t.text)
    ]
    if not gone:
        return None
    ask, name = kinds[-1], term_check.names(gone, en)  # the kind asked, not the size it implies
    return f"{ask.en} for {name}" if en else f"{name} 的{ask.zh}"


# what a number question counts, when it is a Latin noun that ends its phrase: "多少 token？",
# "几张 A100、", "多少 tokens 的语料"; not one that qualifies the next word ("多少 GPU 显存"),
# nor a unit ("多少 GB", "多少 B": the figure's own, "14G", "65B")
_COUNTED = re.compile(
    r"(?:多少|几)\s*(?:个|张|块|条)?\s*([A-Za-z][A-Za-z0-9-]*)(?=\s*(?:的|[？?，,、。；;]|$))"
    # ... or a Chinese noun after a measure word that ends the clause ("配几个负样本？"), of
    # three characters or more: 数据 and 样本 are any count's ("做 SFT 一般要准备多少条数据？" is
    # answered by "问答对…的数量一般在10K~100K", held-out hn-014)
    r"|(?:多少|几)\s*(?:个|张|块|条)\s*([\u4e00-\u9fff]{3,5})(?=\s*(?:[？?，,、。；;]|$))"
)
_UNIT = re.compile(r"(?:[KMGTP]i?B|[KMGTB]|bits?|bytes?)", re.I)


def number_unsaid(question: str, evidence: Evidence, texts: Sequence[str], en: bool) -> str | None:
    """A number asked of one thing that the evidence's passages (`texts`, one per hit, its
    headings on the first line) name, but never with a number: "MPT-7B 预训练用了多少 token？"
    and "MPT-7B…动用了440张A100", "BitFit 的可训练参数占多少？" and a BitFit with no figure by
    it. A number counts in a sentence that says the counted noun ("多少 token": "2T~3T的token")
    and the question's one model name, or in a passage whose headings say the name."""
    kinds = quantity(question)
    if not kinds:
        return None
    ask = kinds[-1]
    m = _COUNTED.search(question)
    noun = (m.group(1) or m.group(2)) if m else None
    nouns = [noun] if noun and not _UNIT.fullmatch(noun) else []
    said = set(numbers(question))
    names = [
        t.text
        for t in keyterms.key_terms(question)
        if t.hard and t.text not in said and names_a_model(t.text)
    ]
    # two names or more may be examples ("微调 GPT-2、GPT-3 这类大模型…", and the notes' "这些")
    names = names if len(names) == 1 else []
    if not nouns and not names:
        return None
    for text in _used(evidence, texts):
        head, _, body = text.partition("\n")
        for a, b in sentence_spans(body):
            sentence = body[a:b].lower()
            if (
                gives(ask, sentence, question)
                and all(n.lower() in sentence for n in nouns)
                and (not names or any(n.lower() in sentence + head.lower() for n in names))
            ):
                return None
    name = (names or nouns)[0]
    return f"{ask.en} for {name}" if en else f"{name} 的{ask.zh}"


def named(question: str, evidence: Evidence) -> bool:
    """A question that asks what one thing is, and a sentence of the evidence that names it
    ("困惑度是什么？" and "…困惑度是模型预测的单词的逆概率的几何平均值."): such a short question
    scores low on meaning against a whole passage, yet the notes answer it."""
    name = defined(question)
    if name is None:
        return False
    return any(key(name) in key(u.text) for u in evidence.units)
