"""Pick a generator back-end by name."""

from __future__ import annotations

from core.errors import BadInput
from service.generators.base import Generator, GeneratorConfig
from service.generators.extractive import ExtractiveGenerator

KINDS = ("vllm", "openai", "llamacpp", "extractive")


def build_generator(kind: str, cfg: GeneratorConfig | None = None) -> Generator:
    """vllm / openai: an OpenAI-compatible server at cfg.base_url (vLLM, llama_cpp.server, ...);
    llamacpp: the GGUF at cfg.gguf_path, in-process; extractive: no LLM at all.

    Building is cheap and never touches the model or the network: call `check()` for that.
    """
    cfg = cfg or GeneratorConfig(kind=kind)
    if kind in ("vllm", "openai"):
        from service.generators.openai_compat import OpenAICompatGenerator

        return OpenAICompatGenerator(cfg, name=kind)
    if kind == "llamacpp":
        from service.generators.llamacpp import LlamaCppGenerator

        return LlamaCppGenerator(cfg)
    if kind == "extractive":
        return ExtractiveGenerator()
    raise BadInput(f"unknown generator {kind!r}; expected one of {', '.join(KINDS)}")
