"""The notes' reviewed errors on a chunk (`Chunk.errata`): where they are, and the chunk with
them masked. Recorded by ingest/errata.py, masked out of the evidence by service/errata.py."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from core.types import Chunk
from core.units import Unit, leans_back, split_units

WHOLE = ""  # the quote recorded on a chunk whose whole text is wrong


@lru_cache(maxsize=256)
def quote_pattern(quote: str) -> re.Pattern[str]:
    """The quote's characters in order, any whitespace between them: the cleaner and the
    chunker may re-wrap a line, and a reviewer copies from the file as an editor shows it."""
    return re.compile(r"\s*".join(re.escape(ch) for ch in re.sub(r"\s+", "", quote)))


def notes(chunks: Iterable[Chunk]) -> list[str]:
    """The editor's notes on these chunks' errors, each once, in order."""
    return list(dict.fromkeys(note for c in chunks for _, note in c.errata))


def retracted(chunk: Chunk) -> bool:
    """The whole chunk is wrong (a section erratum): it answers nothing."""
    return any(q == WHOLE for q, _ in chunk.errata)


def wrong_spans(chunk: Chunk) -> list[tuple[int, int, str]]:
    """(start, end, note) of each erratum in the chunk: its start plus the offset in its text,
    the scale evidence units are measured on (service/section_units.py)."""
    out: list[tuple[int, int, str]] = []
    for quote, note in chunk.errata:
        if quote == WHOLE:  # its text, which may run longer than its span of the file
            end = chunk.start + max(len(chunk.text), chunk.end - chunk.start)
            return [(chunk.start, end, note)]
        out += [(chunk.start + m.start(), chunk.start + m.end(), note)
                for m in quote_pattern(quote).finditer(chunk.text)]  # fmt: skip
    return out


def masked(chunk: Chunk) -> Chunk:
    """The chunk with each sentence (or list item) that holds a wrong quote blanked out,
    character for character, so every other sentence keeps its offsets (citations point into
    the file): a quote may be a clause, and the rest of its sentence would read as something
    else. A wrong item's first sentence takes the rest of its item too: alone, the next one
    ("对于多分类任务，通常使用one-hot编码…" after "标签数据是…标签或类别") would read as a point of
    its own, built on the wrong one. So does the next sentence when it points back to the wrong
    one: "它提供了一种简化开发过程的方式" after "LangChain是一个独特的框架，目前没有直接的替代方案"
    has nothing left for 它 to name. A sub-heading whose lines all go, goes too."""
    spans = [(a - chunk.start, b - chunk.start) for a, b, _ in wrong_spans(chunk)]
    if not spans:
        return chunk
    text = chunk.text
    units = split_units(chunk.text)
    out: list[Unit] = []
    item_wrong = gone = False
    for u in units:
        wrong = any(a < u.end and u.start < b for a, b in spans)
        item_wrong = (wrong and u.item) or (item_wrong and u.rest)
        gone = wrong or item_wrong or (gone and not u.item and leans_back(u.text))
        if gone:
            out.append(u)
    # a sub-heading with every line under it gone says nothing ("- 6 权重更新" alone)
    out += [u for u in units if u.label and all(c in out for c in units if c.parent == u.start)]
    for u in out:
        text = text[: u.start] + " " * (u.end - u.start) + text[u.end :]
    for a, b in spans:  # and the quote itself, wherever the splitter cut
        text = text[:a] + " " * (b - a) + text[b:]
    return replace(chunk, text=text)
