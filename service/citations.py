"""Check the answer's [n] markers against the passages actually given, and spot refusals.

A small model sometimes cites a passage number it never saw ([9] of 5); such a marker points
nowhere, so it is removed from the text as well as from the citation list. The streaming
filter does the same on the fly, so the streamed text equals the final answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import CITATION, NOT_COVERED

_OPEN = "[【［"
_MAX_MARKER = 24  # longest plausible marker; a longer "[" run is just text
_PARTIAL = re.compile(r"[\[【［][\d\s,，、]*$")

SHORT_REFUSAL_CHARS = 40  # a refusal sentence plus a stray marker, not an answer


@dataclass(frozen=True)
class CheckedAnswer:
    text: str
    cited: tuple[int, ...]  # valid passage numbers, in order of first mention
    dropped: tuple[int, ...]  # numbers that pointed at no passage
    refused: bool


def _rewrite(match: re.Match[str], valid: set[int], cited: list[int], dropped: list[int]) -> str:
    nums = [int(x) for x in re.findall(r"\d+", match.group(1))]
    good = [n for n in nums if n in valid]
    dropped.extend(n for n in nums if n not in valid)
    for n in good:
        if n not in cited:
            cited.append(n)
    return "".join(f"[{n}]" for n in good)


def clean_markers(text: str, n_passages: int) -> tuple[str, list[int], list[int]]:
    valid = set(range(1, n_passages + 1))
    cited: list[int] = []
    dropped: list[int] = []
    out = CITATION.sub(lambda m: _rewrite(m, valid, cited, dropped), text)
    return out, cited, dropped


def says_not_covered(text: str, cited: int) -> bool:
    """The model's own "the notes don't cover this". A partial answer that cites passages and
    then notes a gap ("…[1]，但未提及缺点") is still an answer, so citations outweigh the phrase
    unless the whole reply is short."""
    if not NOT_COVERED.search(text):
        return False
    bare = CITATION.sub("", text).strip()
    return cited == 0 or len(bare) <= SHORT_REFUSAL_CHARS


def check_answer(text: str, n_passages: int) -> CheckedAnswer:
    cleaned, cited, dropped = clean_markers(text, n_passages)
    cleaned = cleaned.strip()
    refused = says_not_covered(cleaned, len(cited))
    # A refusal cites nothing: citations would suggest the passages support an answer.
    return CheckedAnswer(cleaned, () if refused else tuple(cited), tuple(dropped), refused)


class StreamingCitationFilter:
    """Hold back a possible marker until it closes, then pass it on cleaned."""

    def __init__(self, n_passages: int) -> None:
        self.n_passages = n_passages
        self._pending = ""

    def feed(self, delta: str) -> str:
        text = self._pending + delta
        self._pending = ""
        cut = max(text.rfind(ch) for ch in _OPEN)
        if cut >= 0 and _PARTIAL.match(text, cut) and len(text) - cut <= _MAX_MARKER:
            text, self._pending = text[:cut], text[cut:]
        return clean_markers(text, self.n_passages)[0]

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return clean_markers(text, self.n_passages)[0]
