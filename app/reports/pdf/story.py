"""Turns ReportData into the Platypus flowables of the report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape  # nosec B406  # reason: escapes text for ReportLab markup; nothing is parsed

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, ListFlowable, ListItem, Paragraph, Spacer, Table, TableStyle

from app.dates import day_text
from app.pdf.styles import ACCENT, FONT, FONT_BOLD, RULE, SHADE, Styles
from app.reports.data import InterviewMode, InterviewType, ReportData, Section
from app.reports.pdf import geometry as g
from app.reports.pdf.annexes import annexes_story
from app.reports.pdf.signature_area import SignatureArea

NBSP = "\u00a0"

_GRID = [
    # Table's own default is Helvetica; naming DejaVu keeps unembedded fonts out of the file.
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("GRID", (0, 0), (-1, -1), 0.4, RULE),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
]


def title_for(data: ReportData) -> str:
    """Return the document title for the interview type and mode."""
    kind = "Aktualizacja rodzinnego wywiadu środowiskowego" if data.interview_type is InterviewType.UPDATE \
        else "Rodzinny wywiad środowiskowy"
    if data.mode is InterviewMode.TELEPHONE:
        return f"{kind} — procedura telefoniczna (art. 15o ustawy COVID-19)"
    return f"{kind} — wywiad w miejscu zamieszkania (zapis elektroniczny)"


def _title(data: ReportData, st: Styles) -> Paragraph:
    # Break after the dash so the mode reads as a subtitle instead of wrapping mid-phrase.
    kind, _, mode = title_for(data).partition(" — ")
    return Paragraph(f"{escape(kind)} —<br/>{escape(mode)}", st.title)


def format_date(value: date) -> str:
    """Format a date the Polish way (dd.mm.rrrr), as everywhere else (app.dates)."""
    return day_text(value, "pl")


def format_datetime(value: datetime) -> str:
    """Format a date and time the Polish way (dd.mm.rrrr, gg:mm)."""
    return value.strftime("%d.%m.%Y, %H:%M")


def format_amount(value: Decimal | None) -> str:
    """Format an amount in złoty with a non-breaking thousands separator and a decimal comma."""
    if value is None:
        return "—"
    whole, _, cents = f"{value:,.2f}".partition(".")
    return whole.replace(",", NBSP) + "," + cents


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Answers are free text typed by workers: escape them so "<" or "&" never break ReportLab's markup.
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _key_value_table(rows: Iterable[tuple[str, str]], st: Styles, key_width: float = 150) -> Table:
    body = [[_p(k, st.cell_bold), _p(v, st.cell)] for k, v in rows]
    table = Table(body, colWidths=[key_width, g.FRAME_WIDTH - key_width], hAlign="LEFT")
    table.setStyle(TableStyle([*_GRID, ("BACKGROUND", (0, 0), (0, -1), SHADE)]))
    return table


def _heading(text: str, st: Styles) -> Paragraph:
    return _p(text, st.heading)


def _masthead(data: ReportData, st: Styles) -> list[Flowable]:
    lines = [f"<b>{escape(data.office.name)}</b>", escape(data.office.address)]
    contact = " · ".join(filter(None, [f"tel. {escape(data.office.phone)}" if data.office.phone else "",
                                       escape(data.office.email)]))
    lines += [contact, *(escape(line) for line in data.office.extra_lines)]
    office = Paragraph("<br/>".join(line for line in lines if line), st.office)
    meta = Paragraph(
        f"Znak sprawy: <b>{escape(data.case_number)}</b><br/>"
        f"Dokument: {escape(data.document_id)}, wersja {data.version}<br/>"
        f"Sporządzono: {format_datetime(data.generated_at)}",
        st.office,
    )
    head = Table([[office, meta]], colWidths=[g.FRAME_WIDTH * 0.58, g.FRAME_WIDTH * 0.42])
    head.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    basis = Table([[_p("Podstawa prawna: " + data.legal_basis, st.small)]], colWidths=[g.FRAME_WIDTH])
    basis.setStyle(TableStyle([*_GRID, ("BACKGROUND", (0, 0), (-1, -1), SHADE)]))
    return [head, _title(data, st), basis]


def _call(data: ReportData, st: Styles) -> list[Flowable]:
    call = data.call
    telephone = data.mode is InterviewMode.TELEPHONE
    rows = [
        ("Data rozmowy" if telephone else "Data wywiadu", format_date(call.date)),
        ("Godzina", call.time.strftime("%H:%M")),
        ("Numer telefonu" if telephone else "Telefon kontaktowy", call.number_called),
        ("Rozmówca" if telephone else "Osoba obecna", call.answered_by),
        ("Potwierdzenie tożsamości", call.identity_check),
        ("Pracownik socjalny", data.worker_name),
    ]
    heading = "Przebieg rozmowy telefonicznej" if telephone else "Przebieg wywiadu"
    return [_heading(heading, st), _key_value_table(rows, st)]


def _instruction(data: ReportData, st: Styles) -> list[Flowable]:
    ins = data.instruction
    when = format_datetime(ins.confirmed_at) if ins.confirmed_at else "nie potwierdzono"
    rows = [("Treść pouczenia", ins.text), ("Potwierdzenie", ins.confirmation), ("Czas potwierdzenia", when)]
    return [_heading("Pouczenie o odpowiedzialności karnej (art. 233 Kodeksu karnego)", st),
            _key_value_table(rows, st)]


def _household(data: ReportData, st: Styles) -> list[Flowable]:
    if not data.household:  # no table of nobody with "Razem 0,00" under it
        return [_heading("Skład rodziny i gospodarstwa domowego", st), _p("Nie podano członków gospodarstwa domowego.", st.note)]
    header = ["Lp.", "Imię i nazwisko", "Stopień pokrewieństwa", "Data urodzenia",
              "Zawód / miejsce pracy / szkoła", "Źródło dochodu", "Kwota (zł)"]
    # Seven columns on A4 need the smaller type to keep dates and relations on one line.
    cell, bold = st.cell_small, st.cell_small_bold
    rows: list[list[Flowable]] = [[_p(h, bold) for h in header]]
    for number, m in enumerate(data.household, start=1):
        born = format_date(m.date_of_birth) if m.date_of_birth else "—"
        rows.append([_p(f"{number}.", cell), _p(m.name, cell), _p(m.relation, cell), _p(born, cell),
                     _p(m.occupation, cell), _p(m.income_source, cell), _p(format_amount(m.income_amount), st.cell_amount)])
    total = sum((m.income_amount for m in data.household if m.income_amount is not None), Decimal("0"))
    with_total = any(m.income_amount is not None for m in data.household)
    if with_total:
        rows.append([_p("", cell), _p("Razem", bold), *[_p("", cell)] * 4, _p(format_amount(total), st.cell_amount_bold)])
    widths = [22, 86, 78, 54, 104, 84, g.FRAME_WIDTH - 428]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        *_GRID,
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        *([("BACKGROUND", (0, -1), (-1, -1), SHADE)] if with_total else []),
    ]))
    return [_heading("Skład rodziny i gospodarstwa domowego", st), table]


def _section(section: Section, st: Styles) -> list[Flowable]:
    title = f"Część {section.segment}. {section.title}" if section.segment else section.title
    out: list[Flowable] = [_heading(title, st)]
    if section.answers:
        out.append(_key_value_table(section.answers, st, key_width=170))
    elif not section.comment:  # a part with only the worker's remarks (the call record's) is not "unanswered"
        out.append(_p("Brak odpowiedzi w tej części.", st.note))
    if section.comment:
        out.append(_p("Uwagi pracownika: " + section.comment, st.note))
    return out


def _bullets(items: Sequence[str], st: Styles) -> ListFlowable:
    return ListFlowable([ListItem(_p(i, st.body), leftIndent=12) for i in items], bulletType="bullet",
                        start="•", bulletFontName=FONT_BOLD, leftIndent=12)


def _conclusions(data: ReportData, st: Styles) -> list[Flowable]:
    out: list[Flowable] = [_heading("Powody przyznania pomocy (art. 7 ustawy o pomocy społecznej)", st)]
    out.append(_bullets(data.art7_reasons, st) if data.art7_reasons else _p("Nie wskazano.", st.note))
    out += [_heading("Diagnoza sytuacji", st), _p(data.diagnosis, st.body)]
    out += [_heading("Plan pomocy", st), _p(data.help_plan, st.body)]
    if data.referrals:
        rows: list[list[Flowable]] = [[_p(h, st.cell_bold) for h in ("Do kogo", "Pilność", "Zgoda", "Powód")]]
        rows += [[_p(r.recipient, st.cell), _p(r.urgency, st.cell), _p(r.consent, st.cell), _p(r.reason, st.cell)]
                 for r in data.referrals]
        table = Table(rows, colWidths=[120, 80, 150, g.FRAME_WIDTH - 350], repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle([*_GRID, ("BACKGROUND", (0, 0), (-1, 0), SHADE)]))
        out += [_heading("Skierowania", st), table]
    return out


def documents_table(data: ReportData, st: Styles) -> list[Flowable]:
    """The "documents received" section: what, name, channel, date, SHA-256 (and the annex number)."""
    if not data.documents:
        return []
    rows: list[list[Flowable]] = [[_p(h, st.cell_small_bold) for h in ("Lp.", "Dokument", "Jak wpłynął", "Data wpływu")]]
    for number, doc in enumerate(data.documents, start=1):
        what = doc.kind + (f" — {doc.description}" if doc.description else "")
        annex = f"; załącznik nr {doc.annex_number}" if doc.annex_number else ""
        cell = Paragraph(f"{escape(what)}<br/>plik: {escape(doc.filename)}{annex}<br/>"
                         f"<font size='6.5'>SHA-256: {escape(doc.sha256)}</font>", st.cell_small)
        rows.append([_p(f"{number}.", st.cell_small), cell, _p(doc.channel, st.cell_small),
                     _p(format_date(doc.received_on), st.cell_small)])
    table = Table(rows, colWidths=[24, g.FRAME_WIDTH - 214, 120, 70], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([*_GRID, ("BACKGROUND", (0, 0), (-1, 0), SHADE)]))
    heading = _p("Dokumenty i oświadczenia otrzymane (pliki w aktach sprawy)", st.heading)
    note = _p("Pliki przechowywane w systemie; skrót SHA-256 pozwala sprawdzić, że plik nie został zmieniony.", st.note)
    return [heading, table, note]


def build_story(data: ReportData, st: Styles) -> list[Flowable]:
    """Return the flowables of the whole report, ending with the reserved signature area."""
    story: list[Flowable] = [*_masthead(data, st), *_call(data, st), *_instruction(data, st)]
    household_done = False
    for section in data.sections:
        story.extend(_section(section, st))
        if section.segment == "A" and not household_done:
            story.extend(_household(data, st))
            household_done = True
    if not household_done:
        story.extend(_household(data, st))
    story.extend(_conclusions(data, st))
    story.extend(documents_table(data, st))
    story.extend(annexes_story(data, st))
    story.append(Spacer(1, 10))
    story.append(SignatureArea(
        worker_caption=f"pracownik socjalny {data.worker_name}",
        supervisor_caption="kierownik ośrodka / osoba upoważniona",
    ))
    return story
