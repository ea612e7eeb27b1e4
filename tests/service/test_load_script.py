"""scripts/load_test.py: loopback only, bounded, and its report adds up (a 2-second run)."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "load_test.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_test"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("url", ["http://10.1.2.3:8000", "http://[2001:db8::1]:80", "ftp://x"])
def test_refuses_anything_but_loopback(url: str) -> None:
    with pytest.raises(SystemExit, match="refusing non-loopback|not an http"):
        load_script().loopback_only(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://[::1]:1", "http://localhost:1"])
def test_accepts_loopback(url: str) -> None:
    assert load_script().loopback_only(url)


def test_short_mixed_run_reports_and_stops(live_app, Fake, tmp_path: Path) -> None:
    script = load_script()
    out = tmp_path / "report.json"
    with live_app(Fake(), max_queue=64) as srv:
        t0 = time.monotonic()
        argv = ["--url", srv.url, "--clients", "4", "--duration", "2", "--mode", "mix"]
        rc = script.main([*argv, "--json", str(out)])
        assert time.monotonic() - t0 < 20
    report = json.loads(out.read_text(encoding="utf-8"))
    assert rc == 0 and report["failed_requests"] == 0
    every = report["all"]
    assert every["requests"] > 8 and every["5xx"] == 0 and every["p50_ms"] <= every["p99_ms"]
    assert report["/search"]["requests"] and report["/ask"]["requests"]
    assert sum(report["/ask"]["status"].values()) == report["/ask"]["requests"]
    assert len(report["index_versions"]) == 1


def test_polite_clients_wait_out_retry_after(live_app, Fake, tmp_path: Path) -> None:
    """One slot, no queue, a 1 s answer: hammering clients pile up 429s, polite ones back off
    for the Retry-After (1 s here) and so send a handful."""
    script = load_script()
    reports = {}
    for polite in (False, True):
        out = tmp_path / f"report-{polite}.json"
        with live_app(Fake(delay_s=1.0), max_concurrency=1, max_queue=0) as srv:
            srv.app.state.pipeline.limiter.retry_after_s = 1
            argv = ["--url", srv.url, "--clients", "3", "--duration", "3", "--mode", "ask"]
            flags = ["--obey-retry-after"] if polite else []
            assert script.main([*argv, *flags, "--json", str(out)]) == 0
        reports[polite] = json.loads(out.read_text(encoding="utf-8"))
    hammer, polite_ask = reports[False]["/ask"], reports[True]["/ask"]
    assert reports[True]["obey_retry_after"] is True
    assert hammer["5xx"] == polite_ask["5xx"] == 0
    assert polite_ask["ok_2xx"] >= 2  # answers still flow
    # 2 of 3 polite clients are refused at a time and then sit out 1 s: a few 429s each in
    # 3 s, against hundreds from clients that never wait.
    assert polite_ask["status"].get("429", 0) <= 12 < hammer["status"]["429"]
