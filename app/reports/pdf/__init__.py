"""Report layout with ReportLab Platypus: ``render_report(data) -> bytes``, a pure function."""

from __future__ import annotations

import io

from reportlab.platypus import Frame, PageTemplate
from reportlab.platypus.doctemplate import BaseDocTemplate

from app.pdf.styles import FONT, register_fonts, styles
from app.reports.data import ReportData
from app.reports.pdf import geometry
from app.reports.pdf.annexes import merge_pdf_annexes, placeholders
from app.reports.pdf.canvas import dated_canvas, numbered_canvas
from app.reports.pdf.story import build_story, title_for

__all__ = ["geometry", "register_fonts", "render_report"]


def render_report(data: ReportData) -> bytes:
    """Render the interview report as an A4 PDF; the same data gives the same bytes."""
    st = styles()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(geometry.PAGE_WIDTH, geometry.PAGE_HEIGHT),
        leftMargin=geometry.MARGIN_LEFT,
        rightMargin=geometry.MARGIN_RIGHT,
        topMargin=geometry.MARGIN_TOP,
        bottomMargin=geometry.MARGIN_BOTTOM,
        title=title_for(data),
        author=data.office.name,
        subject=f"{data.case_number} / {data.document_id} v{data.version}",
        creator="telewywiad",
        lang="pl-PL",
        # Otherwise every page's preamble references an unembedded Helvetica that nothing uses.
        initialFontName=FONT,
        # invariant fixes the document id, so identical data gives identical bytes; the creation date is
        # the report's own moment (dated_canvas), not invariant mode's 2000-01-01.
        invariant=1,
    )
    # Zero padding: the signature area must end exactly at MARGIN_BOTTOM, where the stamp boxes are.
    frame = Frame(
        geometry.MARGIN_LEFT, geometry.MARGIN_BOTTOM, geometry.FRAME_WIDTH, geometry.FRAME_HEIGHT,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    footer = f"{data.case_number} · dokument {data.document_id}, wersja {data.version}"
    header = f"{data.case_number} — {title_for(data)}"
    story = build_story(data, st)
    pending = placeholders(story)  # the layout consumes the list; PDF annex pages are drawn in afterwards
    doc.build(story, canvasmaker=dated_canvas(numbered_canvas(footer, header), data.generated_at))
    return merge_pdf_annexes(buffer.getvalue(), data, pending)
