"""Heading detection: cleaned lines -> sections with heading paths.

The five files use a dozen heading styles (markdown `#`, `N.`/`N、`/`N.M`, `N text`, Roman
numerals, `- 一、`, `- Q12 **…**`, bare title lines). The level comes from the numbering, never
from the `#` count, because the PDF conversions put `## 4.3` under `#### 4.1`.
Answer lists that a PDF conversion split off their questions are re-attached afterwards, in
`ingest.orphans`. A document whose first heading says too little ("# LLM") gets its title from
its reviewed overrides (ingest/overrides.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.types import Line
from ingest.clean import FENCE_RE

MD_RE = re.compile(r"^(#{1,6})(\s*)(.*?)\s*#*\s*$")
BULLET_RE = re.compile(r"^[-*•]\s+")
Q_RE = re.compile(r"^Q(\d+)\s+(.+)$")
CN_RE = re.compile(r"^([一二三四五六七八九十]+)、\s*(.+)$")
ROMAN_RE = re.compile(r"^(i{1,3}|iv|vi{0,3}|ix|x)\.\s+(.+)$")
NUM_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)(?:[.、．]\s*|\s+)(.+)$")
SENTENCE_END = '。！？!?；;）)】」"”.…'
QUESTION_END = ("?", "？")


@dataclass
class Heading:
    title: str  # shown in heading paths: markup and single-level numbers stripped
    level: int
    is_question: bool
    number: tuple[int, ...] | None = None
    style: str = "plain"  # md | plain | bullet | bare


@dataclass
class Section:
    path: tuple[str, ...]
    level: int
    heading: Line | None
    body: list[Line] = field(default_factory=list)
    is_question: bool = False
    has_children: bool = False
    absorbed: bool = False  # an empty heading whose topic is answered by an orphan-list chunk

    @property
    def body_text(self) -> str:
        return "\n".join(ln.text for ln in self.body if ln.text.strip())


def _title_line(lines: list[Line]) -> int | None:
    """Index of the file's title line: its first kept line, unless that is already a question
    or a numbered heading (a file that starts straight with its first Q&A has no title line)."""
    i = next((k for k, ln in enumerate(lines) if ln.text.strip() and not ln.dropped), None)
    if i is None:
        return None
    text = lines[i].text.strip()
    if len(text) > 60 or text.endswith(("。", "！", "!")):
        return None  # prose, not a title
    h = classify(text)
    return None if h is not None and (h.number or h.is_question) else i


def file_title(doc_id: str, lines: list[Line], override: str | None = None) -> str:
    if override:
        return override
    i = _title_line(lines)
    return (
        _strip_markup(lines[i].text.strip().lstrip("#"))
        if i is not None
        else doc_id.rsplit(".", 1)[0]
    )


def _strip_markup(text: str) -> str:
    text = text.replace("💡", "").strip()
    if text.startswith("**") and text.endswith("**") and len(text) > 4:
        text = text[2:-2]
    return text.replace("**", "").strip()


def _title_ok(title: str, emphasised: bool) -> bool:
    """Question/section titles are short and are not sentences or `名称：说明` answer items."""
    if not title or len(title) > (80 if emphasised else 60):
        return False
    if "。" in title or title[-1] in "，,：:；;、":
        return False
    return emphasised or not re.search(r"[：:]", title)


def classify(text: str, md_questions: bool = False) -> Heading | None:
    """Heading from one line's own shape; bare lines need context (see `detect_headings`)."""
    indent = len(text) - len(text.lstrip())
    s = text.strip()
    if not s:
        return None
    style = "plain"
    m = MD_RE.match(s)
    if m and s.startswith("#"):
        rest = m.group(3)
        # `#官方示例代码…`, `#1） Embeding model`, `# 3)入库检索`: code comments outside fences.
        if (not m.group(2) and not re.match(r"\d+、", rest)) or re.match(r"\d+\s*[)）]", rest):
            return None
        s, style = rest, "md"
    elif indent > 2:
        return None
    bm = BULLET_RE.match(s)
    if bm and style != "md":
        s, style = s[bm.end() :], "bullet"
    s = s.replace("💡", "").strip()
    emphasised = "💡" in text or (s.startswith("**") and s.endswith("**"))
    for regex, kind in ((Q_RE, "q"), (CN_RE, "cn"), (ROMAN_RE, "roman"), (NUM_RE, "num")):
        nm = regex.match(s)
        if not nm:
            continue
        title = _strip_markup(nm.group(2))
        if kind == "num":
            number = tuple(int(p) for p in nm.group(1).split("."))
            level = 1 + len(number)
        else:
            number, level = None, {"q": 2, "cn": 2, "roman": 3}[kind]
        if style != "md" and not _title_ok(title, emphasised or kind == "q"):
            return None
        is_q = title.endswith(QUESTION_END) or emphasised or kind == "q"
        # A plain `N. xxx` line is a list item unless it reads like a title.
        if style != "md" and kind == "num" and not is_q and len(title) > 40:
            return None
        shown = title
        if number and len(number) > 1:
            shown = f"{nm.group(1)} {title}"
        elif kind == "cn":
            shown = f"{nm.group(1)}、{title}"
        return Heading(shown, level, is_q, number, style)
    title = _strip_markup(s)
    if style == "md":
        if title.startswith("●"):
            return Heading(title.lstrip("● ").strip(), 3, False, None, style)
        return Heading(title, 1, title.endswith(QUESTION_END), None, style)
    if style == "bullet" and _title_ok(title, False) and title.endswith(QUESTION_END):
        return Heading(title, 2, True, None, style)
    return None


def _tip_title(text: str) -> str | None:
    """A bullet whose body is the 💡 paragraph under it: the notes' way of putting a question
    ("- Peft 和 全量微调区别？"), with or without its question mark ("- 高效微调技术最佳实践"). Read as
    a list item, it left three sub-topics inside the section before them."""
    bm = BULLET_RE.match(text)
    if bm is None:
        return None
    title = _strip_markup(text[bm.end() :])
    return title if _title_ok(title, False) else None


def _bare_candidate(text: str) -> str | None:
    s = text.strip()
    if text[:1].isspace() or not s or s.startswith(("|", "-", "*", ">", "`", "$", "!", "[", "#")):
        return None
    title = _strip_markup(s)
    if re.fullmatch(r"[\d\s.]+", title) or "。" in title or re.search(r"[：:]", title):
        return None
    if title.endswith(QUESTION_END):
        return title if len(title) <= 60 else None
    if len(title) > 30 or re.search(r"[，,；;、]", title):
        return None
    return title


def detect_headings(lines: list[Line]) -> dict[int, Heading]:
    """Map line index -> heading, for kept lines outside code fences."""
    kept = [i for i, ln in enumerate(lines) if not ln.dropped]
    in_fence: set[int] = set()
    fence = False
    for i in kept:
        if FENCE_RE.match(lines[i].text):
            fence = not fence
            in_fence.add(i)
        elif fence:
            in_fence.add(i)
    candidates = [i for i in kept if i not in in_fence]
    first: dict[int, Heading] = {}
    for i in candidates:
        h = classify(lines[i].text)
        if h is not None:
            first[i] = h
    md_q = sum(1 for h in first.values() if h.style == "md" and (h.number or h.is_question)) >= 3
    nonblank = [i for i in candidates if lines[i].text.strip()]
    out: dict[int, Heading] = {}
    for pos, i in enumerate(nonblank):
        if i in first:
            out[i] = first[i]
            continue
        nxt = lines[nonblank[pos + 1]].text.strip() if pos + 1 < len(nonblank) else ""
        if nxt.startswith("💡") and (tip := _tip_title(lines[i].text)):
            out[i] = Heading(tip, 2, False, None, "bullet")
            continue
        title = _bare_candidate(lines[i].text)
        if title is None or pos == 0:
            continue
        prev_i = nonblank[pos - 1]
        gap_before = prev_i < i - 1 or pos == 1  # blank or dropped lines in between
        prev_ends = lines[prev_i].text.rstrip().endswith(tuple(SENTENCE_END)) or prev_i in out
        prev_ends = prev_ends or pos == 1 or any(lines[j].dropped for j in range(prev_i + 1, i))
        next_ok = not nxt or (pos + 1 < len(nonblank) and nonblank[pos + 1] in first)
        next_ok = next_ok or len(nxt) >= len(title)
        if title.endswith(QUESTION_END) or (gap_before and prev_ends and next_ok):
            out[i] = Heading(title, 2 if md_q else 1, title.endswith(QUESTION_END), None, "bare")
    _fix_levels(lines, out, md_q)
    return out


def _fix_levels(lines: list[Line], heads: dict[int, Heading], md_q: bool) -> None:
    """Nest numbering that restarts at 1 right under a numbered heading with no body of its own."""
    order = sorted(heads)
    last_md_level: int | None = None
    nest: list[int] | None = None  # [original level, last number seen]
    for k, i in enumerate(order):
        h = heads[i]
        prev = heads[order[k - 1]] if k else None
        body_between = k and any(
            lines[j].text.strip() and not lines[j].dropped for j in range(order[k - 1] + 1, i)
        )
        single = h.number is not None and len(h.number) == 1
        if h.style == "md":
            last_md_level = h.level
        elif md_q and h.number and last_md_level is not None and h.level <= last_md_level:
            h.level = last_md_level + 1
            continue
        if nest and single and h.level == nest[0] and h.number and h.number[0] == nest[1] + 1:
            nest[1] += 1
            h.level += 1
        elif (
            single
            and h.number == (1,)
            and prev is not None
            and prev.number is not None
            and len(prev.number) == 1
            and prev.number[0] > 1
            and prev.level == h.level
            and not body_between
        ):
            nest = [h.level, 1]
            h.level += 1
        else:
            nest = None


def build_sections(doc_id: str, lines: list[Line], title: str | None = None) -> list[Section]:
    """Split kept lines into sections; the first non-empty line is the file title (its line is
    still taken out when `title`, a reviewed override, replaces it)."""
    title = file_title(doc_id, lines, title)
    heads = detect_headings(lines)
    title_idx = _title_line(lines)
    if title_idx is not None:
        heads.pop(title_idx, None)
    sections = [Section(path=(title,), level=0, heading=None)]
    stack: list[tuple[int, str]] = []
    for i, ln in enumerate(lines):
        if i == title_idx or ln.dropped:
            continue
        h = heads.get(i)
        if h is None:
            sections[-1].body.append(ln)
            continue
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        stack.append((h.level, h.title))
        path = (title, *(t for _, t in stack))
        sections.append(Section(path=path, level=h.level, heading=ln, is_question=h.is_question))
    for a, b in zip(sections, sections[1:], strict=False):
        a.has_children = b.level > a.level and a.heading is not None
    return sections
