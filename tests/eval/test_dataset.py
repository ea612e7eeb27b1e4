"""Question-file loader: valid items, and every way a file is refused (with the line number)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.dataset import DatasetError, EvalItem, load_items
from tests.conftest import CORPUS, ROOT


def _item(id: str, kind: str = "specific", **kw: object) -> str:
    return json.dumps(
        {"id": id, "question": f"问题 {id}？", "kind": kind, **kw}, ensure_ascii=False
    )


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loads_items_in_order_and_skips_blank_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _item("a", evidence=["证据 一"], sources=["x.txt"], answer_points=["要点"]),
        "",
        "   ",
        _item("b", kind="unanswerable"),
    )
    a, b = load_items(path)
    assert a == EvalItem(
        id="a",
        question="问题 a？",
        kind="specific",
        evidence=("证据 一",),
        sources=("x.txt",),
        answer_points=("要点",),
    )
    assert a.answerable
    assert b.kind == "unanswerable" and not b.answerable
    assert b.evidence == () and b.sources == () and b.answer_points == ()


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ('{"id": "b", "question": "缺了右括号"', "not JSON"),
        (_item("b", kind="trivia"), "unknown kind"),
        (json.dumps({"id": "b", "question": "", "kind": "specific"}), "empty question"),
        (json.dumps({"id": "b", "kind": "specific"}), "no question"),
        (_item("b", evidence="not a list"), "evidence not a list"),
    ],
)
def test_bad_item_names_file_and_line(tmp_path: Path, bad: str, why: str) -> None:
    path = _write(tmp_path, _item("a"), "", bad, _item("c"))
    with pytest.raises(DatasetError, match=r"q\.jsonl:3: invalid item") as exc:
        load_items(path)
    assert str(path) in str(exc.value), why


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _item("a"), _item("b"), _item("a", kind="multi"))
    with pytest.raises(DatasetError, match="duplicate ids"):
        load_items(path)


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match="no items"):
        load_items(path)


def test_missing_file_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read"):
        load_items(tmp_path / "nope.jsonl")


def test_shipped_dev_set_is_consistent() -> None:
    items = load_items(ROOT / "eval" / "datasets" / "dev.jsonl")
    corpus = {p.name for p in CORPUS.iterdir()}
    assert len(items) >= 100
    assert {i.kind for i in items} == {"paraphrase", "specific", "multi", "unanswerable"}
    for item in items:
        assert set(item.sources) <= corpus, item.id
        if item.answerable:  # otherwise it could never score a hit
            assert any(e.strip() for e in item.evidence), item.id
        else:
            assert not item.evidence, item.id
        if item.kind == "multi":
            assert len(item.sources) >= 2, item.id
