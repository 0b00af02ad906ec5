"""Fonts registered with ReportLab and the paragraph styles of the report."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.pdf.fonts import find_fonts

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_OBLIQUE = "DejaVuSans-Oblique"

ACCENT = colors.HexColor("#1F3A5F")
RULE = colors.HexColor("#9AA5B1")
SHADE = colors.HexColor("#EEF1F5")
MUTED = colors.HexColor("#4A5563")


@functools.cache
def register_fonts() -> None:
    """Register DejaVu Sans (regular, bold, oblique) once per process as embedded, subset TrueType."""
    fonts = find_fonts()
    # Parsing the TTF files is the costly part of the first render; the cache keeps it to once.
    pdfmetrics.registerFont(TTFont(FONT, str(fonts.regular)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts.bold)))
    pdfmetrics.registerFont(TTFont(FONT_OBLIQUE, str(fonts.oblique)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_OBLIQUE, boldItalic=FONT_BOLD)


@dataclass(frozen=True)
class Styles:
    """The paragraph styles used by the report story."""

    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_small: ParagraphStyle
    cell_small_bold: ParagraphStyle
    cell_amount: ParagraphStyle
    cell_amount_bold: ParagraphStyle
    title: ParagraphStyle
    office: ParagraphStyle
    heading: ParagraphStyle
    note: ParagraphStyle


@functools.cache
def styles() -> Styles:
    """Return the report's paragraph styles, registering the fonts first."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, alignment=TA_LEFT, spaceAfter=4)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=MUTED),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0),
        cell_bold=ParagraphStyle("cell_bold", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=10.5,
                                 spaceAfter=0),
        cell_small=ParagraphStyle("cell_small", parent=body, fontSize=7.5, leading=9.5, spaceAfter=0),
        cell_small_bold=ParagraphStyle("cell_small_bold", parent=body, fontName=FONT_BOLD, fontSize=7.5,
                                       leading=9.5, spaceAfter=0),
        cell_amount=ParagraphStyle("cell_amount", parent=body, fontSize=7.5, leading=9.5, spaceAfter=0,
                                   alignment=TA_RIGHT),
        cell_amount_bold=ParagraphStyle("cell_amount_bold", parent=body, fontName=FONT_BOLD, fontSize=7.5,
                                        leading=9.5, spaceAfter=0, alignment=TA_RIGHT),
        title=ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=13.5, leading=17,
                             textColor=ACCENT, spaceBefore=6, spaceAfter=8),
        office=ParagraphStyle("office", parent=body, fontSize=8.5, leading=11, spaceAfter=0),
        heading=ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=10.5, leading=13,
                               textColor=ACCENT, spaceBefore=10, spaceAfter=4, keepWithNext=1),
        note=ParagraphStyle("note", parent=body, fontName=FONT_OBLIQUE, fontSize=8.5, leading=11,
                            textColor=MUTED, spaceBefore=3),
    )
