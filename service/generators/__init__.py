"""Answer writers: an OpenAI-compatible server (vLLM), llama.cpp in-process, or extractive."""

from service.generators.base import (
    GenerationRequest,
    Generator,
    GeneratorConfig,
    Passage,
    estimate_tokens,
)
from service.generators.extractive import REFUSAL_EN, REFUSAL_ZH, ExtractiveGenerator
from service.generators.factory import KINDS, build_generator

__all__ = [
    "KINDS",
    "REFUSAL_EN",
    "REFUSAL_ZH",
    "ExtractiveGenerator",
    "GenerationRequest",
    "Generator",
    "GeneratorConfig",
    "Passage",
    "build_generator",
    "estimate_tokens",
]
