"""llama-cpp-python compiled from source with the project's flags, and kept that way.

`make llamacpp` runs `ensure`: it rebuilds when the installed build was made with other flags
(the stamp records pin and CMake arguments), when it is missing, or when its system info says
it would use AMX, whose ggml kernels segfault on Q4_K weights (ggml-org/llama.cpp#20824).
`check` only reports. The flags themselves are defined once, in mk/generators.mk.

    python scripts/llamacpp_build.py ensure --pin PIN --cmake-args ARGS --stamp FILE
    python scripts/llamacpp_build.py check --pin PIN --cmake-args ARGS --stamp FILE
    python scripts/llamacpp_build.py info
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

# "AMX_INT8 = 1", "AMX_BF16 = 1", ... in llama_print_system_info(); "= 0" or absent is fine.
_AMX_ON = re.compile(r"\b(AMX[A-Z0-9_]*)\s*=\s*1\b")
_PROBE = "import llama_cpp, llama_cpp.server; print(llama_cpp.llama_print_system_info().decode())"


def system_info(python: str = sys.executable) -> str | None:
    """llama.cpp's system info from `python`, or None when it cannot import llama_cpp.

    A subprocess: the caller never loads the native library itself."""
    res = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=120)
    return res.stdout if res.returncode == 0 else None


def amx_features(info: str) -> list[str]:
    """The AMX features a system-info line reports as compiled in."""
    return _AMX_ON.findall(info)


def stamp_text(pin: str, cmake_args: str) -> str:
    return f"{pin}\nCMAKE_ARGS={cmake_args}\n"


def why_rebuild(python: str, pin: str, cmake_args: str, stamp: Path) -> str | None:
    """The reason the installed build must be replaced, or None when it is the wanted one."""
    info = system_info(python)
    if info is None:
        return "llama_cpp is not installed (or does not import)"
    amx = amx_features(info)
    if amx:
        return f"the installed build uses AMX ({', '.join(amx)})"
    have = stamp.read_text(encoding="utf-8") if stamp.is_file() else ""
    if have != stamp_text(pin, cmake_args):
        return f"it was not built with the current flags ({stamp} differs)"
    return None


def build(python: str, pin: str, cmake_args: str, stamp: Path) -> None:
    """Compile and install `pin` with `cmake_args`, then record them in `stamp`."""
    stamp.unlink(missing_ok=True)  # a failed build must not look current
    package = re.sub(r"\[[^\]]*\]", "", pin)  # the extras' dependencies come in the second step
    name = package.split("=")[0].strip()
    env = dict(os.environ, CMAKE_ARGS=cmake_args)
    # pip keys its wheel cache on name and version only, not on CMAKE_ARGS: --no-cache-dir
    # and --no-binary make it compile with these flags instead of reusing an older build.
    pip = [python, "-m", "pip", "install"]
    force = ["--no-cache-dir", "--force-reinstall", "--no-deps", "--no-binary", name]
    subprocess.run([*pip, *force, package], env=env, check=True)
    subprocess.run([*pip, pin], env=env, check=True)  # dependencies, incl. the server extra
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(stamp_text(pin, cmake_args), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("command", choices=("ensure", "check", "info"))
    p.add_argument("--python", default=sys.executable, help="the venv's python")
    p.add_argument("--pin", default="", help="the pip requirement, e.g. NAME[server]==VERSION")
    p.add_argument("--cmake-args", default="", help="CMAKE_ARGS for the build")
    p.add_argument("--stamp", type=Path, default=Path(".cache/llamacpp.stamp"))
    args = p.parse_args(argv)
    if args.command == "info":
        info = system_info(args.python)
        print(info if info is not None else "llama_cpp does not import")
        return 0 if info is not None else 1
    if not args.pin:
        p.error("--pin is required")
    reason = why_rebuild(args.python, args.pin, args.cmake_args, args.stamp)
    if reason is None:
        print(f"llama.cpp is current ({args.pin}, CMAKE_ARGS={args.cmake_args})")
        return 0
    if args.command == "check":
        print(f"llama.cpp needs a rebuild: {reason}")
        return 1
    print(f"building llama.cpp (~5 min on 2 cores): {reason}", flush=True)
    build(args.python, args.pin, args.cmake_args, args.stamp)
    reason = why_rebuild(args.python, args.pin, args.cmake_args, args.stamp)
    if reason is not None:
        print(f"the new llama.cpp build is still wrong: {reason}", file=sys.stderr)
        return 1
    print(system_info(args.python) or "", end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
