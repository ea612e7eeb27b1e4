"""The command line of `python -m eval.run`: its flags, and the judge settings they override.

The help text's description is the caller's (eval/run.py's docstring), so `--help` documents
the command where it runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.settings import JudgeSettings, Settings
from service.generators.factory import KINDS

MODES = ("hybrid", "dense", "bm25")


def parse_args(argv: list[str] | None, description: str | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval.run", description=description)
    p.add_argument("--questions", type=Path, default=Path("eval/datasets/dev.jsonl"))
    p.add_argument("--k", type=int, default=10, help="retrieve this many hits per question")
    p.add_argument("--retrieval-only", action="store_true", help="skip answer generation")
    p.add_argument("--mode", choices=(*MODES, "all"), default="hybrid")
    p.add_argument("--index", type=Path, help="index directory (default: settings.index_dir)")
    p.add_argument("--out", type=Path, default=Path("eval/out"))
    p.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("DIR_A", "DIR_B"),
        help="compare the rows.jsonl of two runs, question by question (writes DIR/compare.md)",
    )
    a = p.add_argument_group("answers")
    a.add_argument("--generator", choices=KINDS, help="default: settings.generator")
    a.add_argument("--url", help="ask a running service (its base URL) instead of in-process")
    a.add_argument("--api-key", help="bearer token for --url (default: settings.api_key)")
    a.add_argument("--limit", type=int, help="answer N questions, evenly spaced over the file")
    a.add_argument("--no-cache", action="store_true", help="ignore DIR/cache (answers, judgments)")
    j = p.add_argument_group("judge")
    j.add_argument("--judge", choices=("llm", "nli", "none"), help="default: llm")
    j.add_argument("--judge-url", help="OpenAI-compatible /v1 base URL for the llm judge")
    j.add_argument("--judge-model", help="served model name at --judge-url")
    j.add_argument("--judge-gguf", type=Path, help="local llama.cpp judge model")
    j.add_argument(
        "--judge-threshold", type=float, help="P(supported) needed to count as supported"
    )
    j.add_argument("--nli-model", help="CrossEncoder NLI model name or path (--judge nli)")
    j.add_argument(
        "--calibrate-judge", action="store_true", help="measure the judge, pick a threshold"
    )
    j.add_argument("--judge-file", type=Path, default=Path("eval/datasets/judge.jsonl"))
    j.add_argument("--pick", choices=("accuracy", "f1"), default="accuracy")
    args = p.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    return args


def judge_settings(args: argparse.Namespace, settings: Settings) -> JudgeSettings:
    """settings.judge (env NOTESQA_JUDGE_*) with the --judge-* flags over it."""
    over: dict[str, Any] = {}
    for flag, field in (
        ("judge", "kind"),
        ("judge_url", "url"),
        ("judge_model", "model"),
        ("judge_gguf", "gguf_path"),
        ("judge_threshold", "threshold"),
        ("nli_model", "nli_model"),
    ):
        if getattr(args, flag) is not None:
            over[field] = getattr(args, flag)
    return JudgeSettings.model_validate({**settings.judge.model_dump(), **over})
