"""Index hot reload, readiness, metrics, logs without question text, OpenAPI, the CLI."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from core.errors import GeneratorTimeout, GeneratorUnavailable

NEW_TOPIC = "# 新增笔记\n\n## 什么是量子退火调度器？\n\n量子退火调度器是一个只在新版本索引里出现的虚构概念，用来测试热加载。\n"


def test_new_index_is_picked_up_without_restart(
    app_factory, rebuild, small_corpus: Path, index_dir: Path
) -> None:
    with app_factory(reload_check_s=0.1) as (client, _):
        first = client.get("/search", params={"q": "量子退火调度器"})
        v1 = first.headers["x-index-version"]
        assert all("量子退火" not in h["text"] for h in first.json()["hits"])
        statuses: list[int] = []
        stop = threading.Event()

        def hammer() -> None:  # requests during the load and the swap must all succeed
            while not stop.is_set():
                statuses.append(
                    client.post("/ask", json={"question": "LangChain 是什么？"}).status_code
                )

        t = threading.Thread(target=hammer)
        t.start()
        try:
            (small_corpus / "new.md").write_text(NEW_TOPIC, encoding="utf-8")
            time.sleep(1.1)  # versions are named by the second
            v2 = rebuild(small_corpus, index_dir)
            assert v2 != v1
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                resp = client.get("/search", params={"q": "量子退火调度器"})
                if resp.headers["x-index-version"] == v2:
                    break
                time.sleep(0.05)
        finally:
            stop.set()
            t.join(10)
        assert resp.headers["x-index-version"] == v2
        assert resp.json()["hits"][0]["file"] == "new.md"
        assert statuses and set(statuses) == {200}
        ask = client.post("/ask", json={"question": "什么是量子退火调度器？"})
        assert ask.headers["x-index-version"] == v2
        assert client.get("/readyz").json()["index_version"] == v2
        metrics = client.get("/metrics").text
        assert 'notesqa_index_reloads_total{outcome="ok"} 2.0' in metrics
        assert f'notesqa_index_info{{version="{v2}"}} 1.0' in metrics


def test_broken_new_index_keeps_serving_the_old_one(app_factory, index_dir: Path) -> None:
    with app_factory(reload_check_s=0.1) as (client, _):
        v1 = client.get("/readyz").json()["index_version"]
        broken = index_dir / "versions" / "broken"
        broken.mkdir()
        tmp = index_dir / ".tmp-link"
        tmp.symlink_to(Path("versions") / "broken")
        tmp.replace(index_dir / "current")
        deadline = time.monotonic() + 10
        holder = client.app.state.holder
        while holder.error is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert holder.error  # reported ...
        resp = client.get("/search", params={"q": "LoRA"})
        assert resp.status_code == 200 and resp.headers["x-index-version"] == v1  # ... not served


def test_readyz_reflects_the_generator_check(app_factory, Fake) -> None:
    with app_factory(Fake()) as (client, _):
        ok = client.get("/readyz")
        assert ok.status_code == 200 and ok.json()["ready"] is True
    with app_factory(Fake(check_error=GeneratorUnavailable("llama server down"))) as (client, _):
        bad = client.get("/readyz")
        assert bad.status_code == 503
        assert bad.json()["ready"] is False and "llama server down" in bad.json()["reason"]
        assert client.get("/healthz").status_code == 200


def test_metrics_exposition(app_factory, Fake, on_topic, off_topic) -> None:
    with app_factory(Fake("见[1]。")) as (client, _):
        client.post("/ask", json={"question": on_topic})
        client.post("/ask", json={"question": off_topic})
        client.post("/ask", json={"question": ""})
        client.get("/search", params={"q": "LoRA"})
        text = client.get("/metrics").text
    assert 'notesqa_requests_total{route="/ask",status="200"} 2.0' in text
    assert 'notesqa_requests_total{route="/ask",status="422"} 1.0' in text
    assert 'notesqa_requests_total{route="/search",status="200"} 1.0' in text
    for stage in ("retrieve", "generate", "total"):
        assert f'notesqa_stage_seconds_count{{stage="{stage}"}}' in text
    assert 'notesqa_stage_seconds_count{stage="retrieve"} 3.0' in text
    assert 'notesqa_refusals_total{reason="gate"} 1.0' in text
    assert "notesqa_generator_errors_total" in text


def test_two_apps_have_separate_registries(app_factory, on_topic) -> None:
    with app_factory() as (a, _), app_factory() as (b, _):
        a.post("/ask", json={"question": on_topic})
        assert 'route="/ask"' in a.get("/metrics").text
        assert 'route="/ask"' not in b.get("/metrics").text


def test_info_logs_never_contain_question_text(app_factory, Fake, caplog) -> None:
    secret = "独一无二的问题标记ZQX"
    caplog.set_level(logging.INFO)
    with app_factory(Fake("见[1]。")) as (client, _):
        client.post("/ask", json={"question": f"{secret} prefix LM 是什么"})
        client.post("/ask", json={"question": f"{secret} prefix LM 是什么", "stream": True})
        client.get("/search", params={"q": secret})
        client.post("/ask", json={"question": secret * 200})  # 422
    with app_factory(Fake(error=GeneratorTimeout("slow"))) as (client, _):
        client.post("/ask", json={"question": f"{secret} prefix LM 是什么"})
    # the test client's own httpx log prints request URLs; that is the client, not the server
    server = [r for r in caplog.records if not r.name.startswith("httpx")]
    assert any("ask done" in r.getMessage() for r in server)
    text = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in server)
    assert "ZQX" not in text and "独一无二" not in text


def test_openapi_documents_every_route_with_examples(app_factory) -> None:
    with app_factory() as (client, _):
        spec = client.get("/openapi.json").json()
        assert client.get("/docs").status_code == 200
    assert {"/ask", "/search", "/healthz", "/readyz", "/metrics"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    for name in ("AskRequest", "AskResponse", "Source", "ErrorResponse"):
        assert name in schemas
    assert schemas["AskRequest"]["examples"] and schemas["AskResponse"]["examples"]
    ask = spec["paths"]["/ask"]["post"]
    assert {"401", "422", "429", "503", "504"} <= set(ask["responses"])
    assert "text/event-stream" in ask["responses"]["200"]["content"]


def test_cli_flags_override_settings(tmp_path: Path) -> None:
    from service.__main__ import parse_args, settings_from_args
    from service.generators.base import GeneratorConfig

    args = parse_args(
        [
            "--host",
            "0.0.0.0",
            "--port",
            "9001",
            "--generator",
            "extractive",
            "--index",
            str(tmp_path),
        ]
    )
    s = settings_from_args(args)
    assert (s.host, s.port, s.generator, s.index_dir) == ("0.0.0.0", 9001, "extractive", tmp_path)
    cfg = GeneratorConfig.from_settings(s)
    assert cfg.kind == "extractive" and cfg.context_window == s.llm_context_window
    assert cfg.base_url == s.llm_base_url and cfg.max_queue == s.max_queue


def test_served_connections_outlive_a_clients_idle_pool_expiry(index_dir: Path) -> None:
    """uvicorn's own default (5 s) closes an idle keep-alive connection just as httpx's pool
    (also 5 s) may reuse it, which resets requests under load. The service's options keep it
    open past that: a request on the same connection after 6 s idle still gets its answer."""
    import http.client

    from service.__main__ import server_options
    from service.app import create_app
    from tests.service.conftest import LiveServer, fake_loader, make_settings

    settings = make_settings(index_dir, generator="extractive")
    assert settings.keep_alive_s > 60  # beyond common proxies' idle timeouts, too
    app = create_app(settings, retriever_loader=fake_loader)
    with LiveServer(app, **server_options(settings)) as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        conn.request("GET", "/healthz")
        assert conn.getresponse().read() and conn.sock is not None
        first = conn.sock.getsockname()
        time.sleep(6)
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read()
        assert conn.sock.getsockname() == first, "the same connection, not a reconnect"
        conn.close()
