"""Pick a generator back-end by name."""

from __future__ import annotations

from typing import get_args

from core.errors import BadInput
from core.settings import GeneratorKind, Settings
from service.generators.base import Generator, GeneratorConfig
from service.generators.extractive import ExtractiveGenerator

KINDS: tuple[str, ...] = get_args(GeneratorKind)


def build_generator(kind: str, cfg: GeneratorConfig | None = None) -> Generator:
    """vllm / openai: an OpenAI-compatible server at cfg.base_url (vLLM, llama_cpp.server, ...);
    llamacpp: the GGUF at cfg.gguf_path, in-process; extractive: no LLM at all. Without `cfg`,
    the one Settings (env and .env) configures it.

    Building is cheap and never touches the model or the network: call `check()` for that.
    """
    if kind not in KINDS:
        raise BadInput(f"unknown generator {kind!r}; expected one of {', '.join(KINDS)}")
    if kind == "extractive":
        return ExtractiveGenerator()
    cfg = cfg or GeneratorConfig.from_settings(Settings(), kind=kind)
    if kind == "llamacpp":
        from service.generators.llamacpp import LlamaCppGenerator

        return LlamaCppGenerator(cfg)
    from service.generators.openai_compat import OpenAICompatGenerator

    return OpenAICompatGenerator(cfg, name=kind)
