"""A tiny, slow OpenAI-compatible server, run as a subprocess so a test can SIGKILL it.

`python tests/service/fake_llm_server.py MARKER_DIR`: binds 127.0.0.1 on a free port, prints
the port, then serves GET /v1/models and POST /v1/chat/completions. A stream sends one chunk
every 0.2 s (chunked encoding, as real servers do) for up to a minute; a plain completion
waits a minute before answering. Each chat request creates MARKER_DIR/request-<n> first, so a
test knows the request is in flight before it kills the process. Stdlib only: starts fast.
"""

from __future__ import annotations

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MARKERS = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
LIMIT_S = 60.0  # never outlive a forgotten test by more than this


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests = 0

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def _json(self, obj: object) -> None:
        data = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _chunk(self, text: str) -> None:
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._json({"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        Handler.requests += 1
        (MARKERS / f"request-{Handler.requests}").touch()
        if not body.get("stream"):
            time.sleep(LIMIT_S)
            msg = {"role": "assistant", "content": "太迟了[1]"}
            self._json({"choices": [{"index": 0, "message": msg, "finish_reason": "stop"}]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        deadline = time.monotonic() + LIMIT_S
        while time.monotonic() < deadline:
            delta = {"choices": [{"index": 0, "delta": {"content": "注意力[1]。"}}]}
            self._chunk(f"data: {json.dumps(delta, ensure_ascii=False)}\n\n")
            time.sleep(0.2)
        self._chunk("data: [DONE]\n\n")
        self._chunk("")


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.timeout = 1
    started = time.monotonic()
    while time.monotonic() - started < LIMIT_S * 2:
        server.handle_request()


if __name__ == "__main__":
    main()
