"""Bounded load test of a running service, loopback only.

    python scripts/load_test.py --url http://127.0.0.1:8000 --clients 32 --duration 60 \
        --mode search|ask|mix [--obey-retry-after] [--reingest --index DIR --corpus DIR] \
        [--json out.json]

N concurrent clients send requests back to back for T seconds (questions in turn from a fixed
list, /ask as JSON; with `--mode mix`, every other request is /ask), then the test stops by
itself: in-flight requests get `--timeout` more seconds, nothing is retried. Reports requests/s,
p50/p95/p99 latency, status-code counts and the 5xx count, per endpoint and overall.

By default clients hammer: a 429 is followed at once by the next request. With
`--obey-retry-after`, a client waits as long as the 429's Retry-After says first, as a
well-behaved client does.

`--reingest`: midway, copy the corpus, touch one file (append a paragraph) and run
`python -m ingest --index DIR --corpus COPY`, i.e. publish a new index while under load;
reports the ingest's exit status and time, the index versions that answered (X-Index-Version)
and the failed requests (5xx or transport errors; 429 is load shedding, counted apart).

The URL must point at this machine (127.0.0.0/8, ::1 or a name that resolves only there).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = (
    "prefix LM 和 causal LM 的区别是什么？",
    "LoRA 的原理是什么？",
    "什么是注意力机制？",
    "大模型为什么会出现幻觉？",
    "RLHF 的流程是怎样的？",
    "什么是 KV cache？",
    "如何缓解大模型的复读机问题？",
    "Transformer 中的位置编码有哪些？",
    "What is the difference between encoder and decoder models?",
    "如何做红烧肉",  # off topic: the gate refuses, cheaply
)


def loopback_only(url: str) -> str:
    """The host of `url` if every address it resolves to is loopback; else SystemExit."""
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        raise SystemExit(f"load_test: not an http(s) URL: {url!r}")
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise SystemExit(f"load_test: cannot resolve {host!r}: {exc}") from exc
    addrs = {str(info[4][0]).split("%")[0] for info in infos}
    if not addrs or not all(ipaddress.ip_address(a).is_loopback for a in addrs):
        raise SystemExit(f"load_test: refusing non-loopback host {host!r} ({', '.join(addrs)})")
    return host


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Results:
    latency_ms: dict[str, list[float]] = field(default_factory=dict)  # endpoint -> 2xx latencies
    statuses: dict[str, Counter[str]] = field(default_factory=dict)  # endpoint -> status counts
    versions: Counter[str] = field(default_factory=Counter)  # X-Index-Version of 2xx answers
    failures: list[str] = field(default_factory=list)  # "t=12.3s /ask 503 ..." (first 20)
    started: float = 0.0

    def record(self, endpoint: str, status: str, ms: float, version: str | None) -> None:
        self.statuses.setdefault(endpoint, Counter())[status] += 1
        if status.startswith("2"):
            self.latency_ms.setdefault(endpoint, []).append(ms)
            if version:
                self.versions[version] += 1

    def fail(self, endpoint: str, what: str) -> None:
        if len(self.failures) < 20:
            self.failures.append(f"t={time.monotonic() - self.started:.1f}s {endpoint} {what}")


async def one(
    client: httpx.AsyncClient, endpoint: str, question: str, res: Results
) -> float | None:
    """Send one request and record it; the 429's Retry-After in seconds, if it had one."""
    t0 = time.perf_counter()
    try:
        if endpoint == "/search":
            resp = await client.get("/search", params={"q": question, "k": 5})
        else:
            resp = await client.post("/ask", json={"question": question})
    except httpx.HTTPError as exc:
        res.record(endpoint, f"error:{type(exc).__name__}", 0.0, None)
        res.fail(endpoint, f"{type(exc).__name__}: {exc}")
        return None
    ms = 1000 * (time.perf_counter() - t0)
    res.record(endpoint, str(resp.status_code), ms, resp.headers.get("x-index-version"))
    if resp.status_code >= 500:
        res.fail(endpoint, f"{resp.status_code} {resp.text[:200]}")
    if resp.status_code == 429:
        try:
            return float(resp.headers.get("retry-after", ""))
        except ValueError:
            return None
    return None


async def worker(
    client: httpx.AsyncClient,
    wid: int,
    mode: str,
    deadline: float,
    res: Results,
    obey_retry_after: bool = False,
) -> None:
    i = wid
    while time.monotonic() < deadline:
        ask = mode == "ask" or (mode == "mix" and i % 2 == 1)
        wait = await one(client, "/ask" if ask else "/search", QUESTIONS[i % len(QUESTIONS)], res)
        if obey_retry_after and wait:  # a polite client: back off as told, never past the end
            await asyncio.sleep(max(0.0, min(wait, deadline - time.monotonic())))
        i += 1


def touched_corpus_copy(corpus: Path, dest: Path) -> Path:
    copy = Path(shutil.copytree(corpus, dest / "corpus"))
    target = sorted(p for p in copy.iterdir() if p.suffix in (".txt", ".md"))[0]
    with target.open("a", encoding="utf-8") as fh:
        fh.write(
            f"\n\n## 压测追加 {time.time():.0f}\n\n这是压测时追加的一段文字，用于发布新索引。\n"
        )
    return copy


async def reingest(index: Path, corpus: Path, delay_s: float, out: dict[str, object]) -> None:
    await asyncio.sleep(delay_s)
    with tempfile.TemporaryDirectory(prefix="load-reingest-") as tmp:
        copy = touched_corpus_copy(corpus, Path(tmp))
        cmd = [sys.executable, "-m", "ingest", "--index", str(index), "--corpus", str(copy)]
        t0 = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            "--quiet",
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await proc.communicate()
        out.update(
            command=" ".join(cmd),
            started_at_s=round(delay_s, 1),
            rc=proc.returncode,
            seconds=round(time.monotonic() - t0, 1),
            output=output.decode(errors="replace").strip()[-300:],
        )


def summarize(res: Results, elapsed: float) -> dict[str, object]:
    def block(statuses: Counter[str], lat: list[float]) -> dict[str, object]:
        n = sum(statuses.values())
        return {
            "requests": n,
            "rps": round(n / elapsed, 1),
            "ok_2xx": len(lat),
            "p50_ms": round(pct(lat, 0.50), 1),
            "p95_ms": round(pct(lat, 0.95), 1),
            "p99_ms": round(pct(lat, 0.99), 1),
            "status": dict(sorted(statuses.items())),
            "5xx": sum(c for s, c in statuses.items() if s.startswith("5")),
            "transport_errors": sum(c for s, c in statuses.items() if s.startswith("error")),
        }

    total: Counter[str] = Counter()
    for c in res.statuses.values():
        total.update(c)
    every = [ms for lat in res.latency_ms.values() for ms in lat]
    out: dict[str, object] = {"seconds": round(elapsed, 1), "all": block(total, every)}
    for endpoint in sorted(res.statuses):
        out[endpoint] = block(res.statuses[endpoint], res.latency_ms.get(endpoint, []))
    out["index_versions"] = dict(res.versions)
    failed = sum(c for s, c in total.items() if s.startswith("5") or s.startswith("error"))
    out["failed_requests"] = failed
    out["first_failures"] = res.failures
    return out


async def run(args: argparse.Namespace) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    timeout = httpx.Timeout(args.timeout)
    res = Results()
    ingest: dict[str, object] = {}
    async with httpx.AsyncClient(
        base_url=args.url, headers=headers, limits=limits, timeout=timeout, trust_env=False
    ) as client:
        ready = await client.get("/readyz")
        if ready.status_code != 200:
            raise SystemExit(f"load_test: service not ready: {ready.status_code} {ready.text}")
        res.started = time.monotonic()
        deadline = res.started + args.duration
        tasks = [
            worker(client, w, args.mode, deadline, res, args.obey_retry_after)
            for w in range(args.clients)
        ]
        if args.reingest:
            tasks.append(reingest(args.index, args.corpus, args.duration / 2, ingest))
        # Bounded however the server behaves: stragglers get `timeout` s, then are cancelled.
        await asyncio.wait_for(asyncio.gather(*tasks), args.duration + args.timeout + 120)
        elapsed = time.monotonic() - res.started
    report = {
        "url": args.url,
        "mode": args.mode,
        "clients": args.clients,
        "obey_retry_after": args.obey_retry_after,
        **summarize(res, elapsed),
    }
    if args.reingest:
        report["reingest"] = ingest
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of load (max 600)")
    ap.add_argument("--mode", choices=("search", "ask", "mix"), default="mix")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, seconds")
    ap.add_argument("--api-key", default=os.environ.get("NOTESQA_API_KEY"))
    ap.add_argument(
        "--obey-retry-after",
        action="store_true",
        help="after a 429, wait its Retry-After before the next request (default: hammer)",
    )
    ap.add_argument("--reingest", action="store_true", help="publish a new index midway")
    ap.add_argument("--index", type=Path, help="the server's index directory (--reingest)")
    ap.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("NOTESQA_CORPUS_DIR", "corpus")),
        help="corpus to copy and touch (--reingest; default $NOTESQA_CORPUS_DIR or corpus/)",
    )
    ap.add_argument("--json", type=Path, help="also write the report here")
    args = ap.parse_args(argv)
    loopback_only(args.url)
    if not (1 <= args.clients <= 256 and 0 < args.duration <= 600):
        ap.error("--clients must be 1..256 and --duration 0..600 s")
    if args.reingest and (args.index is None or not args.corpus.is_dir()):
        ap.error("--reingest needs --index DIR and an existing --corpus DIR")
    report = asyncio.run(run(args))
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    ingest = report.get("reingest")
    ingest_rc = ingest.get("rc") if isinstance(ingest, dict) else 0
    return 1 if report["failed_requests"] or ingest_rc else 0


if __name__ == "__main__":
    raise SystemExit(main())
