"""Page geometry shared by the layout and the signing code, so stamps land in the reserved area."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 50.0
MARGIN_RIGHT = 50.0
MARGIN_TOP = 56.0
MARGIN_BOTTOM = 62.0
FOOTER_Y = 34.0

FRAME_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

STAMP_WIDTH = 236.0
STAMP_HEIGHT = 92.0
# Heading and the two captions above the boxes.
SIGNATURE_CAPTION_HEIGHT = 46.0
SIGNATURE_AREA_HEIGHT = STAMP_HEIGHT + SIGNATURE_CAPTION_HEIGHT

Box = tuple[float, float, float, float]

# The signature area always sits at the bottom of the last page's frame, so these are absolute
# PDF coordinates (x1, y1, x2, y2) on the last page.
WORKER_STAMP_BOX: Box = (MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_LEFT + STAMP_WIDTH, MARGIN_BOTTOM + STAMP_HEIGHT)
SUPERVISOR_STAMP_BOX: Box = (
    PAGE_WIDTH - MARGIN_RIGHT - STAMP_WIDTH,
    MARGIN_BOTTOM,
    PAGE_WIDTH - MARGIN_RIGHT,
    MARGIN_BOTTOM + STAMP_HEIGHT,
)
SIGNATURE_PAGE = -1
