"""Shipping labels as small one-page PDF files, written without a PDF library."""

from __future__ import annotations

from collections.abc import Sequence

# A 4 x 6 inch label, in PDF points.
_PAGE_WIDTH = 288
_PAGE_HEIGHT = 432
_MARGIN = 24
_FONT_SIZE = 11
_LEADING = 16


def _pdf_string(text: str) -> bytes:
    """Return `text` as a WinAnsi-encoded PDF literal string with escaped delimiters."""
    raw = text.encode("cp1252", errors="replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped + b")"


def _content_stream(title: str, lines: Sequence[str]) -> bytes:
    top = _PAGE_HEIGHT - _MARGIN - 18
    parts = [
        b"q 1 w",
        f"{_MARGIN / 2} {_MARGIN / 2} {_PAGE_WIDTH - _MARGIN} "
        f"{_PAGE_HEIGHT - _MARGIN} re S Q".encode("ascii"),
        b"BT",
        f"/F2 16 Tf {_MARGIN} {top} Td {_LEADING + 8} TL".encode("ascii"),
        _pdf_string(title) + b" Tj T*",
        f"/F1 {_FONT_SIZE} Tf {_LEADING} TL".encode("ascii"),
    ]
    parts.extend(_pdf_string(line) + b" Tj T*" for line in lines)
    parts.append(b"ET")
    return b"\n".join(parts)


def _font(name: str) -> bytes:
    return (
        f"<< /Type /Font /Subtype /Type1 /BaseFont /{name}"
        " /Encoding /WinAnsiEncoding >>"
    ).encode("ascii")


def build_label_pdf(title: str, lines: Sequence[str]) -> bytes:
    """Return a one-page PDF that shows `title` in bold and then `lines`.

    Characters outside Windows-1252 print as "?". The file has a complete
    cross-reference table, so strict PDF readers open it.
    """
    content = _content_stream(title, lines)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_WIDTH} {_PAGE_HEIGHT}]"
            " /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
        ).encode("ascii"),
        _font("Helvetica"),
        _font("Helvetica-Bold"),
        f"<< /Length {len(content)} >>\nstream\n".encode("ascii")
        + content
        + b"\nendstream",
    ]

    # The header's second line contains bytes above 127, which marks the file
    # as binary for tools that sniff it.
    output = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"

    # Each cross-reference entry is exactly 20 bytes, line end included.
    xref_offset = len(output)
    output += f"xref\n0 {len(objects) + 1}\n".encode("ascii")
    output += b"0000000000 65535 f \n"
    for offset in offsets:
        output += f"{offset:010d} 00000 n \n".encode("ascii")
    output += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
        f"startxref\n{xref_offset}\n%%EOF\n"
    ).encode("ascii")
    return bytes(output)
