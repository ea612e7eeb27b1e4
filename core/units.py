"""`split_units`: a passage's sentences and list items with their offsets, the unit of evidence.

The notes' own structure is kept: a list item is one unit up to its first sentence end (its
later sentences are `rest`), nesting is recorded (`parent`), a list item that only names what
the lines under it say is a `label`, a table's body row is one point (core/tables.py), and
code gives no units (core/code_lines.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from core import tables
from core.code_lines import FENCE, code_lines
from core.text import BOLD, TERMINAL, has_cjk

# Sentence ends; list items also start a unit. A colon ends a lead-in ("原因如下：").
# ". " ends a sentence before a capital or a Chinese character, and after a Chinese character
# before anything ("…出现幻觉. tokenization是…"): an English "e.g. x" or "vs. y" runs on.
_SENT_END = re.compile(
    r"(?<=[。！？；!?])|(?<=[.!?;])\s+(?=[A-Z\u4e00-\u9fff])|(?<=[\u4e00-\u9fff][.!?;])\s+(?=\S)"
)
_ITEM = re.compile(r"^\s*(?:(?:[-+•●○■◆]|\*(?!\*))\s*)?(?:\d{1,2}[.)、）]|[(（]\d{1,2}[)）])?\s*")
# A paragraph opening on a bold title ("**模型参数占用显存：**大语言模型…") is a point, like an item.
_BOLD_TITLE = re.compile(r"^\s*\*\*[^*\n]{1,40}?(?:[：:]\*\*|\*\*\s*[：:])")


# A clause that announces the list below it ("…需要考虑以下几个因素：", "…的好处包括："), with
# more text after its colon on the same line. In a paragraph right above a list that text is
# the paragraph after the list, which a conversion lifted up: "…以下步骤：通过以上步骤，您可以…"
# (45 paragraphs of one note). Its units follow the list, as the notes meant them to be read.
_ANNOUNCES = re.compile(r"(?:以下|如下|下面|包括)[^。！？；：:\n]{0,20}[：:](?=\s*\S)")


@dataclass(frozen=True)
class Unit:
    """A sentence or list item; `start`/`end` index the text it was split from."""

    text: str  # cleaned: list marker and emphasis removed, whitespace trimmed
    start: int
    end: int
    item: bool  # starts a list item ("- 1) **数据偏差：**…")
    rest: bool = False  # a later sentence on that item's own line: it goes on with the item
    # The nested list item this line sits under (its first unit's `start`), or -1: the notes
    # nest points under points ("- 1 预训练语言模型" over "- 首先, 使用大量的文本数据…").
    parent: int = -1
    # An item that only names what the lines under it say ("- LoRA的基本原理与核心思想"): a
    # sub-heading written as a list item, no statement of its own.
    label: bool = False
    # The list items above the passage it sits under, outermost first (`split_units`' `lead`):
    # "- 2 微调(SFT…)" for "- 过程" in a passage cut after that item's first lines.
    context: tuple[str, ...] = ()
    # Read after the list below it (`_ANNOUNCES`): a paragraph that a conversion lifted above
    # its list. Units of a passage cut inside the list follow the passage's last item.
    coda: bool = False


# A sentence that opens on a word pointing back ("它的核心思想…", "这样可以…", "此外, 还有…",
# "为了解决这个问题，…", "例如, 目标词为…")
# reads right only after the sentence it points to.
_LEANS_BACK = re.compile(
    r"^\s*(?:它|他们|这|那些|此外|上述|其|因此|所以|例如|比如|为了?解决(?:这|此|上述)"
    # the notes' English passages: "These values can be…", "In the above example, …"
    r"|(?:These|Those|They|It|Such|Therefore|Thus|However|Also|For example|In the above)\b)"
)


def leans_back(sentence: str) -> bool:
    return bool(_LEANS_BACK.match(sentence))


# ... or speaks, in its first clause or two, of what the sentence before it named ("一般来说，
# 微调这些大型语言模型需要至少16GB以上的显存" after "对于大型语言模型，如GPT-2、GPT-3等，…");
# "这些语料" deep in a sentence is its own.
_NAMES_BACK = re.compile(r"^(?:[^，,。]{0,6}[，,])?[^，,。]{0,6}(?:这些|这类|这几|上述|以上)")


def names_back(sentence: str) -> bool:
    return bool(_NAMES_BACK.match(sentence))


# A paragraph that opens on a short title and a colon ("数据增强生成：LangChain 使链能够…"), in a
# run of three or more such paragraphs with different titles: a list written without markers.
_TITLED = re.compile(
    r"^([^\s：:。，,；;][^：:。，,；;]{1,15}(?:\([^()]{0,30}\)|（[^（）]{0,30}）)?)\s*[：:]\s*\S"
)
MIN_TITLED_RUN = 3
# A line in Chinese longer than this says something: no program's caption ("示例代码")
MAX_CAPTION = 20


def _titled_runs(lines: list[str]) -> set[int]:
    """The lines that are points of a list without markers (`_TITLED`): unindented paragraphs,
    three or more in a row (blank lines between them), each under a title of its own ("介绍：",
    "代表模型：" over and over say what the line above them is; they stay plain lines)."""
    out: set[int] = set()
    run: dict[int, str] = {}  # line number: its title
    for k, line in enumerate([*lines, "#"]):
        if not line.strip():
            continue
        m = None if line[:1].isspace() or is_item(line) else _TITLED.match(line)
        if m:
            run[k] = m.group(1)
            continue
        if len(run) >= MIN_TITLED_RUN and len(set(run.values())) == len(run):
            out.update(run)
        run = {}
    return out


def is_item(line: str) -> bool:
    """`line` opens a list item ("- 过程", "2. 微调…") or a bold-titled point."""
    marker = _ITEM.match(line)
    return bool(marker and marker.group(0).strip()) or bool(_BOLD_TITLE.match(line))


def split_units(text: str, lead: tuple[str, ...] = ()) -> list[Unit]:
    """Split into sentences, keeping list items whole up to their first sentence end.

    Headings (`#` lines) and crumbs (table rules, fragments under 4 characters) are skipped:
    they name a topic but state nothing. A table's body row is one point (core/tables.py).
    `lead`: the list items a passage cut inside a nested list sits under (`Chunk.lead`); they
    give no units, only each unit's `context`.
    """
    if not lead:
        return _split(text)
    prefix = "".join(line + "\n" for line in lead)
    units = _split(prefix + text)
    n = len(prefix)
    by_start = {u.start: u for u in units}
    out = []
    for u in (u for u in units if u.start >= n):
        context, p = [], u.parent
        while p in by_start:  # up the nesting, through the passage's own items to the lead's
            if p < n:
                context.append(by_start[p].text)
            p = by_start[p].parent
        parent = u.parent - n if u.parent >= n else -1
        context.reverse()
        out.append(
            replace(u, start=u.start - n, end=u.end - n, parent=parent, context=tuple(context))
        )
    return out


def _split(text: str) -> list[Unit]:
    units: list[Unit] = []
    pos = 0
    open_items: list[tuple[int, int]] = []  # (indent, first unit's start) of enclosing items
    lines = text.split("\n")
    code = code_lines(lines)
    titled = _titled_runs(lines)
    header: list[str] = []  # the columns of the table being read, if any
    after: list[Unit] = []  # the lifted paragraph of the list being read (`_ANNOUNCES`)
    last_item: tuple[int, int, Unit] | None = None  # (line, indent, first unit) of the last item
    for k, line in enumerate(lines):
        line_start, pos = pos, pos + len(line) + 1
        if after and line.strip() and k not in code and not _in_list(line, open_items):
            units += after  # the list it followed has ended
            after = []
        if k in code:
            if FENCE.match(line) and k - 1 not in code:
                # the program's caption, a line with no sentence end ("**Input, Reward**"), not
                # a statement in Chinese ("Models: 指各类训练好大语言模型（eg: chatgpt…）")...
                caption = line_start - len(lines[k - 1]) - 1 if k else line_start
                last = units[-1] if units else None
                if (
                    last and last.start >= caption and last.text[-1] not in TERMINAL
                    and not (has_cjk(last.text) and len(last.text) > MAX_CAPTION)
                ):  # fmt: skip
                    units.pop()
                # ... and a line that only introduces it ("Here's an example…:"): nothing left
                if units and units[-1].text[-1] in "：:":
                    units.pop()
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        # nested only past the item's marker, as markdown reads it: " - " under "- " is a sibling
        while open_items and indent < open_items[-1][0] + 2:
            open_items.pop()
        parent = open_items[-1][1] if open_items else -1
        if tables.is_row(line):  # the header names the columns; each body row is a point
            # a header has its rule below it; a passage that opens inside a table has none, and
            # its first row is a body row whose cells name no column
            ruled = k + 1 < len(lines) and tables.is_rule(lines[k + 1])
            if not header and ruled:
                header = tables.cells(line)
            elif not tables.is_rule(line):
                said = tables.statement(tables.cells(line), header)
                end = line_start + len(line.rstrip())
                units.append(
                    Unit(
                        said, line_start + len(line) - len(line.lstrip()), end, True, parent=parent
                    )
                )
            continue
        header = []
        marker = _ITEM.match(line)
        item = is_item(line) or k in titled
        # a plain line right under an item that ends on its title ("- 阿里云Qwen2：", what it is
        # on the next line) goes on with that item, as markdown reads a line with no blank
        # before it (the notes' source broke the line with two trailing spaces, which the
        # cleaner drops); indented, it is a line under the item
        lazy = (
            not item and last_item is not None and last_item[0] == k - 1
            and lines[k - 1].rstrip().endswith(("：", ":")) and indent <= last_item[1]
        )  # fmt: skip
        if lazy and last_item is not None:
            parent = last_item[2].parent
        body_start = marker.end() if marker else 0
        cut, first = body_start, len(units)
        announced = None if item else _announced(line, lines[k + 1 :])
        ends = {m.start() for m in _SENT_END.finditer(line, body_start)}
        for end in sorted(ends | set(announced or ())):
            if end > cut:
                _add(units, line, cut, end, line_start, item and cut == body_start, parent)
                cut = end
        _add(units, line, cut, len(line), line_start, item and cut == body_start, parent)
        if announced:
            lumped, lifted = announced
            units[first:] = [
                u for u in units[first:] if not lumped <= u.start - line_start < lifted
            ]
            at = line_start + lifted
            after = [replace(u, coda=True) for u in units[first:] if u.start >= at]
            units[first:] = [u for u in units[first:] if u.start < at]
        if len(units) > first + 1 and units[first].item:
            units[first + 1 :] = [replace(u, rest=True) for u in units[first + 1 :]]
        if lazy:
            units[first:] = [replace(u, rest=True) for u in units[first:]]
        last_item = (k, indent, units[first]) if item and len(units) > first else None
        if item and len(units) > first:
            open_items.append((indent, units[first].start))
    units += after
    # a one-unit item with no punctuation that has lines under it is a sub-heading; a short
    # item is kept only as one ("- 优点" over its points), or it is a crumb
    parents = {u.parent for u in units}
    return [
        replace(u, label=True)
        if u.item and u.start in parents and not _STATES.search(u.text)
        else u
        for u in units
        if len(u.text) >= MIN_UNIT or (u.item and u.start in parents)
    ]  # fmt: skip


def _announced(line: str, below: list[str]) -> tuple[int, int] | None:
    """Where `line` announces the list below it (`_ANNOUNCES`; the next line with text opens
    one), as (start, end); None when it announces none. After `end`, its last announcing colon,
    is the paragraph a conversion lifted above the list. `start` is `end` when it announces
    once; two announcing clauses run together ("这可能是由于以下原因：为了解决这些问题，可以尝试以下
    方法：…") had their lists merged into the one below, so neither introduces what follows it:
    `start` is where the first one's sentence starts, and the span is left out."""
    nxt = next((b for b in below if b.strip()), "")
    found = list(_ANNOUNCES.finditer(line))
    if not found or not is_item(nxt):
        return None
    end = found[-1].end()
    if len(found) < 2:
        return end, end
    before = line[: found[0].start()]
    return max((before.rfind(c) + 1 for c in TERMINAL), default=0), end


def _in_list(line: str, open_items: list[tuple[int, int]]) -> bool:
    """`line` goes on with the list being read: an item, or a line indented under one."""
    indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
    return is_item(line) or bool(open_items and indent >= open_items[-1][0] + 2)


_STATES = re.compile(r"[。！？；.!?：:，,]")
MIN_UNIT = 4  # characters: "1.", "|---|" and other crumbs are shorter
_NAMES = re.compile(r"(?:\*\*)?[\u4e00-\u9fff]{2,3}(?:\*\*)?[：:]?")


def _add(
    units: list[Unit], line: str, a: int, b: int, offset: int, item: bool, parent: int
) -> None:
    raw = line[a:b]
    stripped = raw.strip()
    # shorter is a crumb, but an item of two Chinese characters may name the points under it
    # ("- 优点", "- 缺点"): kept until the list is read (`split_units`)
    short = len(stripped) < MIN_UNIT and not (item and _NAMES.fullmatch(stripped))
    if short or set(stripped) <= set("|-:=* "):
        return
    lead = len(raw) - len(raw.lstrip())
    text = BOLD.sub("", stripped).strip()
    start = offset + a + lead
    units.append(Unit(text, start, start + len(stripped), item, parent=parent))
