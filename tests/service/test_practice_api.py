"""Practice mode over HTTP: the real app over a small real index (fake embedder)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.index_store import load_index
from ingest.bank import load_bank
from tests.service.conftest import running_app

PARROT_TOPIC = "大语言模型基础 / LLMs复读机问题"
CAUSES = "为什么会出现 LLMs 复读机问题？"


def _bank(index_dir: Path) -> list[Any]:
    index = load_index(index_dir)
    return load_bank(index.path, index.chunks)


def _question(client: Any, user: str, topic: str | None = None) -> dict[str, Any]:
    params = {"user": user, **({"topic": topic} if topic else {})}
    resp = client.get("/practice/question", params=params)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def test_topics_tree(app_factory: Callable[..., Any], index_dir: Path) -> None:
    bank = _bank(index_dir)
    with app_factory() as (client, _gen):
        body = client.get("/topics").json()
    assert body["total"] == len(bank) > 10
    assert sum(t["count"] for t in body["topics"]) == len(bank)
    (basics,) = [t for t in body["topics"] if t["name"] == "大语言模型基础"]
    (parrot,) = [t for t in basics["children"] if t["name"] == "LLMs复读机问题"]
    assert parrot == {"name": "LLMs复读机问题", "path": ["大语言模型基础", "LLMs复读机问题"],
                      "count": 3, "children": []}  # fmt: skip


def test_questions_in_order_topic_filter_and_errors(
    app_factory: Callable[..., Any], index_dir: Path, error_of: Callable[..., Any]
) -> None:
    bank = _bank(index_dir)
    with app_factory() as (client, _gen):
        first = _question(client, "alice")
        assert first["question_id"] == bank[0].question_id
        assert (first["due"], first["seen"]) == (False, False)
        assert set(first["source"]) == {"file", "heading_path", "start", "end"}
        in_topic = _question(client, "alice", PARROT_TOPIC)
        assert in_topic["question"] == "什么是 LLMs 复读机问题？"
        assert in_topic["topic"] == PARROT_TOPIC.split(" / ")
        error_of(
            client.get("/practice/question", params={"user": "a", "topic": "烹饪"}),
            404,
            "not_found",
        )
        error_of(client.get("/practice/question"), 422, "bad_input")
        error_of(client.get("/practice/question", params={"user": "x" * 65}), 422, "bad_input")
        error_of(client.get("/practice/question", params={"user": "a\x01b"}), 422, "bad_input")
        grade = {"question_id": "0" * 16, "answer": "x", "user": "alice"}
        error_of(client.post("/practice/grade", json=grade), 404, "not_found")
        long = {**grade, "question_id": first["question_id"], "answer": "长" * 8001}
        error_of(client.post("/practice/grade", json=long), 422, "bad_input")


def _grade(client: Any, qid: str, answer: str, user: str = "alice") -> dict[str, Any]:
    resp = client.post("/practice/grade", json={"question_id": qid, "answer": answer, "user": user})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def test_grade_shapes_and_scores(app_factory: Callable[..., Any], index_dir: Path) -> None:
    entry = next(e for e in _bank(index_dir) if e.question == CAUSES)
    with app_factory() as (client, _gen):
        full = _grade(client, entry.question_id, entry.answer)
        some = _grade(client, entry.question_id, "数据偏差和训练目标的限制。")
        empty = _grade(client, entry.question_id, "")
        off = _grade(client, entry.question_id, "红烧肉要先焯水再炒糖色。")
    assert full["score"] == 1.0 and all(p["covered"] for p in full["points"])
    assert 0.3 <= some["score"] <= 0.6
    assert empty["score"] == off["score"] == 0.0
    assert not any(p["covered"] for p in empty["points"] + off["points"])
    assert [p["n"] for p in full["points"]] == list(range(1, len(full["points"]) + 1))
    point = full["points"][0]
    assert point["text"].startswith("数据偏差") and point["source"]["file"] == "a.md"
    assert full["reference"] == {
        "text": entry.answer,
        "source": {"file": "a.md", "heading_path": list(entry.source.heading_path),
                   "start": entry.source.start, "end": entry.source.end},
        "errata": [],
    }  # fmt: skip
    due = datetime.fromisoformat(full["next_due"])
    assert full["interval_days"] == 1.0 and abs(
        due - datetime.now(UTC) - timedelta(days=1)
    ) < timedelta(minutes=5)


def test_schedule_and_progress_survive_a_restart(
    app_factory: Callable[..., Any], index_dir: Path
) -> None:
    bank = _bank(index_dir)
    first, second = bank[0], bank[1]
    with app_factory() as (client, _gen):
        _grade(client, first.question_id, first.answer)  # perfect: due tomorrow
        assert _question(client, "alice")["question_id"] == second.question_id  # next unseen
        _grade(client, second.question_id, "")  # failed: due tomorrow too
    db = index_dir / "practice.sqlite"
    with sqlite3.connect(db) as conn:  # a day and a half later, as far as the schedule knows
        conn.execute("UPDATE cards SET due = ? WHERE question_id = ?",
                     ((datetime.now(UTC) - timedelta(hours=12)).isoformat(), second.question_id))  # fmt: skip
    with app_factory() as (client, _gen):  # a new app over the same database
        q = _question(client, "alice")
        assert (q["question_id"], q["due"], q["seen"]) == (second.question_id, True, True)
        assert _question(client, "bob")["question_id"] == first.question_id  # per user
        body = client.get("/practice/progress", params={"user": "alice"}).json()
    assert (body["user"], body["seen"], body["due"]) == ("alice", 2, 1)
    topics = {t["topic"]: t for t in body["topics"]}
    assert topics[first.topic_label] == {
        "topic": first.topic_label, "seen": 2, "mean_score": 0.5, "due": 1
    }  # fmt: skip
    assert all(
        t["seen"] == 0 and t["mean_score"] is None
        for k, t in topics.items()
        if k != first.topic_label
    )
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM grades").fetchone() == (2,)


def test_notes_without_questions_have_an_empty_bank(
    tmp_path: Path, error_of: Callable[..., Any], rebuild: Callable[[Path, Path], str]
) -> None:
    corpus = tmp_path / "plain"
    corpus.mkdir()
    (corpus / "essay.md").write_text(
        "# 随笔\n\n## 注意力机制\n\n注意力机制让模型在生成每个词时关注输入中最相关的部分。"
        "它通过查询和键的相似度给值加权求和。\n",
        encoding="utf-8",
    )
    index = tmp_path / "index"
    rebuild(corpus, index)
    with running_app(index) as (client, _gen):
        assert client.get("/topics").json() == {"total": 0, "topics": []}
        error_of(client.get("/practice/question", params={"user": "a"}), 404, "not_found")
        body = client.get("/practice/progress", params={"user": "a"}).json()
        assert body == {"user": "a", "topics": [], "seen": 0, "due": 0}


def test_an_uploaded_note_joins_the_bank(
    app_factory: Callable[..., Any], small_corpus: Path
) -> None:
    note = (
        "# 我的笔记\n\n## 1. 什么是 Zorbex 正则化？\n\n"
        "Zorbex 正则化是一种在训练时随机冻结注意力头的方法，可以减轻过拟合。\n"
    )
    with app_factory(corpus_dir=small_corpus) as (client, _gen):
        before = client.get("/topics").json()["total"]
        files = {"file": ("zorbex.md", note.encode())}
        assert client.post("/documents", params={"wait": "true"}, files=files).status_code == 201
        after = client.get("/topics").json()
        assert after["total"] == before + 1
        assert {"name": "我的笔记", "path": ["我的笔记"], "count": 1, "children": []} in after[
            "topics"
        ]
        q = _question(client, "carol", "我的笔记")
        assert q["question"] == "什么是 Zorbex 正则化？" and q["source"]["file"] == "zorbex.md"
        graded = _grade(client, q["question_id"], "随机冻结注意力头，减轻过拟合。", user="carol")
        assert graded["score"] == 1.0


def test_a_store_that_cannot_be_written_is_a_clear_503(
    app_factory: Callable[..., Any], tmp_path: Path, error_of: Callable[..., Any]
) -> None:
    # a directory where the database file should be: what a read-only disk looks like to
    # root, who may write anywhere else
    taken = tmp_path / "practice.sqlite"
    taken.mkdir()
    with app_factory(practice_db=taken) as (client, _gen):
        body = error_of(client.get("/practice/progress", params={"user": "u"}), 503,
                        "progress_store_unavailable")  # fmt: skip
        message = body["error"]["message"]
        assert "NOTESQA_PRACTICE_DB" in message and str(tmp_path) not in message  # no paths
        # nothing is cached broken: the next request tries again, and fails the same way
        error_of(client.get("/practice/question", params={"user": "u"}), 503,
                 "progress_store_unavailable")  # fmt: skip
