"""scripts/models.py: the vLLM dtype follows the CPU's bf16 support."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "models.py"
sys.path.insert(0, str(SCRIPT.parent))
from models import vllm_cpu_dtype  # noqa: E402

AVX2_EPYC = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma f16c bmi2\n"
SAPPHIRE_RAPIDS = "flags\t\t: fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n"
ZEN4 = "flags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n"


@pytest.mark.parametrize(
    ("cpuinfo", "dtype"),
    [
        (AVX2_EPYC, "float32"),  # emulated bf16: ~5x slower prompts than float32
        ("flags\t\t: fpu avx2 avx512f avx512bw\n", "float32"),  # AVX-512 without bf16
        (SAPPHIRE_RAPIDS, "bfloat16"),
        (ZEN4, "bfloat16"),
        ("", "float32"),
        ("model name\t: avx512_bf16 in a name, not a flag\n", "float32"),
    ],
)
def test_vllm_dtype_follows_bf16_flags(cpuinfo: str, dtype: str) -> None:
    assert vllm_cpu_dtype(cpuinfo) == dtype


def test_the_command_prints_one_dtype_for_this_machine() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "vllm-dtype"], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0 and out.stdout.strip() in ("bfloat16", "float32")
    assert out.stdout.strip() == vllm_cpu_dtype(Path("/proc/cpuinfo").read_text())


def test_default_llm_follows_the_cpu() -> None:
    from models import default_llm

    assert default_llm("flags\t: fpu avx2 avx512f avx512_bf16 amx_int8\n") == "qwen1.5b"
    assert default_llm("flags\t: fpu avx2 fma\n") == "qwen0.5b"
    assert default_llm("") == "qwen0.5b"  # nothing to read: the safe choice
