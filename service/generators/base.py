"""The generator contract: what every answer-writing back-end offers the service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any, Protocol, runtime_checkable

from core.settings import GeneratorKind, Settings

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
    """Everything a generator constructor needs; built from Settings (`from_settings`), where
    every value has its default and its reason, so there are no defaults here."""

    kind: GeneratorKind
    # openai-compatible servers (vLLM, llama_cpp.server)
    base_url: str
    model: str  # the served model name
    api_key: str
    timeout_s: float  # whole request; a streamed reply may take this long between chunks
    connect_timeout_s: float
    top_p: float
    # llama.cpp in-process
    gguf_path: str
    n_threads: int
    max_queue: int
    # the context window: llama.cpp's n_ctx, and for a remote server its --max-model-len,
    # used for prompt budgeting
    context_window: int
    # optional HF tokenizer dir for exact remote token counts (e.g. models/qwen0.5b-hf)
    tokenizer_path: str
    repetition_penalty: float

    @classmethod
    def from_settings(cls, settings: Settings, **changes: Any) -> GeneratorConfig:
        """The service's generator config; `changes` replace fields (the judge's model)."""
        cfg = cls(
            kind=settings.generator,
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout_s=settings.llm_timeout_s,
            connect_timeout_s=settings.llm_connect_timeout_s,
            top_p=settings.top_p,
            gguf_path=str(settings.gguf_path),
            n_threads=settings.llm_threads,
            max_queue=settings.max_queue,
            context_window=settings.llm_context_window,
            tokenizer_path=settings.llm_tokenizer_path,
            repetition_penalty=settings.repetition_penalty,
        )
        return replace(cfg, **changes)


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

    async def aclose(self) -> None:
        """Free what the back-end holds (connections, the model, its worker thread)."""
        ...


def estimate_tokens(text: str) -> int:
    """Rough token count for Qwen-style BPE without a tokenizer: ~1 token per CJK character,
    ~4 characters per token for everything else. Errs on the high side for budgeting."""
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return cjk + (len(text) - cjk + 3) // 4
