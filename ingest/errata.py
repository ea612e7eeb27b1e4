"""Reviewed errors of the notes, pinned to the chunks that hold them.

The notes are copied from many places and some statements are wrong ("Bert由一个Transformer
解码器组成" in an item about LLaMA, a section that explains PEFT as "Performance Estimation…").
Users memorise answers, so such a statement must not reach them as what the notes say. The
reviewer writes it down as data (`errata` in corpus/overrides.toml, ingest/overrides.py); this
step finds each quote in the document's chunks and records it on them (`Chunk.errata`), where
the service masks it out of the evidence and says the reviewer's note instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from core.errata import WHOLE, quote_pattern
from core.errors import CorpusError
from core.types import Chunk
from ingest.overrides import Erratum


def mark_errata(chunks: Sequence[Chunk], errata: Sequence[Erratum], where: str) -> list[Chunk]:
    """`chunks` of one document with each erratum recorded on the chunks that hold its quote
    (and, for a section erratum, on every chunk of that section). A quote found in no chunk is
    an error: the entry was reviewed on text that this document doesn't have."""
    marks: dict[int, list[tuple[str, str]]] = {}
    for e in errata:
        if e.heading:
            found = [
                i for i, c in enumerate(chunks)
                if any(h.startswith(e.heading) for h in c.heading_path)
            ]  # fmt: skip
        else:
            pattern = quote_pattern(e.quote)
            found = [i for i, c in enumerate(chunks) if pattern.search(c.text)]
        if not found:
            what = f"heading {e.heading[:30]!r}" if e.heading else f"quote {e.quote[:30]!r}"
            raise CorpusError(f"{where}: erratum {what} is in none of its chunks")
        if e.section:
            paths = {chunks[i].heading_path for i in found}
            found = [i for i, c in enumerate(chunks) if c.heading_path in paths]
        for i in found:
            mark = (WHOLE if e.section else e.quote, e.note)
            if mark not in marks.setdefault(i, []):
                marks[i].append(mark)
    return [replace(c, errata=tuple(marks[i])) if i in marks else c for i, c in enumerate(chunks)]
