from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import CorpusError
from ingest.load import load_corpus, load_document


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of Helvetica text, offsets computed by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_pdf_is_read_through_pypdf(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_bytes(_minimal_pdf("LoRA freezes the base weights"))
    doc = load_document(path)
    assert "LoRA freezes the base weights" in doc.text and doc.doc_id == "notes.pdf"


def test_broken_pdf_is_a_corpus_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(CorpusError, match="broken.pdf"):
        load_document(path)


def test_ids_and_hashes_are_stable(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("# 标题\r\n正文\r\n", encoding="utf-8")
    a, b = load_document(tmp_path / "x.md"), load_document(tmp_path / "x.md")
    assert a == b and a.doc_id == "x.md" and "\r" not in a.text


def test_only_known_suffixes_are_loaded(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("文本", encoding="utf-8")
    (tmp_path / "skip.png").write_bytes(b"\x89PNG")
    assert [d.doc_id for d in load_corpus(tmp_path)] == ["a.txt"]


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("内容", encoding="utf-8")
    path.chmod(0)
    try:
        import os

        if os.geteuid() == 0:  # root reads anything: simulate with a directory named like a file
            path.chmod(0o644)
            path.unlink()
            path.mkdir()
            with pytest.raises(CorpusError, match="locked.txt"):
                load_document(path)
        else:
            with pytest.raises(CorpusError, match="cannot read"):
                load_document(path)
    finally:
        if path.is_file():
            path.chmod(0o644)
