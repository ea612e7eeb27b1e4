"""Related questions after /ask: from the practice bank, near the question, never itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.index_store import load_index
from ingest.bank import load_bank, question_key
from service.practice_bank import PracticeBank
from service.related import related

CAUSES = "为什么会出现 LLMs 复读机问题？"


def _bank(index_dir: Path) -> PracticeBank:
    index = load_index(index_dir)
    return PracticeBank(index.version, load_bank(index.path, index.chunks), index.chunks)


def test_ask_offers_near_bank_questions_never_itself(
    app_factory: Callable[..., Any], index_dir: Path, sse: Callable[[str], Any]
) -> None:
    bank = _bank(index_dir)
    with app_factory() as (client, _gen):
        body = client.post("/ask", json={"question": CAUSES}).json()
        streamed = client.post("/ask", json={"question": CAUSES, "stream": True})
        reworded = client.post("/ask", json={"question": "LLM 为什么会出现复读机问题"}).json()
        off = client.post("/ask", json={"question": "如何做红烧肉"}).json()
    assert not body["refused"]
    rel = body["related"]
    assert 1 <= len(rel) <= 3
    assert len({r["question_id"] for r in rel}) == len(rel)
    assert all(r["question_id"] in bank.by_id for r in rel)
    assert CAUSES not in {r["question"] for r in rel}
    # its neighbours in the notes: the other two 复读机 questions
    assert {"什么是 LLMs 复读机问题？", "如何缓解 LLMs 复读机问题？"} & {r["question"] for r in rel}
    entry = bank.by_id[rel[0]["question_id"]]
    assert rel[0] == {
        "question_id": entry.question_id,
        "question": entry.question,
        "topic": list(entry.topic),
        "source": {"file": entry.source.file, "heading_path": list(entry.source.heading_path),
                   "start": entry.source.start, "end": entry.source.end},
    }  # fmt: skip
    done = [data for event, data in sse(streamed.text) if event == "done"]
    assert done and done[0]["related"] == rel  # the stream's done event carries them too
    assert CAUSES not in {r["question"] for r in reworded["related"]}  # the question answered
    assert off["refused"] and off["related"] == []  # nothing near: nothing to suggest


def test_never_the_question_asked(index_dir: Path) -> None:
    bank = _bank(index_dir)
    for entry in bank.entries:
        # no hits: the word-overlap fill alone, which scores the question itself highest
        picked = related(bank, entry.question, [])
        assert entry not in picked and len(picked) <= 3
        assert all(question_key(p.question) != question_key(entry.question) for p in picked)
