"""Render the chat prompt: a fixed system message, passages in a delimited block, and a budget.

The system message is read from a file and never formatted: whatever the documents contain,
it is byte-identical, so a passage can't rewrite the model's instructions. Passages go in the
USER message, with everything that could pass for a delimiter or a chat role neutralised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

from core.errors import BadInput
from core.types import Hit
from service.generators.base import GenerationRequest, Message, Passage

PROMPTS = Path(__file__).with_name("prompts")
# Chat templates wrap each message in a few special tokens (Qwen: <|im_start|>role\n...<|im_end|>)
# and open the assistant turn; this covers that without knowing the model's template.
TEMPLATE_OVERHEAD_TOKENS = 24
MIN_PASSAGE_CHARS = 80  # shorter than this a passage is a crumb, not evidence
ELLIPSIS = "…"

# Special-token look-alikes (<|im_start|>, <|endoftext|>, <｜begin▁of▁sentence｜>): servers
# that tokenize the rendered template would turn them into real control tokens.
_SPECIAL = re.compile(r"<\s*[|｜]|[|｜]\s*>")
# Our own delimiters, in any case/spacing: a passage must not close the block early.
_DELIM = re.compile(r"<(\s*/?\s*passages?\b)", re.IGNORECASE)
# A line that starts like a chat turn ("system:", "### Assistant:", "用户：").
_ROLE = re.compile(r"(?im)^([ \t#>*]*)(system|assistant|user|human|ai|系统|助手|用户)(\s*)([:：])")
# Bracketed numbers inside a passage would read as citations of other passages.
_BRACKET_NUM = re.compile(r"[\[【［](\s*\d+\s*)[\]】］]")


@lru_cache(maxsize=1)
def system_prompt() -> str:
    return (PROMPTS / "answer_system.txt").read_text(encoding="utf-8").strip()


@lru_cache(maxsize=1)
def _user_template() -> Template:
    return Template((PROMPTS / "answer_user.txt").read_text(encoding="utf-8").strip())


def neutralise(text: str) -> str:
    """Keep the words, break the syntax: nothing in `text` can act as a delimiter or a role."""
    text = _SPECIAL.sub(lambda m: m.group(0).replace("|", "¦").replace("｜", "¦"), text)
    text = _DELIM.sub(r"‹\1", text)
    text = _ROLE.sub(r"\1«\2»\3\4", text)
    return _BRACKET_NUM.sub(r"(\1)", text)


def _passage_block(p: Passage) -> str:
    head = " › ".join(h for h in p.heading_path if h)
    head_line = f"[{p.n}] {neutralise(head)}" if head else f"[{p.n}]"
    return f"{head_line}\n{neutralise(p.text)}"


def render_messages(question: str, passages: Sequence[Passage]) -> tuple[Message, ...]:
    body = "\n\n".join(_passage_block(p) for p in passages) or "(none)"
    user = _user_template().safe_substitute(passages=body, question=neutralise(question))
    return ({"role": "system", "content": system_prompt()}, {"role": "user", "content": user})


@dataclass(frozen=True)
class BuiltPrompt:
    request: GenerationRequest
    hits: tuple[Hit, ...]  # hits[i] is passage n = i + 1, as given to the model
    prompt_tokens: int
    trimmed: bool  # passages were dropped or shortened to fit


def _shorten(p: Passage, chars: int) -> Passage:
    return Passage(p.n, p.text[:chars].rstrip() + ELLIPSIS, p.heading_path)


class PromptBuilder:
    """Fit the best passages into min(char cap, context window - answer budget)."""

    def __init__(
        self,
        count_tokens: Callable[[str], int],
        context_window: int,
        max_answer_tokens: int,
        passage_chars: int,
        temperature: float = 0.0,
    ) -> None:
        self._count = count_tokens
        self.context_window = context_window
        self.max_answer_tokens = max_answer_tokens
        self.passage_chars = passage_chars
        self.temperature = temperature

    def tokens(self, messages: Sequence[Message]) -> int:
        return TEMPLATE_OVERHEAD_TOKENS + sum(self._count(m["content"]) for m in messages)

    @property
    def budget(self) -> int:
        return self.context_window - self.max_answer_tokens

    def build(self, question: str, hits: Sequence[Hit]) -> BuiltPrompt:
        # Hollow chunks are never evidence, so they never reach the model.
        kept = [h for h in hits if not h.chunk.hollow]
        passages = [Passage(i + 1, h.chunk.text, h.chunk.heading_path) for i, h in enumerate(kept)]
        req, used, trimmed = self.fit(question, passages)
        return BuiltPrompt(req, tuple(kept[: len(req.passages)]), used, trimmed)

    def fit(self, question: str, given: Sequence[Passage]) -> tuple[GenerationRequest, int, bool]:
        """The request for `given` passages (best first) cut to the character cap and the
        token budget; also its prompt tokens and whether anything was dropped or shortened."""
        passages = list(given)
        n_in = len(passages)
        shortened = False
        # 1) the character cap (TTFT on CPU grows with prompt length): drop, then shorten.
        while len(passages) > 1 and sum(len(p.text) for p in passages) > self.passage_chars:
            passages.pop()
        if passages and len(passages[0].text) > self.passage_chars:
            passages[0] = _shorten(passages[0], self.passage_chars)
            shortened = True
        # 2) the token budget: drop the lowest-ranked, then shorten the last one left.
        messages = render_messages(question, passages)
        while passages and self.tokens(messages) > self.budget:
            if len(passages) > 1:
                passages.pop()
            else:
                passages[0] = self._fit_one(question, passages[0])
                shortened = True
                if passages[0].text == ELLIPSIS:
                    passages.pop()
            messages = render_messages(question, passages)
        used = self.tokens(messages)
        if used > self.budget:
            raise BadInput(
                f"the question is too long for the model's context window ({self.context_window}"
                " tokens)"
            )
        req = GenerationRequest(
            question=question,
            passages=tuple(passages),
            messages=messages,
            max_tokens=self.max_answer_tokens,
            temperature=self.temperature,
        )
        return req, used, shortened or len(passages) < n_in

    def _fit_one(self, question: str, p: Passage) -> Passage:
        """The longest prefix of `p` that fits (binary search: token counts aren't linear)."""
        lo, hi = 0, len(p.text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.tokens(render_messages(question, [_shorten(p, mid)])) <= self.budget:
                lo = mid
            else:
                hi = mid - 1
        if lo < MIN_PASSAGE_CHARS:
            return Passage(p.n, ELLIPSIS, p.heading_path)
        return _shorten(p, lo)
