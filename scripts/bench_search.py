"""GET /search over HTTP (keep-alive) against the same search in-process, in one run.

    python scripts/bench_search.py [--index index] [--n 60] [--rounds 3]

Starts `python -m service` on a free loopback port (extractive generator, the given index),
then searches N dev questions each twice in turn: in-process (the retriever and the part
splitting the route uses, called directly) and over HTTP with one keep-alive connection. Distinct
questions, so no cache serves a repeat. Prints p50/p95 per side and the HTTP overhead.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_service(index: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NOTESQA_GENERATOR": "extractive", "NOTESQA_INDEX_DIR": str(index)}
    cmd = [sys.executable, "-m", "service", "--port", str(port), "--log-level", "WARNING"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def wait_ready(client: httpx.Client, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the service exited with {proc.returncode}")
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the service did not become ready in 180 s")


def summary(times: list[float]) -> dict[str, float]:
    return {
        "n": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(pct(times, 0.95), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", type=Path, default=Path("index"))
    ap.add_argument("--questions", type=Path, default=Path("eval/datasets/dev.jsonl"))
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--pause-s", type=float, default=0.05, help="idle time before each search")
    args = ap.parse_args()

    from core.retrieval import open_retriever
    from core.settings import Settings
    from service.parts import search_parts  # what the route runs: a question part by part

    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(x)["question"] for x in lines if x.strip()][: args.n]
    retriever = open_retriever(Settings(index_dir=args.index, generator="extractive"))
    retriever.search("warm-up 预热", args.k)
    port = free_port()
    proc = start_service(args.index, port)
    local: list[float] = []
    http: list[float] = []
    server: list[float] = []  # the search inside each HTTP request (Server-Timing)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            wait_ready(client, proc)
            client.get("/search", params={"q": "warm-up 预热", "k": args.k}).raise_for_status()
            # Question by question, in-process then HTTP, with the same pause before each:
            # the two sides see the same background load (the machine is shared), and neither
            # starts while the other's embedder threads are still busy.
            for _ in range(args.rounds):
                for q in questions:
                    time.sleep(args.pause_s)
                    t = time.perf_counter()
                    search_parts(retriever.search, q, args.k)
                    local.append(1000 * (time.perf_counter() - t))
                    time.sleep(args.pause_s)
                    t = time.perf_counter()
                    resp = client.get("/search", params={"q": q, "k": args.k})
                    http.append(1000 * (time.perf_counter() - t))
                    resp.raise_for_status()
                    if timing := resp.headers.get("server-timing"):  # older services lack it
                        server.append(float(timing.split("dur=")[1]))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    a, b = summary(local), summary(http)
    out = {
        "in_process": a,
        "http": b,
        "http_search_part": summary(server) if server else None,
        "overhead_p50_ms": round(b["p50_ms"] - a["p50_ms"], 1),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
