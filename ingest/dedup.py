"""Near-duplicate groups across files, so retrieval can collapse copies of one passage.

Byte matching fails here: one file copies two others with half-width punctuation. NFKC folds the
widths, then character 5-gram containment finds the copies whatever the punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from core.types import Chunk

SHINGLE = 5  # long enough that common phrases like "大语言模型" don't link unrelated chunks
CONTAINMENT = (
    0.6  # share of the smaller chunk's shingles found in the other: tuned on CORPUS.md pairs
)
MIN_SHINGLES = 20  # tiny chunks (a heading, one line) are too short to call copies

_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


def shingles(text: str) -> set[str]:
    norm = normalise(text)
    return {norm[i : i + SHINGLE] for i in range(max(0, len(norm) - SHINGLE + 1))}


def assign_duplicate_groups(chunks: list[Chunk]) -> list[Chunk]:
    sets = [shingles(c.text) for c in chunks]
    parent = list(range(len(chunks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # An inverted index from shingle to chunks keeps this far from all-pairs on a big corpus.
    postings: dict[str, list[int]] = {}
    for i, s in enumerate(sets):
        for sh in s:
            postings.setdefault(sh, []).append(i)
    for i, s in enumerate(sets):
        if len(s) < MIN_SHINGLES:
            continue
        counts: dict[int, int] = {}
        for sh in s:
            for j in postings[sh]:
                if j > i:
                    counts[j] = counts.get(j, 0) + 1
        for j, shared in counts.items():
            if len(sets[j]) >= MIN_SHINGLES and shared / min(len(s), len(sets[j])) >= CONTAINMENT:
                parent[find(j)] = find(i)

    members: dict[int, list[int]] = {}
    for i in range(len(chunks)):
        members.setdefault(find(i), []).append(i)
    out = list(chunks)
    for group in members.values():
        if len(group) < 2:
            continue
        group_id = "dup-" + min(chunks[i].chunk_id for i in group)[:12]
        for i in group:
            out[i] = replace(chunks[i], dup_group=group_id)
    return out
