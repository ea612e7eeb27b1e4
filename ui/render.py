"""Pure helpers for the chat page: markdown-safe escaping, citation highlighting, formatting.

Nothing here touches Streamlit. Every string the model or the notes produced goes through
`escape_md` before it reaches `st.markdown`: each ASCII punctuation character is backslash-
escaped, so `<script>` shows as text, `[x](url)` is no link and `**` is no bold. The only markup
in the output is the markup added here (highlights, citation markers, hard line breaks).
(Streamlit's GFM still turns a bare http(s) or www. URL into a link, with rel=noopener: a
link, never HTML or script.)
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from core.text import sentence_spans

Span = tuple[int, int]

_PUNCT = frozenset(string.punctuation)
CITE_RE = re.compile(r"\[(\d{1,3})\]")
_WORD_CHAR_RE = re.compile(r"\w", re.UNICODE)
HIGHLIGHT = "orange-background"
CITE_STYLE = "blue-background"
# The editor's note on an error of the notes (corpus/overrides.toml `errata`) is the
# reviewers' correction, not a quote: a badge of its own so it doesn't read as the notes.
NOTE_RE = re.compile(r"^(编者注|Editor's note)[：:]\s*")
NOTE_STYLE = "violet-background"


def _escape_inline(text: str) -> str:
    return "".join("\\" + ch if ch in _PUNCT else ch for ch in text)


def escape_md(text: str) -> str:
    """`text` as literal markdown: punctuation escaped, line breaks kept, no indented code."""
    return highlight_markdown(text, [])


def editor_note(note: str) -> str:
    """An editor's note on an error of the notes, with its badge (as in an answer's last line)."""
    return f":{NOTE_STYLE}[**编者注**] {_escape_inline(note)}"


def answer_markdown(text: str) -> str:
    """An answer as safe markdown, its [n] markers styled as citation badges."""
    lines: list[str] = []
    for line in text.replace("\r", "").split("\n"):
        # a nested point keeps its depth: markdown drops leading spaces, not em spaces
        depth = (len(line) - len(line.lstrip(" "))) // 2
        line = line.strip()
        parts: list[str] = ["\u2003" * depth] if depth else []
        pos = 0
        if note := NOTE_RE.match(line):
            parts.append(f":{NOTE_STYLE}[**{note.group(1)}**] ")
            pos = note.end()
        for m in CITE_RE.finditer(line):
            parts.append(_escape_inline(line[pos : m.start()]))
            parts.append(f":{CITE_STYLE}[\\[{m.group(1)}\\]]")
            pos = m.end()
        parts.append(_escape_inline(line[pos:]))
        lines.append("".join(parts))
    return "  \n".join(lines)


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text.lower() if _WORD_CHAR_RE.match(c)]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def claims_for(answer: str, n: int) -> list[str]:
    """The sentences of `answer` that cite [n], with their markers removed."""
    marker = f"[{n}]"
    return [
        CITE_RE.sub("", answer[s:e]) for s, e in sentence_spans(answer) if marker in answer[s:e]
    ]


def highlight_spans(
    passage: str, claims: Iterable[str], *, strong: float = 0.5, weak: float = 0.25
) -> list[Span]:
    """The passage sentences that the claims draw on, by shared character bigrams.

    A sentence is highlighted when the bigrams it shares with the claims are at least `strong`
    of the smaller of the two sets (so a short search query can light up a long sentence);
    when none reaches that, the single best sentence is, if it reaches `weak`.
    """
    wanted: set[str] = set()
    for claim in claims:
        wanted |= _bigrams(claim)
    if not wanted:
        return []
    scored: list[tuple[float, Span]] = []
    for s, e in sentence_spans(passage):
        grams = _bigrams(passage[s:e])
        if len(grams) >= 2:
            scored.append((len(grams & wanted) / min(len(grams), len(wanted)), (s, e)))
    strong_spans = [span for score, span in scored if score >= strong]
    if strong_spans:
        return strong_spans
    best = max(scored, default=None)
    return [best[1]] if best is not None and best[0] >= weak else []


def highlight_markdown(text: str, spans: Sequence[Span]) -> str:
    """`text` as safe markdown with `spans` highlighted. Works line by line (a highlight is
    inline markup); lines are stripped, so no indentation turns into a code block."""
    out: list[str] = []
    pos = 0
    for line in text.split("\n"):
        ls, le = pos, pos + len(line)
        pos = le + 1
        while ls < le and text[ls].isspace():
            ls += 1
        while le > ls and text[le - 1].isspace():
            le -= 1
        cuts = sorted({ls, le, *(min(max(b, ls), le) for sp in spans for b in sp)})
        pieces: list[str] = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece = text[a:b]
            lit = any(s <= a and b <= e for s, e in spans) and piece.strip()
            pieces.append(
                f":{HIGHLIGHT}[{_escape_inline(piece)}]" if lit else _escape_inline(piece)
            )
        out.append("".join(pieces))
    return "  \n".join(out)


def snippet(text: str, spans: Sequence[Span], width: int = 160) -> tuple[str, list[Span]]:
    """A window of about `width` characters around the first highlight, with the spans shifted
    into it; "…" marks a cut on either side."""
    if len(text) <= width:
        return text, list(spans)
    first = min(spans, default=(0, 0))
    start = max(0, min(first[0] - width // 4, len(text) - width))
    end = min(len(text), start + width)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    prefix = "…" if start > 0 else ""
    body = text[start:end]
    suffix = "…" if end < len(text) else ""
    shift = start - len(prefix)
    moved = [
        (max(s, start) - shift, min(e, end) - shift) for s, e in spans if e > start and s < end
    ]
    return prefix + body + suffix, moved


def heading_label(heading_path: Sequence[str]) -> str:
    return " › ".join(h.strip() for h in heading_path if h.strip()) or "(no heading)"


def format_ms(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def history_turns(
    messages: Sequence[Mapping[str, Any]], max_turns: int, max_chars: int
) -> list[dict[str, str]]:
    """The API's `history`: the last question/answer pairs, oldest first, at most `max_turns`
    turns. A question whose reply was an error or a sources-only search is left out; long turns
    are cut to `max_chars`."""
    pairs: list[tuple[str, str]] = []
    for prev, msg in zip(messages, messages[1:], strict=False):
        if prev.get("role") != "user" or msg.get("role") != "assistant":
            continue
        if msg.get("kind") != "answer" or not msg.get("content"):
            continue
        pairs.append((str(prev.get("content", "")), str(msg.get("content", ""))))
    keep = pairs[len(pairs) - max_turns // 2 :] if max_turns >= 2 else []
    turns: list[dict[str, str]] = []
    for question, answer in keep:
        turns.append({"role": "user", "content": question[:max_chars]})
        turns.append({"role": "assistant", "content": answer[:max_chars]})
    return turns


_LEVEL = {"high": "高", "medium": "中", "low": "低"}


def support_line(support: Mapping[str, Any] | None, removed: int = 0) -> str:
    """How sure the answer is, in one caption: the level, then its three parts."""
    if not support:
        return ""
    level = str(support.get("level", ""))
    line = (
        f"可信度 {_LEVEL.get(level, level)} ({level}) · "
        f"verified sentences {float(support.get('verified', 0)):.0%} · "
        f"key terms in the notes {float(support.get('key_terms', 0)):.0%} · "
        f"retrieval {float(support.get('retrieval', 0)):.2f}"
    )
    if removed:
        line += f" · {removed} unsupported sentence(s) removed"
    return line
