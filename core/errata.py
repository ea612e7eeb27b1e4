"""The notes' reviewed errors on a chunk (`Chunk.errata`): where they are, and the chunk with
them masked. Recorded by ingest/errata.py, masked out of the evidence by service/errata.py."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from core.types import Chunk

WHOLE = ""  # the quote recorded on a chunk whose whole text is wrong


@lru_cache(maxsize=256)
def quote_pattern(quote: str) -> re.Pattern[str]:
    """The quote's characters in order, any whitespace between them: the cleaner and the
    chunker may re-wrap a line, and a reviewer copies from the file as an editor shows it."""
    return re.compile(r"\s*".join(re.escape(ch) for ch in re.sub(r"\s+", "", quote)))


def retracted(chunk: Chunk) -> bool:
    """The whole chunk is wrong (a section erratum): it answers nothing."""
    return any(q == WHOLE for q, _ in chunk.errata)


def wrong_spans(chunk: Chunk) -> list[tuple[int, int, str]]:
    """(start, end, note) of each erratum in the chunk: its start plus the offset in its text,
    the scale evidence units are measured on (service/section_units.py)."""
    if retracted(chunk):
        return [(chunk.start, chunk.end, n) for q, n in chunk.errata if q == WHOLE][:1]
    return [
        (chunk.start + m.start(), chunk.start + m.end(), note)
        for quote, note in chunk.errata
        for m in quote_pattern(quote).finditer(chunk.text)
    ]


def masked(chunk: Chunk) -> Chunk:
    """The chunk with each wrong quote blanked out, character for character, so every other
    sentence keeps its offsets (citations point into the file)."""
    text = chunk.text
    for start, end, _ in wrong_spans(chunk):
        a, b = start - chunk.start, end - chunk.start
        text = text[:a] + " " * (b - a) + text[b:]
    return replace(chunk, text=text)
