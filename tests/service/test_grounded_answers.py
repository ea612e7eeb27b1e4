"""End to end through the real app: invented sentences are dropped, absent terms are named,
the extractive composition answers without an LLM, and every answer says how sure it is."""

from __future__ import annotations

INVENTED = "FlashAttention 通过滑动窗口把注意力计算加速了 10 倍[1]。"
TRUE = "Prefix LM 和 Causal LM 是两种不同类型的语言模型[1]。"


def test_invented_sentence_is_removed(app_factory, Fake, on_topic) -> None:
    with app_factory(Fake(TRUE + INVENTED)) as (client, gen):
        body = client.post("/ask", json={"question": on_topic}).json()
        assert gen.calls == 1 and body["refused"] is False
        assert body["answer"] == TRUE
        assert "FlashAttention" not in body["answer"] and "10" not in body["answer"]
        assert [r["text"] for r in body["removed"]] == [INVENTED.replace("[1]", "")]
        assert body["support"]["verified"] == 0.5 and body["support"]["level"] == "low"


def test_invented_sentence_is_removed_from_the_stream_result(app_factory, Fake, sse, on_topic):
    with app_factory(Fake(TRUE + INVENTED, piece=5)) as (client, _):
        events = sse(client.post("/ask", json={"question": on_topic, "stream": True}).text)
        done = events[-1][1]
        assert events[-1][0] == "done" and done["answer"] == TRUE
        assert len(done["removed"]) == 1 and done["support"]["verified"] == 0.5


def test_draft_with_too_little_support_falls_back_to_the_evidence(app_factory, Fake, on_topic):
    with app_factory(Fake(INVENTED + "它还能把显存降低一半[1]。")) as (client, _):
        body = client.post("/ask", json={"question": on_topic}).json()
        assert body["refused"] is False and len(body["removed"]) == 2
        # the answer is the notes' own sentence, cited, with its place in the file
        assert body["answer"].startswith("Prefix LM（前缀语言模型）和Causal LM（因果语言模型）")
        ev = body["evidence"][0]
        assert ev["file"] == "a.md" and ev["start"] < ev["end"]
        assert body["support"]["verified"] == 1.0


def test_absent_term_is_refused_by_name(app_factory, Fake) -> None:
    with app_factory(Fake(INVENTED)) as (client, gen):
        body = client.post("/ask", json={"question": "FlashAttention 是怎么实现的？"}).json()
        assert body["refused"] is True and body["refusal_reason"] == "missing_terms"
        assert body["missing_terms"] == ["FlashAttention"]
        assert body["answer"] == "笔记里没有关于 FlashAttention 的内容。"
        assert body["citations"] == [] and gen.calls == 0
        eng = client.post("/ask", json={"question": "How does PagedAttention work?"}).json()
        assert eng["refused"] and eng["answer"] == "The notes do not cover PagedAttention."


def test_a_plain_word_topic_the_notes_never_discuss_is_refused_by_name(app_factory, Fake):
    # no capitals to mark a name: corpus/field_terms.toml knows 残差连接 is the field's term
    with app_factory(Fake(INVENTED)) as (client, gen):
        body = client.post("/ask", json={"question": "Transformer 里的残差连接有什么用？"}).json()
        assert body["refused"] is True and body["refusal_reason"] == "missing_terms"
        assert body["answer"] == "笔记里没有关于 残差连接 的内容。" and gen.calls == 0


def test_extractive_answers_from_the_notes_without_a_generation_slot(app_factory) -> None:
    from service.generators.extractive import ExtractiveGenerator

    with app_factory(ExtractiveGenerator()) as (client, _):
        body = client.post("/ask", json={"question": "什么是 LangChain?"}).json()
        assert body["refused"] is False and body["citations"]
        assert body["model"] == "extractive" and body["removed"] == []
        assert body["support"]["verified"] == 1.0
        for ev in body["evidence"]:  # every sentence of the answer is a unit of the notes
            assert ev["text"].rstrip("。.") in body["answer"]


def test_english_refusal_lists_names_the_english_way(app_factory, Fake) -> None:
    with app_factory(Fake(INVENTED)) as (client, _):
        q = "How do PagedAttention and FlashAttention work?"
        body = client.post("/ask", json={"question": q}).json()
        assert body["answer"] == "The notes do not cover PagedAttention, FlashAttention."
