"""A flowable that reserves the bottom of the last page for the two signature stamps."""

from __future__ import annotations

from reportlab.platypus import Flowable

from app.pdf.styles import ACCENT, FONT, FONT_BOLD, MUTED, RULE
from app.reports.pdf import geometry as g


class SignatureArea(Flowable):
    """Fills the rest of the frame and draws two empty stamp boxes at its bottom edge.

    Because it always ends at the frame's bottom, the boxes sit at the fixed coordinates of
    ``geometry.WORKER_STAMP_BOX`` / ``SUPERVISOR_STAMP_BOX`` on the last page, so the signing code needs
    no feedback from the layout. When too little room is left it moves whole to a new page.
    """

    def __init__(self, worker_caption: str, supervisor_caption: str) -> None:
        super().__init__()
        self.worker_caption = worker_caption
        self.supervisor_caption = supervisor_caption
        self.height = g.SIGNATURE_AREA_HEIGHT

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - ReportLab API
        """Take all remaining height when the area fits, else ask for its minimum (forcing a page break)."""
        self.width = availWidth
        fits = availHeight >= g.SIGNATURE_AREA_HEIGHT
        self.height = availHeight if fits else g.SIGNATURE_AREA_HEIGHT
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 - ReportLab API
        """Never split: the stamps need both boxes on one page."""
        return []

    def draw(self) -> None:
        """Draw the heading, captions and dashed stamp boxes."""
        c = self.canv
        box_w = g.STAMP_WIDTH
        box_h = g.STAMP_HEIGHT
        right_x = self.width - box_w
        c.saveState()
        c.setFillColor(ACCENT)
        c.setFont(FONT_BOLD, 10.5)
        c.drawString(0, box_h + 32, "Podpisy elektroniczne (PAdES)")
        c.setFillColor(MUTED)
        c.setFont(FONT, 8)
        c.drawString(0, box_h + 6, self.worker_caption)
        c.drawString(right_x, box_h + 6, self.supervisor_caption)
        c.setFont(FONT, 7)
        c.drawString(0, box_h + 19, "Sporządził:")
        c.drawString(right_x, box_h + 19, "Zatwierdził:")
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.setDash(2, 2)
        c.rect(0, 0, box_w, box_h)
        c.rect(right_x, 0, box_w, box_h)
        c.restoreState()
