"""Two lists of one answer whose intros a PDF conversion ran together (a reviewed fix).

The conversion of one file lifted the sentences that introduce an answer's lists into its
lead paragraph ("…“傻”的行为。这可能是由于以下原因：为了解决这些问题，可以尝试以下方法：通过这些
方法…"), and left the lists below it in another order, run together: the remedies first, then
the causes. Read as it is, the answer gives remedies as if they were causes. Where the lists
start can't be told from the text (one of them goes on numbering the other), so an entry in
corpus/overrides.toml (`lists`) says which item opens each intro's list; this module cuts the
intros out of the lead and puts each before its list. Every piece keeps its offsets in the
file, so citations still point at the words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from core.types import Line
from ingest.overrides import ListSplit
from ingest.structure import Section

log = logging.getLogger(__name__)
_MARKER = re.compile(r"^\s*(?:[-*]\s+|\d+[.、．]\s*)")


def _piece(ln: Line, a: int, b: int) -> Line:
    """Characters a..b of `ln`, as a line of its own with its offsets in the file."""
    return Line(ln.no, ln.start + a, ln.start + b, ln.text[a:b])


def _split(sec: Section, fix: ListSplit) -> list[Line] | None:
    """`sec`'s body with each intro before its list, or None when the text is not as reviewed."""
    body = [ln for ln in sec.body if ln.text.strip()]
    intros = [intro for intro, _ in fix.lists]
    at = next((k for k, ln in enumerate(body) if all(i in ln.text for i in intros)), None)
    if at is None:
        return None
    lead = body[at]
    spans = sorted((lead.text.index(i), lead.text.index(i) + len(i)) for i in intros)
    if any(b > c for (_, b), (c, _) in zip(spans, spans[1:], strict=False)):
        return None  # overlapping intros: not two sentences
    rest = body[at + 1 :]
    firsts = []
    for _, first in fix.lists:
        k = next(
            (k for k, ln in enumerate(rest) if _MARKER.sub("", ln.text).startswith(first)), None
        )
        if k is None:
            return None
        firsts.append(k)
    bounds = sorted(firsts) + [len(rest)]
    block = {k: rest[k : bounds[bounds.index(k) + 1]] for k in firsts}
    out = body[:at]
    if lead.text[: spans[0][0]].strip():
        out.append(_piece(lead, 0, spans[0][0]))
    out += rest[: min(firsts)]  # lines between the lead and the first list, if any
    for (intro, _), k in zip(fix.lists, firsts, strict=True):
        a = lead.text.index(intro)
        # the summary the conversion lifted with the intros stays after the last one, as in
        # a lead that introduces one list: read as the paragraph after that list
        b = len(lead.text) if a == spans[-1][0] else a + len(intro)
        out += [_piece(lead, a, b), *block[k]]
    return out


def split_lists(sections: list[Section], fixes: Sequence[ListSplit]) -> list[Section]:
    """Apply each reviewed `ListSplit` to the question section it names; one whose text no
    longer reads as reviewed is left as it is, with a warning."""
    for fix in fixes:
        sec = next(
            (s for s in sections if s.path and s.path[-1].startswith(fix.question_prefix)), None
        )
        body = _split(sec, fix) if sec is not None else None
        if sec is None or body is None:
            log.warning(
                "lists override %r: not found as reviewed; left as it is", fix.question_prefix
            )
            continue
        sec.body = body
    return sections
