from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def write_small_corpus(dest: Path) -> Path:
    """A small real-format corpus: excerpts of two of the shipped files."""
    dest.mkdir(parents=True, exist_ok=True)
    src000 = (CORPUS / "000_92dbb6eadc19f86a.txt").read_text(encoding="utf-8").splitlines()
    src004 = (CORPUS / "004_0654c56c1556bb94.txt").read_text(encoding="utf-8").splitlines()
    (dest / "a.md").write_text("\n".join(src000[79:200]) + "\n", encoding="utf-8")
    (dest / "b.md").write_text("\n".join(src004[0:120]) + "\n", encoding="utf-8")
    return dest


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    return write_small_corpus(tmp_path / "corpus")


@pytest.fixture
def full_corpus_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "full"
    shutil.copytree(CORPUS, dest)
    return dest
