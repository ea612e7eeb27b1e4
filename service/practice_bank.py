"""The question bank of the index being served, with what grading needs from it.

Loaded once per index version (ingest/bank.py wrote it next to the chunks) and shared by the
practice routes and the related-questions step of /ask. Key points are worked out on first use
of a question and kept: the same question is graded many times.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.errata import masked, notes, retracted
from core.errors import IndexNotReady, NotFound
from core.types import Chunk, Hit
from core.units import split_units
from ingest.bank import BankEntry, load_bank, question_words
from service.overlap import features
from service.section_units import MAX_POINTS, EvidenceUnit, section_units, units_of

MAX_CONTEXT = 3  # sentences that continue a point: its item's explanation, not the next point
KEEP_BANKS = 3  # versions kept loaded: the index store keeps as many on disk
TOPIC_SEP = " / "


@dataclass(frozen=True)
class KeyPoints:
    units: tuple[EvidenceUnit, ...]
    contexts: tuple[str, ...]  # each point with the sentences that continue it in the notes


@dataclass
class Topic:
    name: str
    path: tuple[str, ...]
    count: int = 0  # questions in this topic and below
    children: list[Topic] = field(default_factory=list)


def answer_points(question: str, chunks: Sequence[Chunk]) -> list[EvidenceUnit]:
    """The key points of a question's answer (`chunks`: its section, in the notes' order), the
    way `select` takes a section whose heading asks the question: the lead, then one unit per
    list item. Practice mode grades answers against these, so two things differ: a prose
    answer keeps up to MAX_POINTS sentences (an answer's third sentence is as much a point as
    its first), and no deeper sentence joins (an item's second sentence continues its point).
    """
    q = features(question, question=True)
    units = [u for c in chunks for u in units_of(1, Hit(c, 0.0), q)]
    # an item's second sentence is part of its point (practice grading reads it as context)
    return [u for u in section_units(units, prose=MAX_POINTS, extras=0) if not u.rest]


def _contexts(points: Sequence[EvidenceUnit], chunks: Sequence[Chunk]) -> tuple[str, ...]:
    units = sorted(
        {(c.start + u.start, u.item, u.text) for c in chunks for u in split_units(c.text)}
    )
    bounds = [p.start for p in points[1:]] + [math.inf]
    out = []
    for p, stop in zip(points, bounds, strict=True):
        more = [text for start, item, text in units if p.end <= start < stop and not item][
            :MAX_CONTEXT
        ]
        out.append("".join([p.text, *more]))
    return tuple(out)


class PracticeBank:
    def __init__(self, version: str, entries: Sequence[BankEntry], chunks: Sequence[Chunk]):
        self.version = version
        self.entries = tuple(entries)
        self.by_id = {e.question_id: e for e in self.entries}
        self.chunks = {c.chunk_id: c for c in chunks}
        # (file, heading path) of every copy -> its entry: a hit on any copy finds the question
        self._at: dict[tuple[str, tuple[str, ...]], BankEntry] = {}
        for e in self.entries:
            for loc in (e.source, *e.copies):
                self._at.setdefault((loc.file, loc.heading_path), e)
        # each question's words, for the related-questions fallback (a set per question)
        self._words = {e.question_id: question_words(e.question) for e in self.entries}
        self._points: dict[str, KeyPoints] = {}
        self._vectors: dict[tuple[int, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def get(self, question_id: str) -> BankEntry:
        entry = self.by_id.get(question_id)
        if entry is None:
            raise NotFound(f"no question {question_id!r} in the bank of index {self.version}")
        return entry

    def points(self, entry: BankEntry) -> KeyPoints:
        cached = self._points.get(entry.question_id)
        if cached is not None:
            return cached
        # the notes' reviewed errors (core/errata.py) are no point to learn
        chunks = [masked(c) for c in self._chunks(entry) if not retracted(c)]
        # A lead-in that only announces the list ("原因主要有以下几点：") states nothing a
        # learner could say: the answer shows it, grading doesn't count it.
        units = tuple(
            u for u in answer_points(entry.question, chunks) if u.item or u.text[-1] not in "：:"
        )
        found = KeyPoints(units, _contexts(units, chunks))
        with self._lock:
            self._points[entry.question_id] = found
        return found

    def _chunks(self, entry: BankEntry) -> list[Chunk]:
        return [self.chunks[c] for c in entry.chunk_ids if c in self.chunks]

    def errata(self, entry: BankEntry) -> list[str]:
        """The editor's notes on the wrong statements left out of this answer."""
        return notes(self._chunks(entry))

    def dice(self, words: set[str], entry: BankEntry) -> float:
        """Word overlap (Dice) of `words` (see ingest.bank.question_words) with a question."""
        theirs = self._words[entry.question_id]
        return 2 * len(words & theirs) / (len(words) + len(theirs)) if words and theirs else 0.0

    def point_vectors(self, entry: BankEntry, embedder: Any) -> np.ndarray:
        """The key points embedded (as queries: e5's form for comparing two texts), once."""
        key = (id(embedder), entry.question_id)
        cached = self._vectors.get(key)
        if cached is None:
            units = self.points(entry).units
            cached = np.stack([embedder.embed_query_vector(u.text) for u in units])
            with self._lock:
                self._vectors[key] = cached
        return cached

    def entry_at(self, chunk: Chunk) -> BankEntry | None:
        """The question whose answer holds this chunk (it may sit under a sub-heading)."""
        path = chunk.heading_path
        for depth in range(len(path), 1, -1):
            found = self._at.get((chunk.doc_id, path[:depth]))
            if found is not None:
                return found
        return None

    def in_topic(self, topic: str | None) -> list[BankEntry]:
        """Entries under `topic` (a topic path joined by " / "); NotFound for an unknown one."""
        if not topic:
            return list(self.entries)
        want = tuple(p.strip() for p in topic.split(TOPIC_SEP))
        found = [e for e in self.entries if e.topic[: len(want)] == want]
        if not found:
            raise NotFound(f"no topic {topic!r} in the question bank")
        return found

    def topics(self) -> list[Topic]:
        roots: list[Topic] = []
        for e in self.entries:
            level: list[Topic] = roots
            path: tuple[str, ...] = ()
            for name in e.topic:
                path = (*path, name)
                node = next((t for t in level if t.name == name), None)
                if node is None:
                    node = Topic(name, path)
                    level.append(node)
                node.count += 1
                level = node.children
        return roots


_cache: OrderedDict[tuple[Path, str], PracticeBank] = OrderedDict()
_cache_lock = threading.Lock()


def bank_for(retriever: Any) -> PracticeBank:
    """The bank of the index `retriever` serves (loaded on first use, then shared)."""
    index = getattr(retriever, "index", None)
    if index is None:
        raise IndexNotReady("this retriever serves no on-disk index: no question bank")
    key = (Path(index.path), str(index.version))
    with _cache_lock:
        bank = _cache.get(key)
        if bank is None:
            bank = PracticeBank(index.version, load_bank(index.path, index.chunks), index.chunks)
            _cache[key] = bank
            while len(_cache) > KEEP_BANKS:
                _cache.popitem(last=False)
        _cache.move_to_end(key)
        return bank
