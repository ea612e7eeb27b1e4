"""Time to add a ~50 KB note through the API, and /search latency while it indexes.

    python scripts/bench_documents.py [--index index] [--kb 50] [--searches 40] [--json out.json]

Copies the given index (its embedding cache included, so the shipped corpus costs nothing),
starts the real service on a free loopback port (extractive generator, default embedder),
then:
  1. /search p50/p95 at rest (sequential requests);
  2. POST /documents?wait=true of a new ~50 KB note (every chunk new to the cache), alone:
     the time to add it (upload to "the new version is live");
  3. the same with another new note while a second thread sends /search back to back: the
     add's time, and /search p50/p95 and failures during it, with the versions that answered;
  4. DELETE of both notes (?wait=true).
Uses only loopback and temporary directories; the given index is not modified.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ("LoRA 的原理是什么？", "prefix LM 和 causal LM 的区别", "RMSNorm 为什么有效", "KV cache")


def make_note(kb: int) -> tuple[str, bytes]:
    """New text of about `kb` KB, built from shipped paragraphs each tagged with a fresh id
    (so no chunk is in the embedding cache), in the notes' own Q&A format."""
    tag = uuid.uuid4().hex[:6]
    paragraphs = [
        p.strip()
        for p in (ROOT / "corpus" / "001_c14bfeaf169b6fab.txt").read_text("utf-8").split("\n\n")
        if len(p.strip()) > 40
    ]
    out, i = [f"# 复习笔记 {tag}\n"], 0
    while len("\n".join(out).encode()) < kb * 1000:
        p = paragraphs[i % len(paragraphs)]
        out.append(f"## {i + 1}. 复习要点 {tag}-{i}？\n\n{p}（笔记 {tag}-{i}）\n")
        i += 1
    return f"bench-{tag}.md", "\n".join(out).encode()


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100)[int(q) - 1] if len(xs) >= 2 else (xs or [0.0])[0]


def search_once(client: httpx.Client) -> tuple[float, int, str]:
    q = QUERIES[int(time.monotonic() * 1000) % len(QUERIES)]
    t = time.perf_counter()
    r = client.get("/search", params={"q": q, "k": 5})
    return (time.perf_counter() - t) * 1000, r.status_code, r.headers.get("x-index-version", "")


def start_service(index: Path, docs: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESQA_")}
    env |= {"NOTESQA_DOCS_DIR": str(docs), "NOTESQA_CORPUS_DIR": str(ROOT / "corpus")}
    cmd = [sys.executable, "-m", "service", "--generator", "extractive", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*cmd, "--index", str(index)], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"service did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.3)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=ROOT / "index")
    ap.add_argument("--kb", type=int, default=50)
    ap.add_argument("--searches", type=int, default=200, help="at-rest /search samples")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-docs-"))
    shutil.copytree(args.index, work / "index", symlinks=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = start_service(work / "index", work / "documents", port, work / "api.log")
    result: dict[str, object] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
            for _ in range(3):
                search_once(client)  # warm-up
            rest = [search_once(client)[0] for _ in range(args.searches)]
            alone_name, alone_data = make_note(args.kb)
            t = time.perf_counter()
            alone = client.post(
                "/documents", params={"wait": "true"}, files={"file": (alone_name, alone_data)}
            )
            alone_s = time.perf_counter() - t
            assert alone.status_code == 201, alone.text
            name, data = make_note(args.kb)
            during: list[tuple[float, int, str]] = []
            stop = threading.Event()

            def load() -> None:
                with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
                    while not stop.is_set():
                        during.append(search_once(c))

            worker = threading.Thread(target=load)
            worker.start()
            t = time.perf_counter()
            resp = client.post("/documents", params={"wait": "true"}, files={"file": (name, data)})
            add_s = time.perf_counter() - t
            stop.set()
            worker.join()
            assert resp.status_code == 201, resp.text
            t = time.perf_counter()
            gone = client.delete(f"/documents/{name}", params={"wait": "true"})
            delete_s = time.perf_counter() - t
            assert gone.status_code == 200, gone.text
            gone = client.delete(f"/documents/{alone_name}", params={"wait": "true"})
            assert gone.status_code == 200, gone.text
            lat = [ms for ms, code, _ in during if code == 200]
            result = {
                "note_bytes": len(data),
                "chunks": resp.json()["chunks"],
                "add_alone_s": round(alone_s, 2),
                "add_alone_chunks": alone.json()["chunks"],
                "add_under_search_load_s": round(add_s, 2),
                "delete_s": round(delete_s, 2),
                "search_rest_p50_ms": round(pct(rest, 50), 1),
                "search_rest_p95_ms": round(pct(rest, 95), 1),
                "search_during_n": len(during),
                "search_during_p50_ms": round(pct(lat, 50), 1),
                "search_during_p95_ms": round(pct(lat, 95), 1),
                "search_during_failures": sum(code != 200 for _, code, _ in during),
                "versions_seen_during": len({v for _, _, v in during}),
            }
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
