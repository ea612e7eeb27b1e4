"""Latency of practice mode on a running service (loopback only, bounded).

    python scripts/bench_practice.py --url http://127.0.0.1:8000 [--n 30]

Per round: GET /practice/question for a fresh learner, then POST /practice/grade of an answer
to it, alternately a Chinese one (the notes' answer's first 200 characters: lexical grading
only) and an English one (also the e5 similarity: the sentences are embedded). Each grade
reschedules the question, so the rounds walk through the bank as a learner would.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

ENGLISH = (
    "It mainly comes from the training data and the training objective; more diverse data and "
    "better decoding settings help."
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(times: list[float]) -> dict[str, float]:
    if not times:
        return {"n": 0}
    return {
        "n": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(pct(times, 0.95), 1),
    }


def timed(
    call: Callable[..., httpx.Response], *args: Any, **kwargs: Any
) -> tuple[httpx.Response, float]:
    t = time.perf_counter()
    resp = call(*args, **kwargs)
    ms = 1000 * (time.perf_counter() - t)
    resp.raise_for_status()
    return resp, ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--n", type=int, default=30, help="rounds of question + grade")
    ap.add_argument("--api-key")
    args = ap.parse_args()
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    user = f"bench-{uuid.uuid4().hex[:8]}"
    question_ms: list[float] = []
    grade_ms: dict[str, list[float]] = {"zh": [], "en": []}
    with httpx.Client(base_url=args.url, timeout=120, headers=headers) as client:
        topics, topics_ms = timed(client.get, "/topics")
        for i in range(args.n):
            q, ms = timed(client.get, "/practice/question", params={"user": user})
            question_ms.append(ms)
            qid = q.json()["question_id"]
            kind = "en" if i % 2 else "zh"
            if kind == "zh":  # the notes' answer comes back in a grade; take it from one
                probe, _ms = timed(
                    client.post,
                    "/practice/grade",
                    json={"question_id": qid, "answer": "", "user": f"{user}-probe"},
                )
                answer = probe.json()["reference"]["text"][:200]
            else:
                answer = ENGLISH
            _g, ms = timed(
                client.post,
                "/practice/grade",
                json={"question_id": qid, "answer": answer, "user": user},
            )
            grade_ms[kind].append(ms)
        progress, progress_ms = timed(client.get, "/practice/progress", params={"user": user})
    print(
        json.dumps(
            {
                "bank": topics.json()["total"],
                "topics_ms": round(topics_ms, 1),
                "question": summary(question_ms),
                "grade": summary(grade_ms["zh"] + grade_ms["en"]),
                "grade_zh": summary(grade_ms["zh"]),
                "grade_en": summary(grade_ms["en"]),
                "progress_ms": round(progress_ms, 1),
                "seen": progress.json()["seen"],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
