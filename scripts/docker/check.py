"""Checks on the running containers, from outside them (scripts/docker_smoke.sh calls these).

    python3 check.py api URL [--ready-timeout S] [--started-at EPOCH] [--container NAME]
                             [--docker BIN] [--out FILE]
    python3 check.py ui URL [--ready-timeout S] [--container NAME] [--docker BIN] [--out FILE]

Standard library only: this runs with the host's python3, not the project's venv. Every
failure exits non-zero with one line that says what was wrong.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

# A question the notes answer (several passages on LoRA across the files), in Chinese like
# most users' questions; the e2e tests use the same kind.
QUESTION = "LoRA 的原理是什么？"
# The image's generator and model (Dockerfile: NOTESQA_GENERATOR=llamacpp, qwen0.5b.gguf).
GENERATOR, MODEL = "llamacpp", "qwen0.5b"


def fail(msg: str) -> None:
    print(f"[check] FAIL: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def get(url: str, timeout: float = 10) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def post_json(url: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    req = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        if resp.status != 200:
            fail(f"POST {url} -> {resp.status}")
        return json.loads(resp.read())


# The container being waited for, so that a crash at start fails at once instead of after
# the whole ready timeout: (docker client, container name), set by main().
WATCH: tuple[str, str] | None = None


def container_alive() -> bool:
    if WATCH is None:
        return True
    out = subprocess.run(
        [WATCH[0], "inspect", "-f", "{{.State.Running}}", WATCH[1]],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return out.stdout.strip() == "true"


def wait_for(url: str, timeout: float, ok: Any) -> float:
    """Seconds until GET url satisfies ok(status, body); fails after timeout."""
    t0, last = time.monotonic(), "no answer"
    while time.monotonic() - t0 < timeout:
        if not container_alive():
            fail(f"the container exited before {url} answered (last: {last})")
        try:
            status, body = get(url, timeout=5)
            if ok(status, body):
                return time.monotonic() - t0
            last = f"{status} {body[:200]}"
        except (OSError, urllib.error.URLError) as exc:
            last = str(exc)
        time.sleep(0.5)
    fail(f"{url} not ready after {timeout:.0f} s (last: {last})")
    return 0.0


def check_api(url: str, ready_timeout: float, started_at: float | None) -> dict[str, Any]:
    waited = wait_for(f"{url}/readyz", ready_timeout, lambda s, _: s == 200)
    # from `docker run` returning, when the caller passes its clock; else from our first poll
    ready_s = time.time() - started_at if started_at else waited
    status, body = get(f"{url}/healthz")
    if status != 200:
        fail(f"/healthz -> {status} {body[:200]}")
    ready = json.loads(get(f"{url}/readyz")[1])
    if ready.get("generator") != GENERATOR or not ready.get("index_version"):
        fail(f"/readyz: expected generator {GENERATOR} and a built index, got {ready}")

    t0 = time.monotonic()
    # 300 s: the first answer on a busy 2-core machine (model load + prompt read + decode)
    ans = post_json(f"{url}/ask", {"question": QUESTION}, timeout=300)
    first_ask_s = time.monotonic() - t0
    if ans.get("refused") or not ans.get("answer"):
        fail(f"/ask refused or empty: {json.dumps(ans, ensure_ascii=False)[:400]}")
    cites = ans.get("citations") or []
    if not cites:
        fail(f"/ask answered without citations: {ans['answer'][:300]}")
    for c in cites:
        if not (c["file"] and c["end"] > c["start"] >= 0 and f"[{c['n']}]" in ans["answer"]):
            fail(f"/ask: a citation does not point into the notes or the answer: {c}")
    if ans.get("model") != MODEL:
        fail(f"/ask answered by {ans.get('model')!r}, not the image's {MODEL}")
    t1 = time.monotonic()
    post_json(f"{url}/ask", {"question": QUESTION}, timeout=300)
    second_ask_s = time.monotonic() - t1

    status, metrics = get(f"{url}/metrics")
    if status != 200 or 'notesqa_requests_total{route="/ask",status="200"}' not in metrics:
        fail(f"/metrics -> {status}, without the /ask requests just made")
    print(f"[check] api ok: answer {ans['answer'][:80]!r}… with {len(cites)} citation(s)")
    return {
        "start_to_ready_s": round(ready_s, 1),
        "first_ask_s": round(first_ask_s, 2),
        "second_ask_s": round(second_ask_s, 2),
        "timings_ms": ans.get("timings_ms"),
        "citations": len(cites),
        "index_version": ready["index_version"],
    }


def check_practice(url: str, timeout: float, seen: int) -> dict[str, Any]:
    """Practice mode writes progress (SQLite in its volume): a question, a graded answer,
    and the progress that must survive a restart (`seen`: answers recorded before this run)."""
    wait_for(f"{url}/readyz", timeout, lambda s, _: s == 200)
    user = "docker-smoke"
    status, body = get(f"{url}/practice/progress?user={user}")
    before = json.loads(body)["seen"] if status == 200 else -1
    if before != seen:
        fail(f"/practice/progress -> {status}: {before} seen, expected {seen} (lost on restart?)")
    status, body = get(f"{url}/practice/question?user={user}")
    if status != 200:
        fail(f"/practice/question -> {status} {body[:300]}")
    q = json.loads(body)
    graded = post_json(
        f"{url}/practice/grade", {"question_id": q["question_id"], "answer": "", "user": user}, 60
    )
    if graded.get("score") != 0.0 or not graded.get("points"):
        fail(f"/practice/grade of an empty answer: {json.dumps(graded, ensure_ascii=False)[:300]}")
    after = json.loads(get(f"{url}/practice/progress?user={user}")[1])["seen"]
    if after != seen + 1:
        fail(f"/practice/progress: {after} seen after grading, expected {seen + 1}")
    print(f"[check] practice ok: {q['question'][:40]!r} graded, {after} seen")
    return {"practice_seen": after}


def check_ui(url: str, timeout: float) -> dict[str, Any]:
    waited = wait_for(f"{url}/_stcore/health", timeout, lambda s, b: s == 200 and "ok" in b)
    status, page = get(f"{url}/")
    # Streamlit's page: a static shell whose script then draws the app
    if status != 200 or "<title>Streamlit</title>" not in page or 'id="root"' not in page:
        fail(f"UI page -> {status}: {page[:200]}")
    print("[check] ui ok: Streamlit serves its page")
    return {"ui_ready_s": round(waited, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["api", "practice", "ui"])
    ap.add_argument("--seen", type=int, default=0, help="practice: answers recorded earlier")
    ap.add_argument("url")
    # 600 s: the index is in the image, but loading torch, the embedder and the GGUF on a
    # shared 2-core machine took minutes at worst
    ap.add_argument("--ready-timeout", type=float, default=600)
    ap.add_argument("--started-at", type=float, default=None)
    ap.add_argument("--out", default=None)
    ap.add_argument("--container", default=None)
    ap.add_argument("--docker", default="docker")
    args = ap.parse_args()
    global WATCH
    if args.container:
        WATCH = (args.docker, args.container)
    url = args.url.rstrip("/")
    if args.what == "api":
        res = check_api(url, args.ready_timeout, args.started_at)
    elif args.what == "practice":
        res = check_practice(url, args.ready_timeout, args.seen)
    else:
        res = check_ui(url, args.ready_timeout)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
