"""Helpers for the /documents tests: a tiny text-layer PDF writer and polling."""

from __future__ import annotations

import time
from typing import Any


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a real text layer (Helvetica, ASCII only), no library needed."""
    ops = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({x}) Tj T*" for x in lines) + " ET"
    objs = [
        "<</Type/Catalog/Pages 2 0 R>>",
        "<</Type/Pages/Kids[3 0 R]/Count 1>>",
        "<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R"
        "/Resources<</Font<</F1 5 0 R>>>>>>",
        f"<</Length {len(ops)}>>stream\n{ops}\nendstream",
        "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<</Size {len(objs) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def blank_pdf() -> bytes:
    """A valid PDF whose page has no text at all: what a scan without OCR looks like."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def wait_job(client: Any, job_id: str, timeout_s: float = 60.0, **kw: Any) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        body: dict[str, Any] = client.get(f"/jobs/{job_id}", **kw).json()
        if body["status"] in ("done", "failed", "interrupted"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)
