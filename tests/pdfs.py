"""Hand-built and hostile PDFs for the hostile-input tests (shared by unit and integration tests)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas


def build_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF from object bodies (1-based numbers, object 1 the catalog), with a correct xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref))
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A page that opens only with the user password "s3cret"."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt=StandardEncryption("s3cret", "owner-s3cret"))
    page.drawString(72, 720, "CERTIFICATE OF LIABILITY INSURANCE")
    page.save()
    return buffer.getvalue()


def blank_pages(count: int) -> bytes:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    for _ in range(count):
        document.new_page(612, 792)
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


def drawn_pdf(draw) -> bytes:
    """A one-page letter PDF drawn by ``draw(canvas)`` with reportlab, byte for byte the same every run."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
