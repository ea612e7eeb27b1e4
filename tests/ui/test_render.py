"""ui/render.py: escaping, highlighting, snippets, history."""

from __future__ import annotations

import re

from ui import render

PASSAGE = (
    "LoRA 冻结预训练模型的权重。它在原权重旁加入两个低秩矩阵 A 和 B，训练时只更新这两个小矩阵。"
    "推理时可以把 BA 合并回原权重。秩 r 通常取 4 到 64。"
)
ANSWER = "LoRA 加入两个低秩矩阵 A 和 B，只训练它们[1]。合并后没有额外延迟。[2]"


def _unescape(md: str) -> str:
    return re.sub(r"\\(.)", r"\1", md)


def test_escape_md_makes_html_and_markdown_literal() -> None:
    md = render.escape_md("<script>alert('x')</script> **b** [a](http://e) $x$ `c` # h")
    # Every ASCII punctuation character is backslash-escaped: no tag, link, bold, math or code.
    assert not re.search(r"(?<!\\)[<>\[\]()*$`#]", md)
    assert _unescape(md) == "<script>alert('x')</script> **b** [a](http://e) $x$ `c` # h"


def test_escape_md_keeps_lines_and_drops_indentation() -> None:
    md = render.escape_md("一\n    二\r\n三")
    assert md == "一  \n二  \n三"


def test_answer_markdown_badges_citations_only() -> None:
    md = render.answer_markdown("见[1]和[12]。<b>x</b>\n- 项")
    assert md.count(f":{render.CITE_STYLE}[") == 2
    assert "\\<b\\>x\\<\\/b\\>" in md
    assert md.endswith("  \n\\- 项")
    nested = render.answer_markdown("- 步骤[1]：\n  - 首先[1]。\n    - 其次[1]。").split("  \n")
    assert nested[1].startswith("\u2003\\- 首先") and nested[2].startswith("\u2003\u2003\\- ")


def test_an_editors_note_gets_its_own_badge_not_a_citation() -> None:
    md = render.answer_markdown(
        "LLaMA 用了 1.4T tokens[1]。\n编者注：笔记此处有误，BERT 是编码器。"
    )
    first, note = md.split("  \n")
    assert f":{render.CITE_STYLE}[" in first and render.NOTE_STYLE not in first
    assert note.startswith(f":{render.NOTE_STYLE}[**编者注**] 笔记此处有误")
    assert render.answer_markdown("Editor's note: wrong here.").startswith(
        f":{render.NOTE_STYLE}[**Editor's note**] "
    )


def test_sentence_spans_keep_trailing_marker() -> None:
    spans = render.sentence_spans(ANSWER)
    parts = [ANSWER[s:e] for s, e in spans]
    assert parts[0].endswith("[1]。")
    assert parts[1].endswith("。[2]")


def test_claims_for() -> None:
    assert render.claims_for(ANSWER, 1) == ["LoRA 加入两个低秩矩阵 A 和 B，只训练它们。"]
    assert render.claims_for(ANSWER, 3) == []


def test_highlight_spans_pick_the_cited_sentence() -> None:
    spans = render.highlight_spans(PASSAGE, render.claims_for(ANSWER, 1))
    assert [PASSAGE[s:e] for s, e in spans] == [
        "它在原权重旁加入两个低秩矩阵 A 和 B，训练时只更新这两个小矩阵。"
    ]
    assert render.highlight_spans(PASSAGE, ["完全无关的天气问题"]) == []
    assert render.highlight_spans(PASSAGE, []) == []


def test_highlight_spans_weak_match_takes_best_sentence() -> None:
    spans = render.highlight_spans(PASSAGE, ["秩 r 怎么选"])
    assert [PASSAGE[s:e] for s, e in spans] == ["秩 r 通常取 4 到 64。"]


def test_highlight_markdown_is_safe_and_marks_spans() -> None:
    text = "前言 <i>x</i>。\n重点 [a](b) 在这里。尾巴"
    start = text.index("重点")
    end = text.index("尾巴")
    md = render.highlight_markdown(text, [(start, end)])
    assert md == (
        f"前言 \\<i\\>x\\<\\/i\\>。  \n:{render.HIGHLIGHT}[重点 \\[a\\]\\(b\\) 在这里。]尾巴"
    )
    assert render.highlight_markdown("abc", []) == render.escape_md("abc")


def test_highlight_across_lines_is_split_per_line() -> None:
    text = "甲乙\n丙丁\n戊"
    md = render.highlight_markdown(text, [(0, 5)])
    assert md == f":{render.HIGHLIGHT}[甲乙]  \n:{render.HIGHLIGHT}[丙丁]  \n戊"


def test_snippet_windows_around_the_first_span() -> None:
    text = "x" * 300 + "重点句子。" + "y" * 300
    s = text.index("重点")
    snip, spans = render.snippet(text, [(s, s + 5)], width=100)
    assert snip.startswith("…") and snip.endswith("…")
    assert [snip[a:b] for a, b in spans] == ["重点句子。"]
    assert render.snippet("short", [(0, 2)]) == ("short", [(0, 2)])
    head, _ = render.snippet(text, [], width=50)
    assert head == "x" * 50 + "…"


def test_heading_label_and_format_ms() -> None:
    assert render.heading_label(["A", " ", "B"]) == "A › B"
    assert render.heading_label([]) == "(no heading)"
    assert render.format_ms(12.4) == "12 ms"
    assert render.format_ms(1530) == "1.5 s"


def test_history_turns_pairs_answers_only() -> None:
    messages: list[dict[str, object]] = [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "kind": "answer", "content": "a1" * 10},
        {"role": "user", "content": "q2"},
        {"role": "assistant", "kind": "error", "content": "", "error": "busy"},
        {"role": "user", "content": "q3"},
        {"role": "assistant", "kind": "search", "sources": []},
        {"role": "user", "content": "q4"},
        {"role": "assistant", "kind": "answer", "content": "a4", "refused": True},
    ]
    assert render.history_turns(messages, 20, 5) == [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1a1a"},
        {"role": "user", "content": "q4"},
        {"role": "assistant", "content": "a4"},
    ]
    assert render.history_turns(messages, 2, 100) == [
        {"role": "user", "content": "q4"},
        {"role": "assistant", "content": "a4"},
    ]
    assert render.history_turns(messages, 0, 100) == []


def test_snippet_drops_whitespace_at_the_cuts() -> None:
    text = "a" * 20 + "\n\n" + "b" * 40
    snip, spans = render.snippet(text, [(0, 5)], width=22)
    assert snip == "a" * 20 + "…" and spans == [(0, 5)]


def test_support_line_names_level_and_parts() -> None:
    from ui.render import support_line

    line = support_line({"verified": 0.5, "key_terms": 1.0, "retrieval": 0.91, "level": "low"}, 1)
    assert line.startswith("可信度 低 (low)") and "verified sentences 50%" in line
    assert "key terms in the notes 100%" in line and "1 unsupported sentence(s) removed" in line
    assert support_line(None) == ""
