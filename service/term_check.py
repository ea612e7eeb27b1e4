"""Refuse by what is missing: the question's key terms (service/keyterms.py) that the evidence
never mentions.

Scores say how close the nearest passage is; they can't tell "LoRA's drawbacks" (covered) from
"FlashAttention's tiling" (a passage on attention is close, yet says nothing about it). Names do:
a method, model or acronym the question names must appear in the passages an answer would cite.
A question whose hard terms are all missing from the notes is refused, naming them; if some are
covered, the answer says which part the notes don't cover. A missing soft term never refuses;
soft terms count toward the coverage figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.keyterms import GLOSSED, Term, glosses, key_terms, squash, zh_glosses

# "交叉编码器（cross-encoder）" counts as covered when the notes say the Chinese: its last four
# characters or more, or all of a shorter run ("编码器" alone is the notes' encoder, not a
# cross-encoder).
MIN_ZH_GLOSSED = 4


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


def _said_in_chinese(zh: str, text: str, gloss: str) -> bool:
    """Some ending of the Chinese run before a gloss, MIN_ZH_GLOSSED characters or more (all of a
    shorter run), is in `text`. An acronym or capitalised name names one variant: only the whole
    run counts, of MIN_ZH_GLOSSED characters or more ("虚拟现实（VR）"; not 奖励模型 for
    "过程奖励模型（PRM）", nor 延迟 for "首 token 延迟（TTFT）")."""
    if not gloss.islower():
        return len(zh) >= MIN_ZH_GLOSSED and zh in text
    shortest = min(MIN_ZH_GLOSSED, len(zh))
    return any(zh[-k:] in text for k in range(shortest, len(zh) + 1))


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
    for before, inside in GLOSSED.findall(question):
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
        if _said_in_chinese(zh, haystack, gloss):
            missing = [t for t in missing if t not in said]
        if notes is None or _said_in_chinese(zh, notes, gloss):
            absent = [t for t in absent if t not in said]
    return TermCoverage(terms, tuple(missing), tuple(absent), tuple(other))


def names(terms: Iterable[Term], english: bool = False) -> str:
    """ "A、B" for a Chinese sentence, "A, B" for an English one."""
    return (", " if english else "、").join(t.text for t in terms)
