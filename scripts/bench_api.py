"""Latency benchmark of a running service (loopback only, bounded).

    python scripts/bench_api.py --url http://127.0.0.1:8000 [--n 30] [--ask-n 5]

/search: p50/p95 over N dev questions. /ask (streamed): time to first token and total, for
the first ASK_N answerable dev questions, at the service's default top_k.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import httpx


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_search(client: httpx.Client, questions: list[str]) -> dict[str, float]:
    times = []
    for q in questions:
        t = time.perf_counter()
        r = client.get("/search", params={"q": q, "k": 5})
        r.raise_for_status()
        times.append(1000 * (time.perf_counter() - t))
    return {
        "n": len(times),
        "p50_ms": round(pct(times, 0.5), 1),
        "p95_ms": round(pct(times, 0.95), 1),
    }


def bench_ask(client: httpx.Client, questions: list[str]) -> dict[str, float]:
    ttft, total, refused = [], [], 0
    for q in questions:
        t = time.perf_counter()
        first = None
        event = ""
        with client.stream("POST", "/ask", json={"question": q, "stream": True}) as r:
            r.raise_for_status()
            for line in r.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "token" and first is None:
                    first = time.perf_counter()
                elif line.startswith("data:") and event == "done":
                    refused += bool(json.loads(line[5:]).get("refused"))
        end = time.perf_counter()
        ttft.append(1000 * ((first or end) - t))
        total.append(1000 * (end - t))
    return {
        "n": len(total),
        "refused": refused,
        "ttft_p50_ms": round(statistics.median(ttft)),
        "ttft_p95_ms": round(pct(ttft, 0.95)),
        "total_p50_ms": round(statistics.median(total)),
        "total_p95_ms": round(pct(total, 0.95)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--questions", type=Path, default=Path("eval/datasets/dev.jsonl"))
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--ask-n", type=int, default=5)
    ap.add_argument(
        "--offset", type=int, default=0, help="skip questions (avoid prefix-cache hits)"
    )
    ap.add_argument("--api-key")
    args = ap.parse_args()
    items = [
        json.loads(x) for x in args.questions.read_text(encoding="utf-8").splitlines() if x.strip()
    ]
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    with httpx.Client(base_url=args.url, timeout=300, headers=headers) as client:
        client.get("/search", params={"q": "warm up", "k": 5})
        info = client.get("/readyz").json()
        search = bench_search(client, [i["question"] for i in items[: args.n]])
        answerable = [i["question"] for i in items if i["kind"] != "unanswerable"][
            args.offset : args.offset + args.ask_n
        ]
        ask = bench_ask(client, answerable) if args.ask_n else {}
    print(json.dumps({"readyz": info, "search": search, "ask": ask}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
