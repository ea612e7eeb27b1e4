"""llama.cpp never takes ggml's AMX path: its kernels segfault on Q4_K (ggml-org/llama.cpp#20824).

Checked so that a regression shows on every machine, also on the AVX2-only ones where the
crash itself cannot happen: the build flags (compiled here against an AMX -march), the
Dockerfile's mirror of them, and the installed build (its system info, its stamp, and the
buffer types it reports when it loads a model). And should a native crash happen anyway, it
fails one test by name instead of killing the run.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
from llamacpp_build import amx_features, stamp_text, system_info, why_rebuild  # noqa: E402

# An AMX CPU's line, as llama_print_system_info() printed it on the Xeon of issue 11.
AMX_LINE = (
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | "
    "AVX512 = 1 | AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | AMX_INT8 = 1 | "
    "LLAMAFILE = 1 | OPENMP = 1 | REPACK = 1 |"
)
# /proc/cpuinfo flag -> the feature llama.cpp's system info must then report as compiled in
KEPT = {
    "avx2": "AVX2",
    "avx512f": "AVX512",
    "avx512_vnni": "AVX512_VNNI",
    "avx512_bf16": "AVX512_BF16",
}


def _make(*targets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "--no-print-directory", *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _defines(args: list[str]) -> dict[str, str]:
    return dict(a[2:].split("=", 1) for a in args if a.startswith("-D") and "=" in a)


def _make_cmake_args() -> list[str]:
    res = _make("llamacpp-cmake-args")
    assert res.returncode == 0, res.stderr
    return shlex.split(res.stdout)


def _predefined(compiler: str, lang: str, flags: list[str]) -> str:
    """The macros `compiler` predefines with `flags`: what ggml's #if lines see."""
    cmd = [compiler, *flags, "-dM", "-E", "-x", lang, "/dev/null"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_amx_features_are_read_from_system_info() -> None:
    assert amx_features(AMX_LINE) == ["AMX_INT8"]
    assert amx_features(AMX_LINE.replace("AMX_INT8 = 1", "AMX_INT8 = 0")) == []
    assert amx_features("CPU : AVX2 = 1 | AVX512 = 1 | REPACK = 1 |") == []


def _fake_python(tmp_path: Path, info: str | None) -> str:
    """A stand-in for the venv's python that prints `info` as llama.cpp's system info (or
    fails to import llama_cpp when None): the machine's side of the rebuild decision."""
    exe = tmp_path / "python"
    body = f"echo {shlex.quote(info)}" if info is not None else "exit 1"
    exe.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    exe.chmod(0o755)
    return str(exe)


def test_rebuild_when_missing_built_otherwise_or_using_amx(tmp_path: Path) -> None:
    pin, args = "llama-cpp-python[server]==0.3.36", "-DGGML_NATIVE=ON '-DCMAKE_C_FLAGS=-mno-x'"
    stamp = tmp_path / "llamacpp.stamp"
    stamp.write_text(stamp_text(pin, args), encoding="utf-8")
    avx512 = AMX_LINE.replace(" AMX_INT8 = 1 |", "")
    assert why_rebuild(_fake_python(tmp_path, avx512), pin, args, stamp) is None
    reason = why_rebuild(_fake_python(tmp_path, AMX_LINE), pin, args, stamp)
    assert reason is not None and "AMX_INT8" in reason  # an old AMX build, stamp or not
    reason = why_rebuild(_fake_python(tmp_path, avx512), pin, "-DGGML_NATIVE=ON", stamp)
    assert reason is not None and "flags" in reason  # the flags changed since the build
    stamp.write_text("", encoding="utf-8")  # the stamp an older Makefile touched
    assert why_rebuild(_fake_python(tmp_path, avx512), pin, args, stamp) is not None
    assert "not installed" in str(why_rebuild(_fake_python(tmp_path, None), pin, args, stamp))


def test_make_flags_keep_amx_off_where_native_would_turn_it_on() -> None:
    """-march=sapphirerapids stands for -march=native on an AMX Xeon: CMake puts
    CMAKE_C_FLAGS first and ggml's -march=native after them, as here."""
    args = _make_cmake_args()
    defs = _defines(args)
    assert defs["GGML_NATIVE"] == "ON"  # AVX2 or AVX-512 as the CPU has them
    for var, compiler, lang in (("CMAKE_C_FLAGS", "cc", "c"), ("CMAKE_CXX_FLAGS", "c++", "c++")):
        flags = defs[var].split()
        amx_cpu = _predefined(compiler, lang, ["-march=sapphirerapids"])
        assert "__AMX_INT8__" in amx_cpu  # the probe itself sees AMX without the flags
        built = _predefined(compiler, lang, [*flags, "-march=sapphirerapids"])
        assert not re.findall(r"__AMX\w*__", built), (var, flags)
        # ...and nothing else is taken away: AVX-512 with VNNI and BF16 stay
        for macro in ("__AVX512F__", "__AVX512VNNI__", "__AVX512BF16__", "__AVX2__"):
            assert macro in built, (var, macro)


def test_dockerfile_mirrors_the_flags_and_stays_portable() -> None:
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    m = re.search(r'^ARG LLAMA_CMAKE_ARGS="([^"]*)"', text, re.MULTILINE)
    assert m, "the Dockerfile has no ARG LLAMA_CMAKE_ARGS"
    docker = _defines(shlex.split(m.group(1)))
    assert docker["GGML_NATIVE"] == "OFF"  # x86-64-v3: runs on machines other than the builder
    assert docker.get("GGML_AVX512", "OFF") == "OFF"
    for opt in ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16"):
        assert docker[opt] == "OFF", opt
    make = _defines(_make_cmake_args())
    for var in ("CMAKE_C_FLAGS", "CMAKE_CXX_FLAGS"):
        assert set(make[var].split()) <= set(docker[var].split()), var


def test_installed_build_has_no_amx_and_keeps_the_cpu_features() -> None:
    info = system_info(sys.executable)
    assert info is not None, "llama_cpp does not import: run `make llamacpp`"
    assert amx_features(info) == [], info
    cpu = set(re.findall(r"^flags\s*:(.*)$", Path("/proc/cpuinfo").read_text(), re.M)[0].split())
    for flag, feature in KEPT.items():
        if flag in cpu:
            assert f"{feature} = 1" in info, (flag, info)


def test_installed_build_is_the_one_the_flags_make() -> None:
    res = _make("llamacpp-check")
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.llm
def test_model_loads_into_plain_cpu_buffers(gguf_05b: Path) -> None:
    """The buffer types llama.cpp reports on load: CPU (and CPU_REPACK), never CPU_AMX."""
    code = (
        "from llama_cpp import Llama\n"
        f"Llama(model_path={str(gguf_05b)!r}, n_ctx=256, n_threads=2, verbose=True)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert res.returncode == 0, res.stderr[-2000:]
    buffers = re.findall(r"(\S+) model buffer size", res.stderr)
    assert buffers and "CPU" in "".join(buffers), res.stderr[-2000:]
    assert not [b for b in buffers if "AMX" in b.upper()], buffers


def test_a_native_crash_is_one_failed_test(tmp_path: Path) -> None:
    """The project's pytest options (-n 1): a segfault fails that test by name, the tests
    after it still run, and the summary line prints."""
    (tmp_path / "test_native.py").write_text(
        "import ctypes\n\n"
        "def test_before():\n    assert True\n\n"
        "def test_segfaults():\n    ctypes.string_at(0)\n\n"
        "def test_after():\n    assert True\n",
        encoding="utf-8",
    )
    cmd = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml")]
    cmd += ["--rootdir", str(tmp_path), "-p", "no:cacheprovider", str(tmp_path)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out[-3000:]
    assert "crashed while running 'test_native.py::test_segfaults'" in out, out[-3000:]
    assert "1 failed, 2 passed" in out, out[-3000:]
