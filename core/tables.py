"""A markdown table's rows as statements: "| **思路** | 根据上下文预测目标词. | 根据目标词预测上下文单词. |"
under "| 维度 | CBOW | Skip-Gram |" reads "思路：CBOW 根据上下文预测目标词，Skip-Gram 根据目标词预测上下文
单词。", one sentence (a "；" would cut it into pieces that say nothing alone). A row cut at its
full stops said nothing of which column was which: the notes compare CBOW and Skip-Gram, or
fp16 and int8, in tables.
"""

from __future__ import annotations

import re

_RULE = re.compile(r"^[\s|:\-]+$")  # "|----|:---:|"
_EMPHASIS = re.compile(r"\*\*|__|`")


def is_row(line: str) -> bool:
    s = line.strip()
    return len(s) > 2 and s.startswith("|") and s.endswith("|")


def cells(line: str) -> list[str]:
    # a cell's own "；" becomes "，": the row is one sentence, read and checked whole
    return [
        _EMPHASIS.sub("", c).strip().rstrip("。.；;").replace("；", "，").replace(";", ",")
        for c in line.strip()[1:-1].split("|")
    ]


def is_rule(line: str) -> bool:
    return bool(_RULE.match(line))


def statement(row: list[str], header: list[str]) -> str:
    """A body row as one sentence: its first cell, then each other cell under its column's
    name. A two-column table's rows are pairs ("int8：1G。"): its one other column's name, said
    on every row, would make the rows outscore the sentences around them ("7B: 全精度28G,
    半精度14G" lost to "fp16/bf16 (半精度)，1B(10亿)参数需要占用内存：2G" on dev-051)."""
    first, rest = row[0], row[1:]
    pair = len(header) == 2 and len(row) == 2
    names = ([] if pair else header[1:]) + [""] * len(rest)  # a row may have more cells
    names = names[: len(rest)]
    said = "，".join(f"{h} {c}" if h else c for h, c in zip(names, rest, strict=True) if c)
    return f"{first}：{said}。" if first and said else f"{first or said}。"
