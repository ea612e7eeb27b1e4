"""Structure-aware chunking: one chunk per Q&A pair when it fits, even sentence-safe pieces when not.

Decisions worth knowing:
- Tiny sections are NOT merged with their siblings. Each question is its own retrieval target and
  the heading path is indexed with the text, so a one-line answer still carries its question;
  merging would put two questions behind one heading path and blur citations.
- A heading with no body becomes a `hollow` chunk (empty text) unless it is a parent of deeper
  headings, whose titles then live on in their children's paths.
- Topics listed only in a table of contents or checklist (and nowhere else in the file) become
  hollow chunks under (file title, "目录", topic), so "the notes raise it but don't answer it" is
  visible to the service.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass

from core.tables import is_rule
from core.types import Chunk, Document, Line
from core.units import is_item
from ingest.clean import FENCE_RE, clean_lines, split_lines
from ingest.lists import split_lists
from ingest.orphans import reattach_orphan_answers
from ingest.overrides import DocumentFixes
from ingest.structure import Section, build_sections

SENTENCE_ENDS = "。！？!?"
CLOSERS = "”\"’'）)】」"
MIN_PREAMBLE_CHARS = 40  # a cover page ("深度+广度 2024 新版") is not content
TOC_REASONS = ("checklist", "toc")
TOPIC_PREFIX_RE = re.compile(
    r"^\s*(?:#+\s*)?(?:[-*+]\s*)?(?:\[[ xX]?\]\s*)?(?:\[\[#[^|]*\|)?(?:\*\*)?"
    r"(?:\d+(?:\.\d+)*[.、]?\s*)?"
)
TOPIC_SUFFIX_RE = re.compile(r"(\]\])?\s*(\.{3,}.*|\t.*)?$")


@dataclass(frozen=True)
class _Seg:
    text: str
    start: int
    end: int
    newline_before: bool


def _sentences(text: str) -> list[str]:
    """Cut after 。！？!? (plus closing quotes) and after ". "; never inside a sentence."""
    out: list[str] = []
    cur = 0
    i = 0
    while i < len(text):
        ch = text[i]
        cut = None
        if ch in SENTENCE_ENDS:
            j = i + 1
            while j < len(text) and (text[j] in SENTENCE_ENDS or text[j] in CLOSERS):
                j += 1
            while j < len(text) and text[j] == " ":
                j += 1
            cut = j
        elif ch == "." and text[i + 1 : i + 2] == " " and i and not text[i - 1].isdigit():
            # "4. 字词级别" is list numbering, not the end of a sentence.
            cut = i + 2
        if cut is not None:
            out.append(text[cur:cut])
            cur = i = cut
        else:
            i += 1
    if cur < len(text):
        out.append(text[cur:])
    return [s for s in out if s.strip()]


def _display(ln: Line) -> str:
    return ln.text.replace("💡 ", "").replace("💡", "").rstrip()


def _segments(doc_text: str, body: list[Line], chunk_size: int) -> list[_Seg]:
    segs: list[_Seg] = []
    in_fence = False
    for ln in body:
        text = _display(ln)
        if not text.strip():
            continue
        verbatim = doc_text[ln.start : ln.end] == text
        atomic = in_fence or text.lstrip().startswith("|") or FENCE_RE.match(text)
        if FENCE_RE.match(text):
            in_fence = not in_fence
        pieces = [text] if atomic else _sentences(text)
        pos = 0
        for k, piece in enumerate(pieces):
            # Last resort: one sentence longer than a chunk is cut into even slices.
            n = max(1, math.ceil(len(piece) / chunk_size))
            step = math.ceil(len(piece) / n)
            for s in range(0, len(piece), step):
                part = piece[s : s + step]
                start = ln.start + pos + s if verbatim else ln.start
                end = start + len(part) if verbatim else ln.end
                segs.append(_Seg(part, start, end, newline_before=(k == 0 and s == 0)))
            pos += len(piece)
    return segs


def _join(segs: list[_Seg]) -> str:
    return "".join(("\n" if s.newline_before and i else "") + s.text for i, s in enumerate(segs))


def _pack(segs: list[_Seg], chunk_size: int, overlap: int) -> list[tuple[int, int]]:
    """Pick [a, b) segment ranges of even length, each ending on a sentence boundary."""
    starts = []
    pos = 0
    for i, s in enumerate(segs):
        pos += 1 if (s.newline_before and i) else 0
        starts.append(pos)
        pos += len(s.text)
    ends = [st + len(s.text) for st, s in zip(starts, segs, strict=True)]

    def length(a: int, b: int) -> int:
        return ends[b - 1] - starts[a]

    pieces: list[tuple[int, int]] = []
    a, n = 0, len(segs)
    while True:
        remaining = length(a, n)
        if remaining <= chunk_size:
            pieces.append((a, n))
            return pieces
        k = math.ceil((remaining - overlap) / max(1, chunk_size - overlap))
        target = (remaining + (k - 1) * overlap) / k
        fitting = [b for b in range(a + 1, n + 1) if length(a, b) <= chunk_size] or [a + 1]
        b = min(fitting, key=lambda x: abs(length(a, x) - target))
        pieces.append((a, b))
        if b == n:
            return pieces
        back = [x for x in range(a + 1, b) if length(x, b) <= 1.5 * overlap]
        a = min(back, key=lambda x: abs(length(x, b) - overlap)) if back and overlap else b


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _lead(segs: list[_Seg], a: int) -> tuple[str, ...]:
    """The list items above a piece that starts at segs[a], inside a nested list, outermost
    first: a piece cut after "- 2 微调(SFT…)" and "- 输入" opens on "- 输出: 标签…" and would not
    say which step's output it is. Nested as core/units.py reads it (a child past the marker)."""
    if not segs[a].newline_before:  # it opens mid-line, on a sentence of its own line
        return ()
    lines: list[str] = []  # the section's lines before the piece, outside code
    fenced = False
    for s in segs[:a]:
        if FENCE_RE.match(s.text):
            fenced = not fenced
        elif not fenced and (s.newline_before or not lines):
            lines.append(s.text)
        elif not fenced:
            lines[-1] += s.text
    want = _indent(segs[a].text)
    out: list[str] = []
    table: list[str] = []
    if segs[a].text.lstrip().startswith("|"):  # inside a table: the items above start above it
        table, lines = _table_header(lines)
    for line in reversed(lines):
        if want < 2 or line.lstrip().startswith("#"):
            break
        indent = _indent(line)
        if indent + 2 <= want:
            if not is_item(line):
                break  # a paragraph less indented than the piece: the list ended above it
            out.append(line.rstrip())
            want = indent
    return (*reversed(out), *table)


def _table_header(lines: list[str]) -> tuple[list[str], list[str]]:
    """The header and rule rows of the table the lines end inside, when it has them (a piece
    that opens on a body row, "| **训练效果** | …", would otherwise read it as the header, and
    say CBOW's cell under the name of a cell of the row above), and the lines above the table."""
    k = len(lines)
    while k and lines[k - 1].lstrip().startswith("|"):
        k -= 1
    rows = lines[k:]
    header = [rows[0].rstrip(), rows[1].rstrip()] if len(rows) >= 2 and is_rule(rows[1]) else []
    return header, lines[:k]


def make_chunk_id(
    doc_id: str, path: tuple[str, ...], text: str, chunk_size: int, overlap: int
) -> str:
    payload = json.dumps([doc_id, list(path), text, chunk_size, overlap], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _topic(text: str) -> str:
    t = re.sub(r"</?b>", "", text)
    t = TOPIC_SUFFIX_RE.sub("", TOPIC_PREFIX_RE.sub("", t, count=1))
    return t.replace("**", "").strip()


def _covered(topic: str, headings: list[str], kept_text: str) -> bool:
    t = _norm(re.sub(r"^\d+(\.\d+)*\s*", "", topic))
    if len(t) < 2 or t in kept_text:
        return True
    tb = {t[i : i + 2] for i in range(len(t) - 1)}
    for h in headings:
        if (len(h) >= 3 and h in t) or t in h:
            return True
        hb = {h[i : i + 2] for i in range(len(h) - 1)}
        if tb and hb and 2 * len(tb & hb) / (len(tb) + len(hb)) >= 0.6:
            return True
    return False


def _is_section_topic(line: Line, topic: str) -> bool:
    return "**" in line.text or topic.endswith(("面", "篇"))


def _toc_topic_groups(lines: list[Line], sections: list[Section]) -> list[list[tuple[Line, str]]]:
    """Runs of TOC/checklist entries whose topic appears in no heading and no kept text.

    A section entry ("… 推理面") counts as covered when any entry listed under it is covered:
    section names are worded differently in the contents and in the body.
    """
    kept_text = _norm("\n".join(ln.text for ln in lines if not ln.dropped))
    headings = [_norm(s.path[-1]) for s in sections if s.heading is not None]
    entries = [
        (ln, t)
        for ln in lines
        if ln.dropped in TOC_REASONS and (t := _topic(ln.text)) and t not in ("目录", "答案")
    ]
    covered = [_covered(t, headings, kept_text) for _, t in entries]
    for k, (ln, t) in enumerate(entries):
        if covered[k] or not _is_section_topic(ln, t):
            continue
        j = k + 1
        while (
            j < len(entries)
            and not _is_section_topic(*entries[j])
            and entries[j][0].no - entries[j - 1][0].no <= 3
        ):
            if covered[j]:
                covered[k] = True
                break
            j += 1
    groups: list[list[tuple[Line, str]]] = []
    seen: set[str] = set()
    last_no = -10
    for (ln, topic), is_covered in zip(entries, covered, strict=True):
        if is_covered or _norm(topic) in seen:
            last_no = -10
            continue
        seen.add(_norm(topic))
        starts_group = "**" in ln.text or topic.endswith("面") or ln.no - last_no > 3
        if starts_group or not groups:
            groups.append([])
        groups[-1].append((ln, topic))
        last_no = ln.no
    return groups


def chunk_document(
    doc: Document, chunk_size: int, chunk_overlap: int, fixes: DocumentFixes | None = None
) -> list[Chunk]:
    """`fixes`: the document's reviewed overrides (ingest/overrides.py), matched by its hash."""
    lines = clean_lines(split_lines(doc.text))
    title, maps = (fixes.title, fixes.answer_maps) if fixes else (None, None)
    sections = reattach_orphan_answers(build_sections(doc.doc_id, lines, title), maps)
    sections = split_lists(sections, fixes.lists if fixes else ())
    drafts: list[tuple[tuple[str, ...], str, int, int, bool, tuple[str, ...]]] = []
    for sec in sections:
        if sec.absorbed:
            continue
        body = [ln for ln in sec.body if ln.text.strip()]
        if sec.heading is None:
            # A cover page ("深度+广度 2024 新版") is not content; a file without headings is.
            if sum(len(ln.text.strip()) for ln in body) < MIN_PREAMBLE_CHARS and len(sections) > 1:
                continue
        elif not body:
            if not sec.has_children:
                drafts.append((sec.path, "", sec.heading.start, sec.heading.end, True, ()))
            continue
        segs = _segments(doc.text, body, chunk_size)
        for a, b in _pack(segs, chunk_size, chunk_overlap):
            piece = segs[a:b]
            text = _join(piece).strip("\n")
            start = min(s.start for s in piece)
            end = max(s.end for s in piece)
            drafts.append((sec.path, text, start, end, False, _lead(segs, a)))
    title = sections[0].path[0]
    for group in _toc_topic_groups(lines, sections):
        head, rest = group[0], group[1:]
        text = "\n".join(t for _, t in rest)
        drafts.append(((title, "目录", head[1]), text, head[0].start, group[-1][0].end, True, ()))
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for path, text, start, end, hollow, lead in drafts:
        cid = make_chunk_id(doc.doc_id, path, text, chunk_size, chunk_overlap)
        k = 1
        while cid in seen:  # same path and text twice in one file: keep ids unique, still stable
            cid = make_chunk_id(doc.doc_id, path, f"{text}#{k}", chunk_size, chunk_overlap)
            k += 1
        seen.add(cid)
        chunks.append(Chunk(cid, doc.doc_id, path, text, start, end, hollow=hollow, lead=lead))
    return chunks
