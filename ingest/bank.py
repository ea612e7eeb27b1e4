"""The practice bank: the notes' own interview questions that have an answer body.

Built at ingest from the chunks the build already made (nothing is parsed twice) and written
next to them as `bank.jsonl`, so practice mode and the related-questions list only ever offer
questions the notes can answer:

- An entry is a question heading (it ends in ？/? or asks with 什么/哪些/如何/为什么…) with
  non-hollow chunks under it. Sub-headings below a question ("Prefix LM", "总结", "3.1 语言模型")
  are part of its answer; a bare heading or a topic seen only in a table of contents is hollow
  and never an entry.
- Copies of one question across files (the notes share passages) collapse to one entry: the
  same or nearly the same question over a copied answer (a shared `dup_group`, or mostly the
  same text). The same question answered differently in two files is two entries.
  The first copy in file order is the reference answer; the others are kept as `copies`.
- `question_id` hashes the normalised question and answer text: unchanged notes keep their ids
  across re-ingests, so a learner's schedule survives a rebuild; an edited answer is a new card.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errata import masked, retracted
from core.text import bigrams, latin_terms, normalise
from core.types import Chunk, sha256_text
from core.units import split_units

BANK = "bank.jsonl"
# A heading that asks: a question mark, or an interrogative (the notes drop the mark often:
# "为何现在的大模型大部分是Decoder only结构", "大模型在GPU和CPU上推理速度如何").
_ASKS = re.compile(
    r"[?？]\s*$|什么|哪些|哪个|哪种|如何|怎么|怎样|为何|为什么|是否|吗|啥|咋|多大|多少"
)
# Numbering the heading paths keep ("4.1 ", "一、"): not part of the question a learner sees.
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})+\s*|[一二三四五六七八九十]+、\s*)")
# Two questions this alike (bigram Dice) over copied answers are one question reworded
# ("llama 输入句子长度…" in one file, "LLMs输入句子长度…" in its copy).
SAME_WORDING = 0.8  # "什么是…复读机问题" vs "为什么会出现…复读机问题" is 0.63: two questions
MAX_OVERLAP = 4000  # chars: well above any chunk_overlap setting (le=2000)
# Share of the shorter answer's bigrams found in the other: a copy with a few words changed.
COPIED_TEXT = 0.6


@dataclass(frozen=True)
class Location:
    file: str
    heading_path: tuple[str, ...]
    start: int  # character offsets in the file
    end: int


@dataclass(frozen=True)
class BankEntry:
    question_id: str
    question: str  # the heading, numbering stripped
    topic: tuple[str, ...]  # the headings above it, file title first
    source: Location  # the reference answer
    chunk_ids: tuple[str, ...]  # the reference answer's chunks, in the notes' order
    answer: str  # the reference answer's text (overlaps between chunks removed)
    copies: tuple[Location, ...] = ()  # the same question elsewhere in the notes

    @property
    def topic_label(self) -> str:
        return " / ".join(self.topic)


def asks(heading: str) -> bool:
    """True for a heading that is an interview question."""
    return bool(_ASKS.search(heading))


def display_question(heading: str) -> str:
    return _NUMBERING.sub("", heading).strip()


def question_key(question: str) -> str:
    """Comparison form: width, case, spacing and punctuation folded."""
    return re.sub(r"[^\w\u3400-\u9fff]", "", normalise(display_question(question)))


def _question_path(path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The deepest heading in `path` that asks a question (the file title never does)."""
    for depth in range(len(path), 1, -1):
        if asks(path[depth - 1]):
            return path[:depth]
    return None


def merge_texts(texts: Sequence[str]) -> str:
    """Join consecutive chunk texts, dropping the overlap the chunker repeats at each start."""
    out = texts[0] if texts else ""
    for text in texts[1:]:
        cut = _overlap(out, text)
        out = out + text[cut:] if cut else out + "\n" + text
    return out


def _overlap(out: str, text: str, probe: int = 8) -> int:
    """Length of the longest end of `out` that `text` starts with (at least `probe` chars)."""
    head = text[:probe]
    if len(head) < probe:
        return 0
    pos = out.find(head, max(0, len(out) - MAX_OVERLAP))
    while pos != -1:
        if text.startswith(out[pos:]):
            return len(out) - pos
        pos = out.find(head, pos + 1)
    return 0


@dataclass
class _Draft:
    doc_id: str
    path: tuple[str, ...]
    chunks: list[Chunk]

    def text(self) -> str:
        """The answer: chunk texts merged; a sub-heading inside it kept as a `####` line."""
        parts: list[str] = []
        runs: list[list[Chunk]] = []
        for c in self.chunks:
            if runs and runs[-1][0].heading_path == c.heading_path:
                runs[-1].append(c)
            else:
                runs.append([c])
        for run in runs:
            sub = run[0].heading_path[len(self.path) :]
            body = merge_texts([c.text for c in run])
            parts.append("\n".join([*(f"#### {s}" for s in sub[-1:]), body]))
        return "\n".join(parts)

    def location(self) -> Location:
        return Location(
            self.doc_id,
            self.path,
            min(c.start for c in self.chunks),
            max(c.end for c in self.chunks),
        )


def _answered(text: str) -> bool:
    """A real body states something: one sentence or item that is not a restated question."""
    return any(u.text[-1] not in "？?" for u in split_units(text))


def _drafts(chunks: Iterable[Chunk]) -> list[_Draft]:
    by_key: dict[tuple[str, tuple[str, ...]], _Draft] = {}
    for c in chunks:
        # a section the notes get wrong (corpus/overrides.toml `errata`) is no question to
        # practise; a wrong sentence is blanked out of the answer shown and graded
        if c.hollow or retracted(c) or not c.text.strip():
            continue
        c = masked(c) if c.errata else c
        qpath = _question_path(c.heading_path)
        if qpath is None:
            continue
        key = (c.doc_id, qpath)
        if key not in by_key:
            by_key[key] = _Draft(c.doc_id, qpath, [])
        by_key[key].chunks.append(c)
    drafts = [d for d in by_key.values() if _answered(d.text())]
    for d in drafts:
        d.chunks.sort(key=lambda c: c.start)
    return sorted(drafts, key=lambda d: (d.doc_id, d.location().start))


def question_words(question: str) -> set[str]:
    """Chinese bigrams and whole English names: a shared name ("LangChain") is one word, not
    eight bigrams that would make "LangChain 支持哪些功能" look like "LangChain 包含哪些特点"."""
    cjk = "".join(ch for ch in question if not ch.isascii())
    return (bigrams(cjk) if cjk else set()) | {w.lower() for w in latin_terms(question)}


def _dice(a: str, b: str) -> float:
    x, y = question_words(a), question_words(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def _copied(a: _Draft, b: _Draft) -> bool:
    """The two answers are copies: chunks in one near-duplicate group, or mostly the same text
    (a short answer is below dedup's size floor)."""
    groups = {c.dup_group for c in a.chunks if c.dup_group}
    if any(c.dup_group in groups for c in b.chunks if c.dup_group):
        return True
    x, y = question_words(a.text()), question_words(b.text())
    return bool(x and y) and len(x & y) / min(len(x), len(y)) >= COPIED_TEXT


def _same(a: _Draft, b: _Draft) -> bool:
    """One question: the same words or nearly, over a copied answer. The same question with
    another answer (one file answers 涌现能力 with two conjectures, another with four causes) stays
    apart: each is graded against its own notes."""
    qa, qb = display_question(a.path[-1]), display_question(b.path[-1])
    worded = question_key(qa) == question_key(qb) or _dice(qa, qb) >= SAME_WORDING
    return worded and _copied(a, b)


def build_bank(chunks: Iterable[Chunk]) -> list[BankEntry]:
    """The bank of an index's chunks, in the notes' order (file, then position)."""
    groups: list[list[_Draft]] = []
    for d in _drafts(chunks):
        # copies are across files: two questions of one file are two questions
        home = next(
            (g for g in groups if all(o.doc_id != d.doc_id for o in g) and _same(g[0], d)), None
        )
        if home is None:
            groups.append([d])
        else:
            home.append(d)
    entries = []
    for first, *others in groups:
        question = display_question(first.path[-1])
        answer = first.text()
        qid = sha256_text(question_key(question) + "\n" + normalise(answer))[:16]
        entries.append(
            BankEntry(
                question_id=qid,
                question=question,
                topic=first.path[:-1],
                source=first.location(),
                chunk_ids=tuple(c.chunk_id for c in first.chunks),
                answer=answer,
                copies=tuple(o.location() for o in others),
            )
        )
    return entries


def _location_json(loc: Location) -> dict[str, object]:
    return {
        "file": loc.file,
        "heading_path": list(loc.heading_path),
        "start": loc.start,
        "end": loc.end,
    }


def _location(row: dict[str, object]) -> Location:
    path = row["heading_path"]
    assert isinstance(path, list)
    return Location(str(row["file"]), tuple(path), int(str(row["start"])), int(str(row["end"])))


def write_bank(version_dir: Path, entries: Sequence[BankEntry]) -> None:
    with (version_dir / BANK).open("w", encoding="utf-8") as fh:
        for e in entries:
            row = {
                "question_id": e.question_id,
                "question": e.question,
                "topic": list(e.topic),
                "source": _location_json(e.source),
                "chunk_ids": list(e.chunk_ids),
                "answer": e.answer,
                "copies": [_location_json(c) for c in e.copies],
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def load_bank(version_dir: Path, chunks: Sequence[Chunk]) -> list[BankEntry]:
    """The version's bank; an index built before the bank existed gets one from its chunks."""
    path = version_dir / BANK
    if not path.exists():
        return build_bank(chunks)
    entries = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            entries.append(
                BankEntry(
                    question_id=row["question_id"],
                    question=row["question"],
                    topic=tuple(row["topic"]),
                    source=_location(row["source"]),
                    chunk_ids=tuple(row["chunk_ids"]),
                    answer=row["answer"],
                    copies=tuple(_location(c) for c in row["copies"]),
                )
            )
    return entries
