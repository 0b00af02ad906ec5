"""A canvas that defers page footers until the page count is known ("strona X z Y")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from reportlab.pdfgen.canvas import Canvas

from app.pdf.styles import FONT, MUTED, RULE
from app.reports.pdf import geometry as g


def numbered_canvas(footer_left: str, header: str) -> Callable[..., Canvas]:
    """Return a canvasmaker whose pages carry ``header``, ``footer_left`` and "strona X z Y"."""

    class _NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._page_states: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab API name
            # Keep the page's drawing state; the footer needs the total, known only at save().
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._page_states)
            for number, state in enumerate(self._page_states, start=1):
                self.__dict__.update(state)
                self._draw_chrome(number, total)
                super().showPage()
            super().save()

        def _draw_chrome(self, number: int, total: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(g.MARGIN_LEFT, g.FOOTER_Y + 10, g.PAGE_WIDTH - g.MARGIN_RIGHT, g.FOOTER_Y + 10)
            self.setFillColor(MUTED)
            self.setFont(FONT, 7.5)
            self.drawString(g.MARGIN_LEFT, g.FOOTER_Y, footer_left)
            self.drawRightString(g.PAGE_WIDTH - g.MARGIN_RIGHT, g.FOOTER_Y, f"strona {number} z {total}")
            if number > 1:
                top = g.PAGE_HEIGHT - g.MARGIN_TOP + 18
                self.drawString(g.MARGIN_LEFT, top, header)
                self.line(g.MARGIN_LEFT, top - 4, g.PAGE_WIDTH - g.MARGIN_RIGHT, top - 4)
            self.restoreState()

    return _NumberedCanvas


def dated_canvas(maker: Callable[..., Canvas], moment: datetime) -> Callable[..., Canvas]:
    """A canvasmaker whose PDF carries `moment` as CreationDate and ModDate (D:YYYYMMDDHHmmSS+01'00')."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    stamp = f"D:{moment:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"

    def make(*args: Any, **kwargs: Any) -> Canvas:
        canvas = maker(*args, **kwargs)
        canvas.setDateFormatter(lambda *_: stamp)
        return canvas

    return make
