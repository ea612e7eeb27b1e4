"""Is a claim supported by passages? A `Judge` answers with a probability.

- `llm` (default): a generative model is asked for one token, 是 or 否, and P(是) is read from
  the top candidates for its first token (`first_token_logprobs`, the public logprobs API of
  the llama.cpp and OpenAI-compatible generators). Locally the llama.cpp Qwen 1.5B: the 0.5B
  ranks pairs but has no usable threshold (MODELS.md). `--judge-url` points it at any
  OpenAI-compatible server instead.
- `nli`: a sentence-transformers CrossEncoder NLI model (name or path), P(entailment).

A claim counts as supported when the probability is at least `threshold`, which
`python -m eval.run --calibrate-judge` picks on the hand-labelled eval/datasets/judge.jsonl.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from core.settings import JudgeSettings, Settings
from service.generators.base import GeneratorConfig, Message

# Part of the judge's name, so of every judgment's cache key: bump it when the prompt or the
# scoring changes. v2: P(是) from the top-20 first-token logprobs (v1 read raw llama.cpp logits).
PROMPT_VERSION = "v2"
YES_TOKENS = ("是",)
# OpenAI's (and vLLM's) maximum for top_logprobs; 是 or 否 is nearly always the first of them.
TOP_N = 20
JUDGE_SYSTEM = "你是严谨的事实核查员。你只根据给定的资料判断，不使用资料以外的知识。"
JUDGE_QUESTION = (
    "仅根据上面的资料判断：资料是否支持这条断言？"
    "断言中的数字、名称和结论都必须与资料一致；资料中没有写到的内容，即使常识上正确，也算不支持。"
    "只回答一个字：是 或 否。"
)


@runtime_checkable
class Judge(Protocol):
    name: str  # identifies the model and prompt: part of every cache key
    threshold: float

    async def supported(self, passages: list[str], claim: str) -> float:
        """The probability that `passages` support `claim`."""
        ...

    async def aclose(self) -> None:
        """Free the model or connection behind it."""
        ...


class FirstTokenScorer(Protocol):
    """What the llama.cpp and OpenAI-compatible generators offer the judge."""

    async def first_token_logprobs(
        self, messages: Sequence[Message], top_n: int
    ) -> list[tuple[str, float]]: ...

    async def aclose(self) -> None: ...


def p_yes(top: Sequence[tuple[str, float]]) -> float:
    """P(是): the summed probability of the candidates that read 是 once stripped ("是", " 是")."""
    p = sum(math.exp(lp) for tok, lp in top if tok.strip() in YES_TOKENS)
    return min(p, 1.0)


def judge_messages(passages: Sequence[str], claim: str, max_chars: int = 3000) -> list[Message]:
    """The fixed prompt: passages first (a shared prefix across one answer's claims, which
    llama.cpp's KV cache reuses), then the claim and the one-token question."""
    parts: list[str] = []
    left = max_chars
    for i, p in enumerate(passages, 1):
        text = " ".join(p.split())[: max(left, 0)]
        left -= len(text)
        if text:
            parts.append(f"[{i}] {text}")
    user = "资料：\n" + "\n\n".join(parts) + f"\n\n断言：{claim.strip()}\n\n" + JUDGE_QUESTION
    return [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": user}]


class LLMJudge:
    def __init__(
        self, scorer: FirstTokenScorer, model: str, threshold: float = 0.5, max_chars: int = 3000
    ) -> None:
        self.scorer = scorer
        self.threshold = threshold
        self.max_chars = max_chars
        self.name = f"llm:{model}:{PROMPT_VERSION}"

    async def supported(self, passages: list[str], claim: str) -> float:
        msgs = judge_messages(passages, claim, self.max_chars)
        return p_yes(await self.scorer.first_token_logprobs(msgs, TOP_N))

    async def aclose(self) -> None:
        await self.scorer.aclose()


def entailment_index(id2label: dict[Any, str]) -> int:
    """The output index whose label names entailment (models disagree on the order)."""
    for idx, label in id2label.items():
        if "entail" in str(label).lower():
            return int(idx)
    raise ValueError(f"no entailment label among {dict(id2label)}")


class NLIJudge:
    """P(entailment) of (premise = the passages joined, hypothesis = the claim)."""

    def __init__(self, model: str, threshold: float = 0.5, max_length: int = 512) -> None:
        from sentence_transformers import CrossEncoder

        self.ce = CrossEncoder(model, max_length=max_length, device="cpu")
        config = getattr(self.ce, "config", None) or self.ce.model.config
        self.entail = entailment_index(config.id2label)
        self.threshold = threshold
        self.name = f"nli:{model}"

    def _score(self, premise: str, claim: str) -> float:
        logits = np.asarray(
            self.ce.predict([(premise, claim)], activation_fn=_identity, show_progress_bar=False),
            dtype=np.float64,
        ).reshape(1, -1)[0]
        probs = np.exp(logits - logits.max())
        return float(probs[self.entail] / probs.sum())

    async def supported(self, passages: list[str], claim: str) -> float:
        return await asyncio.to_thread(self._score, "\n".join(passages), claim)

    async def aclose(self) -> None:
        return None  # an in-process model: freed with the object


def _identity(x: Any) -> Any:
    return x


class CachedJudge:
    """Remembers every judgment in a JSONL file, so a rerun after a crash judges nothing twice."""

    def __init__(self, inner: Judge, path: Path | None) -> None:
        self.inner = inner
        self.name = inner.name
        self.threshold = inner.threshold
        self.path = path
        self.calls = 0
        self._memo: dict[str, float] = {}
        if path is not None and path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self._memo[row["key"]] = float(row["p"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash

    def key(self, passages: list[str], claim: str) -> str:
        blob = json.dumps([self.name, passages, claim], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    async def supported(self, passages: list[str], claim: str) -> float:
        key = self.key(passages, claim)
        if key not in self._memo:
            self.calls += 1
            p = await self.inner.supported(passages, claim)
            self._memo[key] = p
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps({"key": key, "p": p}) + "\n")
        return self._memo[key]

    async def aclose(self) -> None:
        await self.inner.aclose()


def build_judge(cfg: JudgeSettings, settings: Settings | None = None) -> Judge | None:
    """The judge `cfg` names, or None for kind="none". Loading is lazy for llm judges. Its
    generator is configured from `settings` (default: the environment's), the judge's own
    fields replacing the answering model's."""
    if cfg.kind == "none":
        return None
    if cfg.kind == "nli":
        if not cfg.nli_model:
            raise ValueError("--judge nli needs --nli-model NAME_OR_PATH")
        return NLIJudge(cfg.nli_model, cfg.threshold)
    base = settings or Settings()
    scorer: FirstTokenScorer
    if cfg.url:
        from service.generators.openai_compat import OpenAICompatGenerator

        gcfg = GeneratorConfig.from_settings(
            base, kind="openai", base_url=cfg.url, model=cfg.model, timeout_s=cfg.timeout_s
        )
        scorer = OpenAICompatGenerator(gcfg, name="openai")
        model = f"{cfg.url}#{cfg.model}"
    else:
        from service.generators.llamacpp import LlamaCppGenerator

        gcfg = GeneratorConfig.from_settings(
            base,
            kind="llamacpp",
            gguf_path=str(cfg.gguf_path),
            context_window=cfg.n_ctx,
            n_threads=cfg.n_threads,
            max_queue=4,  # a judge runs claims one at a time; room for a few in flight
            timeout_s=cfg.timeout_s,
        )
        scorer = LlamaCppGenerator(gcfg, logprobs=True)
        model = f"llamacpp:{cfg.gguf_path.name}"
    return LLMJudge(scorer, model, cfg.threshold, cfg.max_passage_chars)
