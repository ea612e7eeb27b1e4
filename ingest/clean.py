"""Line splitting and noise removal.

The cleaner never deletes lines: it marks them `dropped` with a short reason, so offsets stay
valid and the chunker can still look at dropped table-of-contents lines (to find topics that are
listed but never answered).
"""

from __future__ import annotations

import re
from dataclasses import replace

from core.text import CJK
from core.types import Line

FENCE_RE = re.compile(r"^\s*(```|~~~)")
# Dotted leaders as PDF converters emit them: "标题 .....\t12", also wrapped in <b>.
TOC_DOTS_RE = re.compile(r"(\.{4,}|…{2,}|·{4,})\s*(</b>)?\s*(<b>)?\s*\d+\s*(</b>)?\s*$")
# Some converted TOC rows lost their dots but kept the tab and the page number.
TOC_TAB_PAGE_RE = re.compile(r"\S\s*\t\s*(<b>)?\d{1,3}(</b>)?\s*$")
TOC_MARKER_RE = re.compile(r"^\s*#*\s*(目录|答案|contents)\s*$", re.IGNORECASE)
CHECKLIST_RE = re.compile(r"^\s*[-*+]\s*\[[ xX]?\]")
WIKI_LINK_RE = re.compile(r"^\s*[-*+]\s*\[\[#")
AD_RE = re.compile(r"扫码|扫描.{0,6}二维码|二维码|知识星球|微信|领取|笔记分享|跳槽|升职加薪")
PAYWALL_HEADING_RE = re.compile(r"^\s*#{1,6}\s*\[[^\]]+\]\(https?://[^)]*\)\s*$")
PAYWALL_LINK_RE = re.compile(r"\[点击查看答案\]|查看完整答案|付费阅读")
IMAGE_RE = re.compile(r"^\s*(!\[[^\]]*\]\([^)]*\)\s*)+$")
IMG_TAG_RE = re.compile(r"<img\b", re.IGNORECASE)
URL_ONLY_RE = re.compile(r"^[\s💡\[\]()<>\\.,:;!*]*(https?://\S+?)[\s\[\]()<>\\.,:;!*]*$")
HTML_TAG_RE = re.compile(r"</?(b|i|u|br|p|span|div|strong|em|font|sup|sub)\b[^>]*>", re.IGNORECASE)
HTML_ONLY_RE = re.compile(r"^\s*(<[^>]+>\s*)+$")
# A blog page ends with its comment box and payment widget: everything after a bare "评论" line.
FOOTER_START_RE = re.compile(r"^\s*(评论|发表评论|相关推荐|打赏)\s*$")
CHROME_RE = re.compile(r"红包|余额|扫码支付|实付|抵扣说明|充值|点赞|收藏|关注博主")
MD_ESCAPE_RE = re.compile(r"\\([_*&#\[\]()`~|<>])")
MD_LINK_RE = re.compile(r"\[([^\]]*)\]\((?:<)?https?://[^)]*\)")
BARE_URL_RE = re.compile(r"\(?<?https?://[^\s)>\]]+>?\)?")
QUESTION_MARK_RE = re.compile(r"[?？]")
# A PDF page break that cut a sentence: the page's last line stops mid-word ("…放弃回答的答案赋
# 予中低分"), and after blank lines the next page goes on ("数，不正确的答案…") or repeats the
# word's tail first ("…可能会产生不同的输出。" / "出。温度为 0 将始终…"). Read apart, a point
# loses its second half and a fragment reads as a sentence of its own. A cut line reads as prose
# (a comma in it, this long at least), and the next text line opens with a Chinese character.
PAGE_CUT_MIN_CHARS = 40
REPEATED_TAIL_RE = re.compile(CJK.pattern + "{1,3}。")
WORD_RE = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")


def split_lines(text: str) -> list[Line]:
    """Split on "\\n"; offsets exclude the newline (and a trailing "\\r")."""
    lines: list[Line] = []
    pos = 0
    for no, raw in enumerate(text.split("\n"), start=1):
        body = raw[:-1] if raw.endswith("\r") else raw
        lines.append(Line(no=no, start=pos, end=pos + len(body), text=body))
        pos += len(raw) + 1
    return lines


def _light_clean(text: str) -> str:
    """Cosmetic fixes that keep a line's meaning; offsets keep pointing at the original."""
    text = HTML_TAG_RE.sub("", text)
    text = MD_ESCAPE_RE.sub(r"\1", text)
    text = MD_LINK_RE.sub(r"\1", text)
    text = BARE_URL_RE.sub("", text)
    text = text.replace("\u00a0", " ")
    return text.rstrip()


def _line_reason(text: str) -> str | None:
    """Rules that judge one line on its own."""
    stripped = text.strip()
    if not stripped:
        return None
    if stripped.startswith("|"):
        return None  # markdown table rows stay intact
    if CHECKLIST_RE.match(text):
        return "checklist"
    if WIKI_LINK_RE.match(text) or TOC_MARKER_RE.match(text):
        return "toc"
    if TOC_DOTS_RE.search(stripped) or TOC_TAB_PAGE_RE.search(text):
        return "toc"
    if PAYWALL_HEADING_RE.match(text) or PAYWALL_LINK_RE.search(text):
        return "paywall"
    if AD_RE.search(stripped):
        return "ad"
    if IMAGE_RE.match(text) or IMG_TAG_RE.search(text):
        return "image"
    if URL_ONLY_RE.match(stripped):
        return "url"
    if HTML_ONLY_RE.match(stripped):
        return "html"
    if len(stripped) <= 40 and CHROME_RE.search(stripped):
        return "chrome"
    return None


def _is_question_like(text: str) -> bool:
    """A line of a bare question list: short, or a run-on of several questions, no answer prose."""
    s = text.strip()
    if not s or "。" in s or s.startswith(("```", "|")):
        return False
    marks = len(QUESTION_MARK_RE.findall(s))
    return (marks >= 1 and len(s) <= 80) or marks >= 2


def _is_title_like(text: str) -> bool:
    s = text.strip().lstrip("#").strip()
    return 0 < len(s) <= 40 and not re.search(r"[。；;]", s)


def _mark_question_lists(lines: list[Line], min_questions: int = 8) -> list[Line]:
    """Drop runs of bare questions with no answers between them (a blog's teaser list).

    Real Q&A text alternates questions with answer prose, so a run of eight or more question or
    title lines without a single answer line is a list of topics, not content.
    """
    out = list(lines)
    run: list[int] = []

    def flush() -> None:
        if sum(_is_question_like(out[i].text) for i in run) >= min_questions:
            for i in run:
                out[i] = replace(out[i], dropped="qlist")
        run.clear()

    in_fence = False
    for i, line in enumerate(out):
        if FENCE_RE.match(line.text):
            in_fence = not in_fence
            flush()
            continue
        if in_fence or line.dropped or not line.text.strip():
            continue
        if _is_question_like(line.text) or _is_title_like(line.text):
            run.append(i)
        else:
            flush()
    flush()
    return out


def clean_lines(lines: list[Line]) -> list[Line]:
    """Mark noise lines as dropped (with a reason) and lightly clean the kept ones."""
    out: list[Line] = []
    in_fence = False
    in_paywall = False
    in_footer = False
    for line in lines:
        text = line.text
        if FENCE_RE.match(text):
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence or text.lstrip().startswith("|"):
            out.append(line)  # code and markdown tables are content, kept byte for byte
            continue
        if in_footer:
            out.append(replace(line, dropped="chrome"))
            continue
        if FOOTER_START_RE.match(text):
            in_footer = True
            out.append(replace(line, dropped="chrome"))
            continue
        reason = _line_reason(text)
        # A paywall teaser heading hides everything up to the next real heading.
        if reason == "paywall" and PAYWALL_HEADING_RE.match(text):
            in_paywall = True
        elif in_paywall and re.match(r"^\s*#{1,6}\s", text):
            in_paywall = False
        if reason is None and in_paywall and text.strip():
            reason = "paywall"
        if reason is not None:
            out.append(replace(line, dropped=reason))
        else:
            cleaned = _light_clean(text)
            if text.strip() and not WORD_RE.search(cleaned):
                # Nothing but link syntax was left: "[\(https://…\)](https://…)".
                out.append(replace(line, dropped="url" if "http" in text else "html"))
            else:
                out.append(line if cleaned == text else replace(line, text=cleaned))
    return _join_page_breaks(_mark_question_lists(out))


def _continued(last: str, line: str) -> str | None:
    """`last` with `line` joined on, when a page break cut one sentence in two; else None."""
    a, b = last.rstrip(), line.strip()
    if len(a) < PAGE_CUT_MIN_CHARS or a.lstrip().startswith("#"):
        return None
    # an English sentence cut between two words ("…key concepts in the LangChain" / "framework.")
    if re.search(r"[a-z]$", a) and re.match(r"[a-z]", b):
        return a + " " + b
    if not CJK.match(b):
        return None
    tail = REPEATED_TAIL_RE.match(b)
    if tail and a.endswith(tail.group(0)):
        return a + b[tail.end() :]
    if "，" in a and CJK.match(a[-1]):
        return a + b
    return None


def _join_page_breaks(lines: list[Line]) -> list[Line]:
    """Join the two halves of a sentence a page break cut (blank lines between them): the
    first line takes the text, the second is dropped as "page_break"."""
    out = list(lines)
    last: int | None = None  # the last kept text line
    in_fence = False
    for i, line in enumerate(out):
        if FENCE_RE.match(line.text):
            in_fence, last = not in_fence, None
            continue
        if in_fence or line.dropped or not line.text.strip():
            continue
        if last is not None and i - last > 1 and out[last].text.strip()[:1] != "|":
            joined = _continued(out[last].text, line.text)
            if joined is not None:
                out[last] = replace(out[last], text=joined)
                out[i] = replace(line, dropped="page_break")
                continue
        last = i
    return out
