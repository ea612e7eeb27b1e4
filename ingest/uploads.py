"""Checks on an uploaded file before anything is stored: its name, size, type and text.

An upload that fails here never reaches the documents dir or the index. The type comes from
the content, not only the name: a PDF or an image renamed to `.md` is refused, and so is a
`.pdf` that is not one.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from core.errors import BadDocument, CorpusError, DocumentTooLarge, UnsupportedDocument
from core.types import Document
from ingest.chunk import chunk_document
from ingest.load import SUFFIXES, load_document

MAX_NAME_CHARS = 200  # well under every filesystem's 255-byte limit, even in 3-byte UTF-8 CJK
# Magic numbers of the binary formats people most often upload by mistake.
MAGIC = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive (docx, xlsx, ...)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "a program"),
    (b"\x1f\x8b", "a gzip archive"),
)


def check_name(name: str) -> str:
    """The file name as given, if it is a plain name with a suffix we index."""
    if not name or not name.strip():
        raise BadDocument("file name is empty")
    if "/" in name or "\\" in name or name in (".", "..") or ":" in name:
        raise BadDocument("file name must be a plain name, without folders or drive letters")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise BadDocument("file name contains control characters")
    if name.startswith(".") or name != name.strip():
        raise BadDocument("file name must not start with a dot or a space, or end with a space")
    if len(name) > MAX_NAME_CHARS:
        raise BadDocument(f"file name is longer than {MAX_NAME_CHARS} characters")
    if Path(name).suffix.lower() not in SUFFIXES:
        raise UnsupportedDocument(
            f"{name}: only {', '.join(SUFFIXES)} files can be added (got "
            f"{Path(name).suffix or 'no suffix'})"
        )
    return name


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise DocumentTooLarge(f"file is larger than the upload limit of {limit:,} bytes")
    if size == 0:
        raise BadDocument("file is empty (0 bytes)")


def sniff(name: str, head: bytes) -> None:
    """Refuse content whose kind contradicts the name's suffix."""
    is_pdf_name = name.lower().endswith(".pdf")
    found = next((what for magic, what in MAGIC if head.startswith(magic)), None)
    if is_pdf_name and found != "a PDF":
        raise UnsupportedDocument(f"{name}: named .pdf but the content is not a PDF")
    if not is_pdf_name and found is not None:
        raise UnsupportedDocument(f"{name}: named {Path(name).suffix} but the content is {found}")


def read_document(path: Path, name: str, chunk_size: int, chunk_overlap: int) -> Document:
    """Load a staged upload as the indexer will, and make sure it yields at least one chunk."""
    try:
        doc = load_document(path)
    except CorpusError as exc:
        message = str(exc).replace(path.name, name, 1)
        if name.lower().endswith(".pdf") and "no text" in message:
            message = f"{name}: the PDF has no text layer (a scan?): run OCR on it first"
        raise BadDocument(message) from exc
    doc = Document(doc_id=name, text=doc.text, sha256=doc.sha256)
    if not chunk_document(doc, chunk_size, chunk_overlap):
        raise BadDocument(f"{name}: no indexable text left after cleaning")
    return doc
