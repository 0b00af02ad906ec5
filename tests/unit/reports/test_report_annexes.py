"""The report's documents list and annexes: photos drawn in, PDF pages merged where their placeholders landed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.pdfgen.canvas import Canvas

from app.reports.data import Annex, DocumentReceived, sample_report
from app.reports.pdf import render_report
from app.reports.pdf.annexes import _Box, _matrix
from tests.unit.reports.conftest import Poppler


def _pages(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(out, format="JPEG")
    return out.getvalue()


def _pdf(pages: int, size: tuple[float, float] = (595, 842)) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=size)
    for n in range(pages):
        canvas.drawString(40, 40, f"annex page {n + 1}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


DOCS = (DocumentReceived("oświadczenie", "dochody", "a.jpg", "e-mail", dt.date(2026, 3, 2), "a" * 64, 1),
        DocumentReceived("decyzja", "", "b.pdf", "ePUAP", dt.date(2026, 3, 3), "b" * 64, 2),
        DocumentReceived("pismo", "", "c.eml", "e-mail", dt.date(2026, 3, 4), "c" * 64))


def test_without_documents_the_report_is_unchanged() -> None:
    """No documents, no annexes: the same bytes as before this feature (and still deterministic)."""
    plain = sample_report()
    assert render_report(plain) == render_report(dataclasses.replace(plain, documents=(), annexes=()))


def test_annexes_get_pages_of_their_own_before_the_signature_page(poppler: Poppler) -> None:
    """A photo is one page, a 3-page PDF three (its own text drawn in), then the signatures on the last page."""
    annexed = render_report(dataclasses.replace(sample_report(), documents=DOCS, annexes=(
        Annex(1, "oświadczenie (a.jpg)", "image/jpeg", _photo()), Annex(2, "decyzja (b.pdf)", "application/pdf", _pdf(3)))))
    total = _pages(annexed)
    texts = [poppler("pdftotext", annexed, "-f", str(n), "-l", str(n)) for n in range(1, total + 1)]
    heads = [t for t in texts if "Załącznik nr" in t]
    assert len(heads) == 4
    assert "Załącznik nr 1 — oświadczenie (a.jpg)" in heads[0]
    assert ["annex page 1" in heads[1], "annex page 2" in heads[2], "annex page 3" in heads[3]] == [True] * 3
    assert "Podpisy elektroniczne (PAdES)" in texts[-1] and "Załącznik" not in texts[-1]
    assert "Dokumenty i oświadczenia otrzymane" in " ".join(texts[: total - 5])


def test_unreadable_annex_is_a_note_not_a_failure() -> None:
    """A damaged file that slipped through still lets the report render."""
    data = dataclasses.replace(sample_report(), annexes=(Annex(1, "x", "application/pdf", b"%PDF-1.4 broken"),
                                                         Annex(2, "y", "image/jpeg", b"\xff\xd8 broken")))
    assert render_report(data).startswith(b"%PDF")


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("box", [_Box(0, 0, 595, 842), _Box(0, 0, 842, 595), _Box(10, 20, 622, 812)])
def test_annex_page_fits_its_placeholder_whatever_its_rotation(rotate: int, box: _Box) -> None:
    """The transformed page lies inside the placeholder, centred, touching two opposite sides."""
    x, y, w, h = 50.0, 62.0, 495.0, 680.0
    a, b, c, d, e, f = _matrix(box, rotate, x, y, w, h)
    corners = [(px * a + py * c + e, px * b + py * d + f) for px in (box.x0, box.x1) for py in (box.y0, box.y1)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    assert min(xs) >= x - 0.01 and max(xs) <= x + w + 0.01
    assert min(ys) >= y - 0.01 and max(ys) <= y + h + 0.01
    assert abs((min(xs) - x) - (x + w - max(xs))) < 0.01 and abs((min(ys) - y) - (y + h - max(ys))) < 0.01
    assert abs(max(xs) - min(xs) - w) < 0.01 or abs(max(ys) - min(ys) - h) < 0.01
