"""Load corpus files into `Document`s, or fail with one clear line naming the file."""

from __future__ import annotations

from pathlib import Path

from core.errors import CorpusError
from core.types import Document, sha256_text

SUFFIXES = (".txt", ".md", ".pdf")


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:8192]:
        raise CorpusError(f"{name}: looks binary (NUL bytes), not a text file")
    # GB18030 is the superset Chinese encoding; older Windows exports of notes use it.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Control characters beyond whitespace mean a mis-decoded binary file.
        bad = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
        if bad > 8:
            raise CorpusError(f"{name}: looks binary ({bad} control characters)")
        return text
    raise CorpusError(f"{name}: not UTF-8 and not GB18030 text")


def _read_pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise CorpusError(f"{path.name}: unreadable PDF ({type(exc).__name__})") from exc
    return "\n".join(pages)


def load_document(path: Path) -> Document:
    try:
        if path.suffix.lower() == ".pdf":
            text = _read_pdf(path)
        else:
            raw = path.read_bytes()
            if not raw:
                raise CorpusError(f"{path.name}: empty file (0 bytes)")
            text = _decode(raw, path.name)
    except OSError as exc:
        raise CorpusError(f"{path.name}: cannot read ({exc.strerror or exc})") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CorpusError(f"{path.name}: no text in file")
    return Document(doc_id=path.name, text=text, sha256=sha256_text(text))


def load_corpus(corpus_dir: Path) -> list[Document]:
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus directory {corpus_dir} does not exist")
    paths = sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not paths:
        raise CorpusError(f"corpus directory {corpus_dir} has no .txt, .md or .pdf files")
    return [load_document(p) for p in paths]
