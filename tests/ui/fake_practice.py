"""Practice routes of the fake API (tests/ui/fake_api.py): a three-question bank, a grader
scripted by the key points' labels, and progress kept in memory per user.

Script: a point is covered when the answer names its label (the text before "："); "温度越低"
in an answer is reported as contradicting point 1; an unknown question id is a 404, an unknown
topic too. Every body is built from contract/practice.py, the wire format the service sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from contract.practice import (
    ContradictionOut,
    GradedPoint,
    GradeResponse,
    PracticeQuestion,
    ProgressResponse,
    ReferenceAnswer,
    SourceRef,
    TopicNode,
    TopicProgress,
    TopicsResponse,
)

TOPIC_SEP = " / "
INTERVAL_DAYS = 1.0
NEXT_DUE = "2030-01-02T00:00:00+00:00"


ERRATUM = "笔记另一处把温度说反了：温度越高随机性越大。"


@dataclass(frozen=True)
class FakeQuestion:
    question_id: str
    question: str
    topic: tuple[str, ...]
    points: tuple[str, ...]

    def source(self, n: int = 0) -> SourceRef:
        path = [*self.topic, self.question]
        start = 100 * n
        return SourceRef(file="000_fake.txt", heading_path=path, start=start, end=start + 60)

    @property
    def reference(self) -> str:
        return "\n".join(f"{i}) {p}" for i, p in enumerate(self.points, 1))


BANK = (
    FakeQuestion(
        "q-repeat",
        "为什么会出现 LLMs 复读机问题？",
        ("大语言模型基础", "LLMs复读机问题"),
        (
            "数据偏差：训练数据中重复文本多，模型倾向复制常见模式。",
            "训练目标的限制：预测下一个词让模型倾向生成与输入相似的文本。",
            "缺乏多样性的训练数据：模型学不到足够多样的表达。",
            "模型结构和参数设置：注意力机制和生成策略也有影响。",
        ),
    ),
    FakeQuestion(
        "q-decoder",
        "为何现在的大模型大部分是Decoder only结构",
        ("大语言模型基础",),
        (
            "Encoder的低秩问题：双向注意力可能削弱表达能力。",
            "更好的Zero-Shot性能：无标注数据上表现最好。",
            "效率问题：decoder-only 可以一直复用 KV-Cache。",
        ),
    ),
    FakeQuestion(
        "q-lora",
        "LoRA 的原理是什么？",
        ("参数高效微调",),
        ("低秩矩阵：在原权重旁加入低秩矩阵 A 和 B。", "冻结权重：只训练 A 和 B。"),
    ),
)
BY_ID = {q.question_id: q for q in BANK}


def _label(point: str) -> str:
    return point.split("：", 1)[0]


def _topics() -> list[TopicNode]:
    roots: list[TopicNode] = []
    for q in BANK:
        level = roots
        for depth in range(1, len(q.topic) + 1):
            path = list(q.topic[:depth])
            node = next((t for t in level if t.path == path), None)
            if node is None:
                node = TopicNode(name=path[-1], path=path, count=0)
                level.append(node)
            node.count += 1
            level = node.children
    return roots


def _grade(q: FakeQuestion, answer: str) -> tuple[list[GradedPoint], list[ContradictionOut]]:
    points = [
        GradedPoint(n=i, text=p, covered=bool(answer) and _label(p) in answer, source=q.source(i))
        for i, p in enumerate(q.points, 1)
    ]
    said = [s for s in answer.replace("；", "。").split("。") if "温度越低" in s]
    contradictions = [
        ContradictionOut(sentence=s, point=1, reason="negation: the notes say the opposite")
        for s in said
    ]
    return points, contradictions


def add_practice_routes(app: FastAPI, denied: Callable[[Request], Response | None]) -> None:
    app.state.scores = {}  # user -> {question_id: latest score}

    def not_found(what: str) -> Response:
        body = {"error": {"code": "not_found", "message": what, "request_id": "rid-123"}}
        return JSONResponse(body, 404)

    @app.get("/topics")
    async def topics(request: Request) -> Response:
        if (no := denied(request)) is not None:
            return no
        return JSONResponse(TopicsResponse(total=len(BANK), topics=_topics()).model_dump())

    @app.get("/practice/question")
    async def question(request: Request, user: str, topic: str | None = None) -> Response:
        if (no := denied(request)) is not None:
            return no
        app.state.requests.append({"path": "/practice/question", "user": user, "topic": topic})
        want = tuple(topic.split(TOPIC_SEP)) if topic else ()
        pool = [q for q in BANK if q.topic[: len(want)] == want]
        if not pool:
            return not_found(f"no topic {topic!r} in the question bank")
        seen: dict[str, float] = app.state.scores.get(user, {})
        q = next((q for q in pool if q.question_id not in seen), pool[0])
        body = PracticeQuestion(
            question_id=q.question_id,
            question=q.question,
            topic=list(q.topic),
            due=False,
            seen=q.question_id in seen,
            source=q.source(),
        )
        return JSONResponse(body.model_dump())

    @app.post("/practice/grade")
    async def grade(request: Request) -> Response:
        if (no := denied(request)) is not None:
            return no
        body: dict[str, Any] = await request.json()
        app.state.requests.append({"path": "/practice/grade", **body})
        q = BY_ID.get(body["question_id"])
        if q is None:
            return not_found(f"no question {body['question_id']!r} in the bank")
        points, contradictions = _grade(q, body["answer"].strip())
        score = sum(p.covered for p in points) / len(points)
        app.state.scores.setdefault(body["user"], {})[q.question_id] = score
        out = GradeResponse(
            question_id=q.question_id,
            score=score,
            points=points,
            contradictions=contradictions,
            reference=ReferenceAnswer(text=q.reference, source=q.source(), errata=[ERRATUM]),
            next_due=NEXT_DUE,
            interval_days=INTERVAL_DAYS,
        )
        return JSONResponse(out.model_dump())

    @app.get("/practice/progress")
    async def progress(request: Request, user: str) -> Response:
        if (no := denied(request)) is not None:
            return no
        scores: dict[str, float] = app.state.scores.get(user, {})
        # like the service: every topic of the bank, the unseen ones with no mean
        by_topic: dict[str, list[float]] = {TOPIC_SEP.join(q.topic): [] for q in BANK}
        for qid, score in scores.items():
            by_topic.setdefault(TOPIC_SEP.join(BY_ID[qid].topic), []).append(score)
        rows = [
            TopicProgress(topic=t, seen=len(s), mean_score=sum(s) / len(s) if s else None, due=0)
            for t, s in by_topic.items()
        ]
        body = ProgressResponse(user=user, topics=rows, seen=len(scores), due=0)
        return JSONResponse(body.model_dump())
