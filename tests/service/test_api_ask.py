"""/ask and /search through the real app: citations, refusals, follow-ups, auth, request ids."""

from __future__ import annotations

import threading

CITATION_KEYS = {"n", "chunk_id", "file", "heading_path", "start", "end", "text", "score"}


# Both sentences say what passage [1] says (the notes' own words, condensed).
SUPPORTED = (
    "Prefix LM 和 Causal LM 是两种不同类型的语言模型[1][9]。"
    "它们的区别在于生成文本的方式和训练目标[1, 9]。"
)


def test_answer_with_valid_and_unknown_citations(app_factory, Fake, on_topic) -> None:
    gen = Fake(SUPPORTED)
    with app_factory(gen) as (client, gen):
        resp = client.post("/ask", json={"question": on_topic, "top_k": 3})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["refused"] is False and body["refusal_reason"] is None
        assert "[9]" not in body["answer"] and "[1]" in body["answer"]
        assert body["answer"].endswith("生成文本的方式和训练目标[1]。")
        assert body["removed"] == [] and body["support"]["verified"] == 1.0
        assert [c["n"] for c in body["citations"]] == [1]
        cite = body["citations"][0]
        assert set(cite) >= CITATION_KEYS
        # offsets point into the source file: the cited text is the file's text there
        assert cite["file"] in ("a.md", "b.md") and 0 <= cite["start"] < cite["end"]
        # the LLM sees the evidence units of the answering section, under their numbers
        assert 1 <= len(gen.requests[0].passages) <= len(body["sources"]) <= 3
        assert {p.n for p in gen.requests[0].passages} <= {s["n"] for s in body["sources"]}
        assert set(body["timings_ms"]) == {"retrieve", "generate", "total"}
        assert body["model"] == "fake-model"
        assert body["request_id"] == resp.headers["x-request-id"]
        assert body["index_version"] == resp.headers["x-index-version"]


def test_citation_offsets_point_into_the_file(app_factory, Fake, on_topic, small_corpus) -> None:
    with app_factory(Fake("见[1]。")) as (client, _):
        cite = client.post("/ask", json={"question": on_topic}).json()["citations"][0]
        source = (small_corpus / cite["file"]).read_text(encoding="utf-8")
        span = source[cite["start"] : cite["end"]]
        assert cite["text"][:20] in span or span[:20] in cite["text"]


def test_off_topic_question_refused_by_gate_without_generating(
    app_factory, Fake, off_topic
) -> None:
    with app_factory(Fake()) as (client, gen):
        body = client.post("/ask", json={"question": off_topic}).json()
        assert body["refused"] is True and body["refusal_reason"] == "no_evidence"
        assert body["answer"] == "资料中没有相关信息。"
        assert body["citations"] == [] and body["sources"]  # the closest passages, shown
        assert body["timings_ms"]["generate"] == 0
        assert gen.calls == 0
        assert 'notesqa_refusals_total{reason="gate"} 1.0' in client.get("/metrics").text


def test_refusal_sentence_follows_the_question_language() -> None:
    from service.pipeline import refusal_sentence

    assert refusal_sentence("how to cook braised pork?") == "The notes do not cover this."
    assert refusal_sentence("如何做红烧肉") == "资料中没有相关信息。"


def test_model_refusal_is_marked_refused(app_factory, Fake, on_topic) -> None:
    with app_factory(Fake("资料中没有相关信息。")) as (client, gen):
        body = client.post("/ask", json={"question": on_topic}).json()
        assert gen.calls == 1
        assert body["refused"] is True and body["refusal_reason"] == "model"
        assert body["answer"] == "资料中没有相关信息。"
        assert body["citations"] == [] and body["sources"]
        assert 'notesqa_refusals_total{reason="model"} 1.0' in client.get("/metrics").text


def test_follow_up_is_rewritten_before_retrieval(app_factory, Fake) -> None:
    history = [
        {"role": "user", "content": "LangChain 是什么？"},
        {"role": "assistant", "content": "LangChain 是一个框架[1]。"},
    ]
    with app_factory(Fake("见[1]。")) as (client, gen):
        body = client.post("/ask", json={"question": "那它的核心概念呢？", "history": history})
        body = body.json()
        assert body["question_used"] == "LangChain的核心概念呢？"
        assert "LangChain的核心概念呢？" in gen.requests[0].messages[1]["content"]
        assert any("LangChain" in " ".join(s["heading_path"]) for s in body["sources"])
        alone = client.post("/ask", json={"question": "那它的核心概念呢？"}).json()
        assert alone["question_used"] == "那它的核心概念呢？"


def test_search_returns_hits_with_duplicates_field(app_factory, Fake, on_topic) -> None:
    with app_factory(Fake()) as (client, gen):
        resp = client.get("/search", params={"q": on_topic, "k": 4})
        assert resp.status_code == 200
        body = resp.json()
        assert 1 <= len(body["hits"]) <= 4 and gen.calls == 0
        assert [h["n"] for h in body["hits"]] == list(range(1, len(body["hits"]) + 1))
        assert CITATION_KEYS | {"duplicates"} <= set(body["hits"][0])
        assert "Prefix LM" in body["hits"][0]["text"]
        assert resp.headers["x-index-version"] == body["index_version"]


def test_retrieval_runs_off_the_event_loop(app_factory, Fake, on_topic) -> None:
    threads: dict[str, int] = {}
    with app_factory(Fake()) as (client, _):
        holder = client.app.state.holder
        real = holder.get()

        class Spy:
            version = real.version

            def search(self, q: str, k: int):  # type: ignore[no-untyped-def]
                threads["search"] = threading.get_ident()
                return real.search(q, k)

        holder._current = Spy()
        client.portal.call(lambda: _record_loop_thread(threads))
        assert client.post("/ask", json={"question": on_topic}).status_code == 200
        assert threads["search"] != threads["loop"]


async def _record_loop_thread(threads: dict[str, int]) -> None:
    threads["loop"] = threading.get_ident()


def test_api_key(app_factory, error_of, on_topic) -> None:
    with app_factory(api_key="s3cret") as (client, gen):
        assert client.get("/healthz").status_code == 200
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "s3cret"}):
            resp = client.post("/ask", json={"question": on_topic}, headers=headers)
            error_of(resp, 401, "unauthorized")
            assert resp.headers["www-authenticate"] == "Bearer"
        error_of(client.get("/search", params={"q": "LoRA"}), 401, "unauthorized")
        error_of(client.get("/metrics"), 401, "unauthorized")
        assert gen.calls == 0
        ok = {"Authorization": "Bearer s3cret"}
        assert client.post("/ask", json={"question": on_topic}, headers=ok).status_code == 200
        assert client.get("/readyz", headers=ok).status_code == 200


def test_request_id_echoed_or_generated(app_factory, error_of) -> None:
    with app_factory() as (client, _):
        assert (
            client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["x-request-id"]
            == "abc-123"
        )
        made = client.get("/healthz").headers["x-request-id"]
        assert len(made) == 32
        evil = client.get("/healthz", headers={"X-Request-Id": "x" * 200})
        assert evil.headers["x-request-id"] != "x" * 200
        resp = client.post("/ask", json={"question": ""}, headers={"X-Request-Id": "req-7"})
        assert error_of(resp, 422)["error"]["request_id"] == "req-7"


def test_prompt_fits_a_small_context_window(app_factory, Fake, on_topic) -> None:
    from service.prompt import PromptBuilder

    gen = Fake("见[1]。", context_window=1100)
    with app_factory(gen, max_answer_tokens=400, top_k=10) as (client, gen):
        body = client.post("/ask", json={"question": on_topic, "top_k": 10}).json()
        req = gen.requests[0]
        used = PromptBuilder(gen.count_tokens, 1100, 400, 10**6).tokens(req.messages)
        assert used + req.max_tokens <= 1100
        assert 1 <= len(req.passages) <= len(body["sources"]) <= 10
        # and the character cap applies whatever the window
    with app_factory(Fake("见[1]。"), prompt_passage_chars=500) as (client, gen):
        client.post("/ask", json={"question": on_topic, "top_k": 10})
        assert sum(len(p.text) for p in gen.requests[0].passages) <= 501


def test_the_model_gets_the_users_words_and_the_search_the_notes_term(app_factory, Fake) -> None:
    # corpus/glossary.toml gives "repeating itself" the notes' 复读机 for the search; the model
    # answers in the question's language, so it reads the question as the user wrote it
    q = "Why does the model keep repeating itself?"
    with app_factory(Fake("资料中没有相关信息。")) as (client, gen):
        body = client.post("/ask", json={"question": q}).json()
        assert body["question_used"].endswith("（复读机）")
        assert gen.requests and gen.requests[0].question == q
        assert "复读机" in gen.requests[0].passages[0].text
