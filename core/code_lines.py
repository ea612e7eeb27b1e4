"""Which lines of a passage are program code: a program quoted line by line, each line with its
own citation, is no statement (dev-035 quoted "parser = OutputParser()[3]." as a sentence)."""

from __future__ import annotations

import re

FENCE = re.compile(r"^\s*(```|~~~)")

# A line of Python: a keyword that opens a statement, an assignment to a lower-case name ("llm =
# OpenAI(…)", not the notes' "C = 6ND"), or a bare call ("print(processed_output)").
_CODE = re.compile(
    r"^\s*(?:(?:def|class|return|import|from|print|async|await|raise)\b|@\w"
    r"|[a-z_][a-z0-9_]*(?:\.[a-z_]\w*|\[[^\]]*\])*\s*=\s*[A-Za-z_\"'\[{(]"
    r"|[a-z_][\w.]*\(.*\)\s*;?\s*$)"
)


def code_lines(lines: list[str]) -> set[int]:
    """The indices of the code lines: fenced blocks, fences included, when the fences pair up;
    when they don't (a passage can start or end inside a block, and then which fence opens is
    unknown) only the fences. Either way, a line in ASCII that reads as Python is code too."""
    fences = [k for k, line in enumerate(lines) if FENCE.match(line)]
    fenced = (
        {k for a, b in zip(fences[::2], fences[1::2], strict=True) for k in range(a, b + 1)}
        if len(fences) % 2 == 0
        else set(fences)
    )
    return fenced | {k for k, line in enumerate(lines) if line.isascii() and _CODE.match(line)}
