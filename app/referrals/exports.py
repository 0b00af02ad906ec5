"""The current referral list as CSV or PDF, for psychologists working outside the system (the minimum fields only)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from sqlmodel import Session

from app.auth.models import Office
from app.clock import to_local, utcnow
from app.fields import international_phone
from app.pdf.styles import FONT, FONT_BOLD, register_fonts
from app.referrals.labels import PRIORITY_LABELS, REASON_LABELS
from app.referrals.models import Referral
from app.referrals.queries import is_overdue, office_referrals, user_names
from app.referrals.states import STATE_LABELS

COLUMNS = (
    "Pilność",
    "Imię i nazwisko",
    "Telefon",
    "Najlepsza pora",
    "Potrzeby komunikacyjne",
    "Powód",
    "Notatka pracownika",
    "Stan",
    "Termin kontaktu",
    "Pracownik (kontakt)",
)
_PHONE_LIKE = re.compile(r"^\+?[\d ]+$")


@dataclass(frozen=True)
class ExportRow:
    """One referral as exported: exactly what the psychologist may see."""

    priority: str
    person_name: str
    phone: str
    best_time: str
    communication_needs: str
    reason: str
    worker_note: str
    state: str
    due: str
    worker: str
    overdue: bool

    def cells(self, *, overdue_mark: str = " – ") -> list[str]:
        """Values in COLUMNS order; an overdue due time carries "po terminie" after `overdue_mark`."""
        return [
            self.priority,
            self.person_name,
            self.phone,
            self.best_time,
            self.communication_needs,
            self.reason,
            self.worker_note,
            self.state,
            f"{self.due}{overdue_mark}po terminie" if self.overdue else self.due,
            self.worker,
        ]


def export_rows(session: Session, office_id: int, now: datetime | None = None) -> list[ExportRow]:
    """The office's open referrals, urgent first then oldest, in Polish."""
    now = now or utcnow()
    referrals = office_referrals(session, office_id)
    names = user_names(session, [r.raised_by_id for r in referrals])
    with force_locale("pl"):
        return [_row(r, names, now) for r in referrals]


def _row(referral: Referral, names: dict[int, str], now: datetime) -> ExportRow:
    overdue = is_overdue(referral, now)
    due = to_local(referral.due_at).strftime("%d.%m.%Y %H:%M")
    worker = names.get(referral.raised_by_id, "")
    if referral.worker_contact:
        worker = f"{worker} ({referral.worker_contact})"
    return ExportRow(
        priority=str(PRIORITY_LABELS[referral.priority]),
        person_name=referral.person_name,
        phone=international_phone(referral.phone),
        best_time=referral.best_time,
        communication_needs=referral.communication_needs,
        reason=str(REASON_LABELS[referral.reason]),
        worker_note=referral.worker_note,
        state=str(STATE_LABELS[referral.state]),
        due=due,
        worker=worker,
        overdue=overdue,
    )


def _safe_cell(value: str) -> str:
    """Defuse spreadsheet formulas (=, +, -, @ at the start), but keep phone numbers as they are."""
    if value and value[0] in "=+-@\t\r" and not _PHONE_LIKE.match(value):
        return "'" + value
    return value


def to_csv(rows: list[ExportRow]) -> bytes:
    """UTF-8 CSV with a BOM and semicolons, as Polish spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_safe_cell(c) for c in row.cells()])
    return buffer.getvalue().encode("utf-8-sig")


def to_pdf(rows: list[ExportRow], *, office: Office | None, generated_at: datetime | None = None) -> bytes:
    """A landscape A4 list with DejaVu Sans embedded, so every Polish letter prints right."""
    register_fonts()
    generated_at = generated_at or utcnow()
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
    head = ParagraphStyle("head", parent=cell, fontName=FONT_BOLD)
    title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=14, leading=18, spaceAfter=4)
    small = ParagraphStyle("small", fontName=FONT, fontSize=9, leading=12)

    def p(text: str, style: ParagraphStyle = cell) -> Paragraph:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(escaped.replace("\n", "<br/>"), style)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title="Zgłoszenia do psychologa",
        author="telewywiad",
    )
    story: list[object] = [
        p("Zgłoszenia do psychologa", title),
        p(
            f"{office.name if office else ''} · stan na {to_local(generated_at).strftime('%d.%m.%Y %H:%M')} · "
            f"zgłoszeń: {len(rows)}. Dane poufne – tylko do kontaktu z osobami z listy.",
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    data = [[p(c, head) for c in COLUMNS]] + [[p(c) for c in row.cells(overdue_mark="\n")] for row in rows]
    widths = [17, 44, 27, 25, 28, 28, 42, 21, 25, 20]
    table = LongTable(data, colWidths=[w * mm for w in widths], repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9AA5B1")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF1F5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for index, row in enumerate(rows, start=1):
        if row.overdue:
            style.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#FDE8E8")))
    table.setStyle(TableStyle(style))
    story.append(table)
    if not rows:
        story.append(p("Brak otwartych zgłoszeń.", small))
    doc.build(story)
    return buffer.getvalue()
