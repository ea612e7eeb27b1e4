"""The generator contract: what every answer-writing back-end offers the service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

Message = dict[str, str]


@dataclass(frozen=True)
class Passage:
    """A retrieved passage as the generator sees it; `n` is its citation number ([n])."""

    n: int
    text: str
    heading_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class GenerationRequest:
    question: str
    passages: tuple[Passage, ...]
    messages: tuple[Message, ...]  # the rendered chat prompt (system + user), passages included
    max_tokens: int = 512
    temperature: float = 0.0


@dataclass(frozen=True)
class GeneratorConfig:
    """Everything a generator constructor needs. The service fills it from Settings.

    kind: "vllm" | "openai" | "llamacpp" | "extractive".
    """

    kind: str = "extractive"
    # openai-compatible servers (vLLM, llama_cpp.server)
    base_url: str = "http://127.0.0.1:8100/v1"
    model: str = "qwen0.5b"  # the served model name
    api_key: str = "EMPTY"
    timeout_s: float = 120.0  # whole request; a streamed reply may take this long between chunks
    connect_timeout_s: float = 3.0
    top_p: float = 1.0
    # llama.cpp in-process
    gguf_path: str = "models/qwen0.5b.gguf"
    n_ctx: int = 4096
    n_threads: int = 2
    max_queue: int = 2
    # remote context window, used for prompt budgeting (the server's --max-model-len)
    context_window: int = 4096
    # optional HF tokenizer dir for exact remote token counts (e.g. models/qwen0.5b-hf)
    tokenizer_path: str = ""
    stop: tuple[str, ...] = field(default_factory=tuple)
    # Small Qwen models loop on long Chinese answers without it; 1.1 is llama.cpp's default.
    repetition_penalty: float = 1.1


@runtime_checkable
class Generator(Protocol):
    name: str  # "vllm", "openai", "llamacpp", "extractive"
    model: str
    context_window: int

    async def complete(self, req: GenerationRequest) -> str: ...

    def stream(self, req: GenerationRequest) -> AsyncIterator[str]:
        """Async generator of text deltas. Closing it (or cancelling the task) stops generation."""
        ...

    async def check(self) -> None:
        """Raise GeneratorUnavailable with a reason if the back-end can't serve now."""
        ...

    def count_tokens(self, text: str) -> int: ...


def estimate_tokens(text: str) -> int:
    """Rough token count for Qwen-style BPE without a tokenizer: ~1 token per CJK character,
    ~4 characters per token for everything else. Errs on the high side for budgeting."""
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return cjk + (len(text) - cjk + 3) // 4


def messages_list(messages: Sequence[Message]) -> list[dict[str, str]]:
    return [dict(m) for m in messages]
