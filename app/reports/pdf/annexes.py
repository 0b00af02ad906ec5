"""The annexes the worker chose to append to the report: photos drawn in, PDF pages merged after the layout.

Images are drawn by ReportLab. A PDF annex cannot be drawn by ReportLab, so each of its pages gets a placeholder
page (heading, page number, footer — laid out and counted like any other page); after the layout the placeholders
report where they landed and `merge_pdf_annexes` draws the annex's page there as a form XObject (pyHanko's PDF
writer). Everything stays before the signature area, so the stamps still land on the last page and the signature
covers the annexes too.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape  # nosec B406  # reason: escapes text for ReportLab markup; nothing is parsed

from reportlab.platypus import Flowable, Image, PageBreak, Paragraph

from app.pdf.styles import RULE, Styles
from app.reports.data import Annex, ReportData
from app.reports.pdf import geometry as g

log = logging.getLogger("telewywiad.reports")

# Room kept under an annex heading for the heading itself.
_HEADING_ROOM = 40.0
# Largest side of an annexed photo as embedded: sharp when printed on A4, small enough to sign quickly.
_IMAGE_MAX_PX = 2000


def _p(text: str, style: Any) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


class PdfPagePlaceholder(Flowable):
    """Reserves the rest of the page for one page of a PDF annex and remembers where it was laid out."""

    def __init__(self, annex_number: int, page_index: int) -> None:
        super().__init__()
        self.annex_number = annex_number
        self.page_index = page_index
        self.placed: tuple[int, float, float, float, float] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - ReportLab API
        """Take the whole remaining frame."""
        self.width, self.height = availWidth, availHeight
        return availWidth, availHeight

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 - ReportLab API
        """Never split."""
        return []

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802 - ReportLab API
        """Record the page (0-based) and rectangle, in page coordinates, then draw the thin frame."""
        self.placed = (canvas.getPageNumber() - 1, x, y, self.width, self.height)
        super().drawOn(canvas, x, y, _sW)

    def draw(self) -> None:
        """A hairline around the area the annex page is drawn into."""
        self.canv.saveState()
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.3)
        self.canv.rect(0, 0, self.width, self.height)
        self.canv.restoreState()


def _photo(data: bytes) -> io.BytesIO | None:
    """The photo upright (EXIF orientation), RGB, at most _IMAGE_MAX_PX on its longer side, as JPEG."""
    from PIL import Image as PILImage
    from PIL import ImageOps, UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data)) as source:
            image = ImageOps.exif_transpose(source).convert("RGB")
            image.thumbnail((_IMAGE_MAX_PX, _IMAGE_MAX_PX))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, ValueError, PILImage.DecompressionBombError):
        return None
    out.seek(0)
    return out


def _pdf_pages(data: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"])
    except Exception:  # noqa: BLE001 - checked at upload; a file that still breaks the parser is shown as unreadable
        return 0


def _annex(annex: Annex, st: Styles) -> list[Flowable]:
    title = f"Załącznik nr {annex.number} — {annex.title}"
    if annex.media_type == "application/pdf":
        pages = _pdf_pages(annex.data)
        out: list[Flowable] = []
        for index in range(pages):
            out += [PageBreak(), _p(f"{title}, strona {index + 1} z {pages}", st.heading),
                    PdfPagePlaceholder(annex.number, index)]
        return out or [PageBreak(), _p(title, st.heading), _p("Nie udało się odczytać pliku PDF.", st.note)]
    photo = _photo(annex.data)
    if photo is None:
        return [PageBreak(), _p(title, st.heading), _p("Nie udało się odczytać obrazu.", st.note)]
    image = Image(photo, width=g.FRAME_WIDTH, height=g.FRAME_HEIGHT - _HEADING_ROOM, kind="bound")
    return [PageBreak(), _p(title, st.heading), image]


def annexes_story(data: ReportData, st: Styles) -> list[Flowable]:
    """Each annex on pages of its own, after the documents list and before the signatures."""
    out: list[Flowable] = []
    for annex in data.annexes:
        out += _annex(annex, st)
    if out:
        out.append(PageBreak())  # the signatures follow the annexes on a page of their own
    return out


@dataclass(frozen=True)
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float


def _matrix(box: _Box, rotate: int, x: float, y: float, w: float, h: float) -> tuple[float, ...]:
    """The `cm` operands fitting the page's box (turned by /Rotate) into (x, y, w, h), centred, aspect kept."""
    bw, bh = box.x1 - box.x0, box.y1 - box.y0
    turned = rotate in (90, 270)
    shown_w, shown_h = (bh, bw) if turned else (bw, bh)
    scale = min(w / shown_w, h / shown_h)
    ox = x + (w - shown_w * scale) / 2
    oy = y + (h - shown_h * scale) / 2
    # Rotation about the origin, then translation so the rotated box's lower-left corner lands at (ox, oy).
    # /Rotate turns the page clockwise when shown: (x, y) -> (y, -x) for 90 degrees.
    turn: dict[int, tuple[float, float, float, float]] = {0: (1, 0, 0, 1), 90: (0, -1, 1, 0), 180: (-1, 0, 0, -1),
                                                           270: (0, 1, -1, 0)}
    a, b, c, d = (v * scale for v in turn[rotate])
    corners = [(px * a + py * c, px * b + py * d) for px in (box.x0, box.x1) for py in (box.y0, box.y1)]
    min_x = min(cx for cx, _ in corners)
    min_y = min(cy for _, cy in corners)
    return a, b, c, d, ox - min_x, oy - min_y


def placeholders(story: list[Flowable]) -> list[PdfPagePlaceholder]:
    """The PDF-page placeholders of a story, kept before the layout consumes the list."""
    return [f for f in story if isinstance(f, PdfPagePlaceholder)]


def merge_pdf_annexes(pdf: bytes, data: ReportData, pending: list[PdfPagePlaceholder]) -> bytes:
    """Draw each PDF annex page into its placeholder; the report unchanged when there are none."""
    placed = [p for p in pending if p.placed is not None]
    if not placed:
        return pdf
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf)))
    sources = {a.number: a for a in data.annexes}
    readers: dict[int, PdfFileReader] = {}
    for n, holder in enumerate(placed):
        assert holder.placed is not None  # noqa: S101 - filtered above
        page, x, y, w, h = holder.placed
        try:
            reader = readers.get(holder.annex_number)
            if reader is None:
                reader = PdfFileReader(io.BytesIO(sources[holder.annex_number].data), strict=False)
                readers[holder.annex_number] = reader
            page_ref, _resources = reader.find_page_for_modification(holder.page_index)
            page_obj = page_ref.get_object()
            xobject = writer.import_page_as_xobject(reader, page_ix=holder.page_index)
            box_values = [float(v) for v in xobject.get_object()["/BBox"]]
            rotate = int(page_obj.get("/Rotate", 0)) % 360
            matrix = _matrix(_Box(*box_values), rotate if rotate in (0, 90, 180, 270) else 0, x, y, w, h)
        except Exception:  # noqa: BLE001 - one unreadable annex page must not stop the report from being signed
            log.warning("annex page not merged annex=%s page=%s", holder.annex_number, holder.page_index)
            continue
        name = f"/TwAnnex{n}"
        operands = " ".join(f"{v:.4f}" for v in matrix)
        stream = generic.StreamObject(stream_data=f"q {operands} cm {name} Do Q".encode("ascii"))
        resources = generic.DictionaryObject(
            {pdf_name("/XObject"): generic.DictionaryObject({pdf_name(name): xobject})}
        )
        writer.add_stream_to_page(page, writer.add_object(stream), resources=resources)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
