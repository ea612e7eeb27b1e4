"""Which lines of a passage are program code: a program quoted line by line, each line with its
own citation, is no statement (dev-035 quoted "parser = OutputParser()[3]." as a sentence)."""

from __future__ import annotations

import re

from core.text import has_cjk

FENCE = re.compile(r"^\s*(```|~~~)")
_OPENS = re.compile(r"^\s*(?:```|~~~)\s*[A-Za-z]")  # a fence that names its language opens
_COMMENT = re.compile(r"^\s*#")

# A line of Python: a keyword that opens a statement, an assignment to a lower-case name ("llm =
# OpenAI(…)", not the notes' "C = 6ND"), or a bare call ("print(processed_output)").
_CODE = re.compile(
    r"^\s*(?:(?:def|class|return|import|from|print|async|await|raise)\b|@\w"
    r"|[a-z_][a-z0-9_]*(?:\.[a-z_]\w*|\[[^\]]*\])*\s*=\s*[A-Za-z_\"'\[{(]"
    r"|[a-z_][\w.]*\(.*\)\s*;?\s*$)"
)


# String literals, straight or curly quotes: `print(chain.run("你好"))` is code whatever it prints.
_STRING = re.compile(r'"[^"]*"|\'[^\']*\'|“[^”]*”|‘[^’]*’')


def _is_code(line: str) -> bool:
    """A line in ASCII, but for what its strings say, that reads as Python."""
    bare = _STRING.sub('""', line)
    return bare.isascii() and bool(_CODE.match(bare))


def code_lines(lines: list[str]) -> set[int]:
    """The indices of the code lines: fenced blocks, fences included, when the fences pair up;
    when they don't (a passage can start or end inside a block) the side of the odd fence that
    Chinese prose shows is not code (`_cut`), or else only the fences. Either way, a line in
    ASCII (its strings aside) that reads as Python is code too."""
    fences = [k for k, line in enumerate(lines) if FENCE.match(line)]
    fenced = _pairs(fences) if len(fences) % 2 == 0 else _cut(lines, fences)
    return fenced | {k for k, line in enumerate(lines) if _is_code(line)}


def _pairs(fences: list[int]) -> set[int]:
    return {k for a, b in zip(fences[::2], fences[1::2], strict=True) for k in range(a, b + 1)}


def _cut(lines: list[str], fences: list[int]) -> set[int]:
    """The code of a passage cut inside a block. Chinese prose right after the first fence:
    that fence closes the block the passage opened in, so all above it is code (002's Alpaca
    example, cut after its blank line, had opened an answer with "Instruction. Create a
    classification task…"). Chinese prose right before the last fence and none after it: that
    fence opens the block the passage ends in. Else which fence opens is unknown: only fences."""
    first, last = fences[0], fences[-1]
    if _OPENS.match(lines[first]):  # "```python" opens a block: the odd fence is the last
        return _pairs(fences[:-1]) | set(range(last, len(lines)))
    after = next((ln for ln in lines[first + 1 :] if ln.strip()), "")
    # a comment in Chinese ("# 官方llm使用OPENAI 接口") is code, not prose
    if not after or (has_cjk(after) and not FENCE.match(after) and not _COMMENT.match(after)):
        return set(range(first + 1)) | _pairs(fences[1:])
    before = next((ln for ln in reversed(lines[:last]) if ln.strip()), "")
    if has_cjk(before) and not any(has_cjk(ln) for ln in lines[last + 1 :]):
        return _pairs(fences[:-1]) | set(range(last, len(lines)))
    return set(fences)
