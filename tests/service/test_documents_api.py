"""/documents and /jobs through the real app (hashing fake embedder, small corpus)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.service.docs_helpers import blank_pdf, text_pdf, wait_job

NOTE = (
    "# 我的笔记\n\n## 1. 什么是 Zorbex 正则化？\n\n"
    "Zorbex 正则化是一种在训练时随机冻结注意力头的方法，可以减轻过拟合，"
    "冻结比例通常取百分之十五。\n"
)
QUESTION = "Zorbex 正则化是什么？"


@pytest.fixture
def docs_app(app_factory: Callable[..., Any], small_corpus: Path) -> Callable[..., Any]:
    """The app over the index of `small_corpus`; jobs rebuild from that same corpus."""

    def make(**overrides: Any) -> Any:
        return app_factory(corpus_dir=small_corpus, **overrides)

    return make


def upload(client: Any, name: str, data: bytes, **params: Any) -> Any:
    if any(ord(ch) < 32 for ch in name):  # httpx would percent-encode it: send it raw
        return raw_upload(client, name, data, **params)
    return client.post("/documents", params=params, files={"file": (name, data)})


def raw_upload(client: Any, name: str, data: bytes, **params: Any) -> Any:
    """A multipart body written by hand, so the file name reaches the server byte for byte."""
    boundary = "notesqa-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return client.post("/documents", params=params, content=body, headers=headers)


def search_files(client: Any, q: str) -> tuple[str, set[str]]:
    resp = client.get("/search", params={"q": q, "k": 20})
    assert resp.status_code == 200, resp.text
    return resp.headers["x-index-version"], {h["file"] for h in resp.json()["hits"]}


def state(client: Any) -> tuple[str, list[dict[str, Any]]]:
    body = client.get("/documents").json()
    return body["index_version"], body["documents"]


def test_add_wait_search_replace_delete(docs_app: Callable[..., Any]) -> None:
    with docs_app() as (client, _):
        v0, docs0 = state(client)
        assert {d["source"] for d in docs0} == {"corpus"}
        assert client.get("/documents").json()["max_upload_bytes"] == 20_000_000  # the default
        resp = upload(client, "zorbex.md", NOTE.encode(), wait="true")
        assert resp.status_code == 201, resp.text
        added = resp.json()
        assert set(added) == {"doc_id", "file", "sha256", "chunks", "index_version"}
        assert added["doc_id"] == added["file"] == "zorbex.md" and added["chunks"] >= 1
        version, files = search_files(client, QUESTION)
        assert version == added["index_version"] != v0 and "zorbex.md" in files
        listed = {d["doc_id"]: d for d in state(client)[1]}
        assert listed["zorbex.md"]["source"] == "upload"
        assert listed["zorbex.md"]["chunks"] == added["chunks"]
        assert set(listed["zorbex.md"]) == {
            "doc_id", "file", "sha256", "chunks", "added_at", "source"
        }  # fmt: skip

        same = upload(client, "zorbex.md", NOTE.encode())
        assert same.status_code == 200 and same.json()["doc_id"] == "zorbex.md"
        assert state(client)[0] == added["index_version"]  # nothing re-indexed

        edited = NOTE.replace("百分之十五", "百分之二十").encode()
        assert upload(client, "zorbex.md", edited).status_code == 409
        resp = upload(client, "zorbex.md", edited, replace="true", wait="true")
        assert resp.status_code == 201 and resp.json()["doc_id"] == "zorbex.md"
        assert resp.json()["sha256"] != added["sha256"]

        resp = client.delete("/documents/zorbex.md", params={"wait": "true"})
        assert resp.status_code == 200, resp.text
        gone = resp.json()
        assert gone["deleted"] is True
        for q in (QUESTION, "Zorbex", "冻结注意力头", "百分之二十"):
            version, files = search_files(client, q)
            assert version == gone["index_version"] and "zorbex.md" not in files
        assert "zorbex.md" not in {d["doc_id"] for d in state(client)[1]}
        assert client.delete("/documents/zorbex.md").status_code == 404
        assert client.delete("/documents/a.md").status_code == 409  # ships with the project


def test_async_upload_reports_progress(docs_app: Callable[..., Any]) -> None:
    with docs_app() as (client, _):
        resp = upload(client, "quillon.pdf", text_pdf(_PDF_LINES))
        assert resp.status_code == 202, resp.text
        accepted = resp.json()
        assert set(accepted) == {"job_id", "doc_id", "status"}
        assert resp.headers["location"] == f"/jobs/{accepted['job_id']}"
        job = wait_job(client, accepted["job_id"])
        assert job["status"] == "done" and job["op"] == "add", job
        assert job["progress"]["embedded"] == job["progress"]["total"] >= 1
        _, files = search_files(client, "Quillon decay learning rate")
        assert "quillon.pdf" in files
        jobs = client.get("/jobs").json()["jobs"]
        assert jobs[0]["job_id"] == accepted["job_id"]
        assert client.get("/jobs/nope").status_code == 404


_PDF_LINES = [
    "# Quillon notes",
    "## What is Quillon decay?",
    "Quillon decay halves the learning rate every 300 steps of training.",
]
BAD_INPUTS: list[tuple[str, str, bytes, int, str]] = [
    ("empty", "empty.md", b"", 422, "bad_document"),
    ("binary", "blob.txt", b"abc\x00\x01\x02" * 50, 422, "bad_document"),
    ("png-as-md", "pic.md", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 415, "unsupported_document"),
    ("text-as-pdf", "fake.pdf", NOTE.encode(), 415, "unsupported_document"),
    ("pdf-as-txt", "fake.txt", text_pdf(_PDF_LINES), 415, "unsupported_document"),
    ("docx-suffix", "notes.docx", b"PK\x03\x04rest", 415, "unsupported_document"),
    ("parent-path", "../evil.md", NOTE.encode(), 422, "bad_document"),
    ("folder", "sub/evil.md", NOTE.encode(), 422, "bad_document"),
    ("backslash", "sub\\evil.md", NOTE.encode(), 422, "bad_document"),
    ("control-char", "bad\x07name.md", NOTE.encode(), 422, "bad_document"),
    ("hidden", ".hidden.md", NOTE.encode(), 422, "bad_document"),
    ("too-large", "big.md", ("大" * 1200).encode(), 413, "document_too_large"),
    ("scanned-pdf", "scan.pdf", blank_pdf(), 422, "bad_document"),
]


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_changes_nothing(
    docs_app: Callable[..., Any],
    error_of: Callable[..., Any],
    name: str,
    data: bytes,
    status: int,
    code: str,
) -> None:
    with docs_app(max_upload_bytes=3000) as (client, _):
        before = state(client)
        body = error_of(upload(client, name, data), status, code)
        assert body["error"]["message"]
        assert state(client) == before
        docs_dir = client.app.state.documents.docs_dir
        stored = [p for p in docs_dir.rglob("*") if p.is_file() and ".jobs" not in p.parts]
        assert stored == []
        assert client.get("/jobs").json()["jobs"] == []


def test_missing_file_field_and_huge_body(
    docs_app: Callable[..., Any], error_of: Callable[..., Any]
) -> None:
    with docs_app(max_upload_bytes=3000) as (client, _):
        before = state(client)
        error_of(client.post("/documents", data={"other": "x"}), 422, "bad_input")
        huge = upload(client, "huge.md", b"a" * 200_000)  # beyond limit + multipart slack
        assert huge.status_code in (413, 422)
        error_of(huge, huge.status_code)
        assert state(client) == before


def test_write_routes_need_key_or_loopback(
    docs_app: Callable[..., Any], error_of: Callable[..., Any]
) -> None:
    with docs_app(api_key="s3cret") as (client, _):
        error_of(upload(client, "zorbex.md", NOTE.encode()), 401, "unauthorized")
        error_of(client.delete("/documents/a.md"), 401, "unauthorized")
        auth = {"Authorization": "Bearer s3cret"}
        resp = client.post("/documents", files={"file": ("zorbex.md", NOTE.encode())}, headers=auth)
        assert resp.status_code == 202, resp.text
        assert wait_job(client, resp.json()["job_id"], headers=auth)["status"] == "done"
    with docs_app(host="0.0.0.0") as (client, _):  # no key on a public address: read-only
        error_of(upload(client, "other.md", NOTE.encode()), 403, "forbidden")
        error_of(client.delete("/documents/zorbex.md"), 403, "forbidden")
        assert client.get("/documents").status_code == 200
