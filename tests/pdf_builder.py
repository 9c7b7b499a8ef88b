"""A minimal PDF writer for tests: text lines in Helvetica / Helvetica-Bold at given positions.

Real guideline PDFs carry fonts and positions; this writes just enough of the format (one
content stream per page, WinAnsi text, a cross-reference table) for pdfplumber and pypdf to
read them, so import tests need no PDF library and no binary fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    text: str
    y: float
    size: float = 11.0
    bold: bool = False
    x: float = 72.0


def _literal(text: str) -> str:
    out = []
    for byte in text.encode("cp1252"):
        char = chr(byte)
        if char in "()\\":
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "(" + "".join(out) + ")"


def make_pdf(pages: list[list[Text]], drawings: list[str] | None = None) -> bytes:
    """``pages`` of text lines; ``drawings`` (raw content per page) for image-only pages."""
    objects: list[bytes] = []
    page_ids = []
    count = len(pages)
    first_page = 5
    for number, lines in enumerate(pages):
        page_id, content_id = first_page + 2 * number, first_page + 2 * number + 1
        page_ids.append(page_id)
        stream = "".join(
            f"BT /{'F2' if t.bold else 'F1'} {t.size} Tf {t.x} {t.y} Td {_literal(t.text)} Tj ET\n"
            for t in lines)
        if drawings:
            stream += drawings[number]
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>".encode())
        data = stream.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    head = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold "
            b"/Encoding /WinAnsiEncoding >>"]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(head + objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += (f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
             .encode())
    return body
