"""Every entry point turns a bad setting into one line on stderr and a non-zero exit, before
it loads anything: no traceback for a typo in an environment variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(module: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NOTESQA_")}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "module, args",
    [
        ("service", ()),
        ("eval.run", ("--retrieval-only",)),
        ("eval.grading", ()),
        ("ingest", ("--quiet",)),
    ],
)
def test_a_bad_env_value_is_one_line_and_a_failed_exit(module: str, args: tuple[str, ...]) -> None:
    proc = _run(module, *args, NOTESQA_TOP_K="abc")
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "top_k" in lines[0] and "NOTESQA_TOP_K" in lines[0]


def test_a_bad_judge_value_is_caught_by_eval_too() -> None:
    proc = _run("eval.run", "--retrieval-only", NOTESQA_JUDGE_THRESHOLD="2")
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        "eval: bad setting judge.threshold (NOTESQA_JUDGE_THRESHOLD): "
        "Input should be less than or equal to 1"
    ]
