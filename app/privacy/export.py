"""Subject-access export (GDPR art. 15): everything telewywiad holds about one person, as JSON and as a PDF.

The person is found by a case id or by PESEL within one office. Staff appear by id only (their own data is not part
of the person's request); audit events about the person's records are listed by id, action and time.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from sqlmodel import Session, col, or_, select

from app.appointments import privacy as appointment_privacy
from app.audit.models import AuditEvent
from app.auth.models import Office
from app.cases import record_privacy
from app.cases.labels import channel_label, outcome_label, requested_label, route_label, state_label
from app.cases.models import CallAttempt, Callback, Case, CasePhone, OtherContact
from app.clock import to_local, utcnow
from app.documents import privacy as document_privacy
from app.fields import FieldError, digits
from app.formdefs import StorageError, display, from_storage
from app.formdefs.keys import question_for_key
from app.interviews.answers import form_of
from app.interviews.models import Answer, AnswerChange, Interview
from app.pdf.styles import ACCENT, FONT, FONT_BOLD, RULE, SHADE, register_fonts
from app.referrals.models import FlagDecision, Referral, ReferralContact, ReferralTransition
from app.reports.models import Report, ReportFile, ReviewComment

FORMAT_VERSION = 1
LANG = "pl"


class ExportError(LookupError):
    """No person matches the request in this office."""


def cases_for(session: Session, *, case_id: int | None = None, pesel: str | None = None,
              office_id: int | None = None) -> list[Case]:
    """The person's cases: the given case (plus the office's other cases with the same PESEL), or all by PESEL."""
    if case_id is not None:
        case = session.get(Case, case_id)
        if case is None or (office_id is not None and case.office_id != office_id):
            raise ExportError(f"no case {case_id} in this office")
        pesel, office_id = case.pesel, case.office_id
        if not pesel:
            return [case]
    try:
        # Digits read as registration reads them ("４１０３…" finds "4103…"); no checksum test: find what is stored.
        cleaned = re.sub(r"[\s-]", "", digits(pesel or ""))
    except FieldError as exc:
        raise ExportError(exc.message) from None
    if not cleaned.isdigit() or len(cleaned) != 11:
        raise ExportError("PESEL must be 11 digits")
    cases = list(session.exec(
        select(Case).where(Case.pesel == cleaned, Case.office_id == office_id).order_by(col(Case.id))
    ).all())
    if not cases:
        raise ExportError("no case with this PESEL in this office")
    return cases


def _time(value: datetime | None) -> str | None:
    return to_local(value).isoformat(timespec="seconds") if value else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _answer(interview: Interview, row: Answer) -> dict[str, Any]:
    """One stored answer with the question's Polish label and its display value (raw text when invalid)."""
    label, shown, section = row.key, row.raw, ""
    try:
        question = question_for_key(form_of(interview), row.key)
        label, section = question.label.get(LANG), question.section
        member = row.key.split(".")[1] if question.group and row.key.count(".") == 2 else None
        if member is not None:
            label = f"{label} (osoba {int(member) + 1})"
        if row.valid and row.value is not None:
            shown = display(question, from_storage(question, json.loads(row.value)), LANG)
    except (KeyError, ValueError, StorageError):
        pass  # a key the pinned form no longer knows: shown by its key and raw text
    return {"key": row.key, "section": section, "label": label, "value": shown, "raw": row.raw,
            "valid": row.valid, "revision": row.revision, "updated_at": _time(row.updated_at)}


def _interview(session: Session, interview: Interview) -> dict[str, Any]:
    answers = session.exec(select(Answer).where(Answer.interview_id == interview.id).order_by(col(Answer.id))).all()
    history = session.exec(
        select(AnswerChange).where(AnswerChange.interview_id == interview.id).order_by(col(AnswerChange.id))
    ).all()
    flags = session.exec(select(FlagDecision).where(FlagDecision.interview_id == interview.id)).all()
    return {
        "id": interview.id, "form": f"{interview.form_id} v{interview.form_version}", "state": interview.state,
        "worker_id": interview.worker_id, "started_at": _time(interview.started_at),
        "finished_at": _time(interview.finished_at), "notes": interview.notes,
        "answers": [_answer(interview, row) for row in answers],
        "answer_history": [{"key": h.key, "revision": h.revision, "raw": h.raw, "changed_at": _time(h.changed_at),
                            "changed_by_id": h.changed_by_id} for h in history],
        "flag_decisions": [{"rule": f.rule_id, "decision": f.decision, "reason": f.reason,
                            "decided_at": _time(f.decided_at), "referral_id": f.referral_id} for f in flags],
    }


def _referral(session: Session, referral: Referral) -> dict[str, Any]:
    contacts = session.exec(select(ReferralContact).where(ReferralContact.referral_id == referral.id)).all()
    transitions = session.exec(select(ReferralTransition).where(ReferralTransition.referral_id == referral.id)).all()
    return {
        "id": referral.id, "interview_id": referral.interview_id, "state": referral.state,
        "person_name": referral.person_name, "phone": referral.phone, "best_time": referral.best_time,
        "communication_needs": referral.communication_needs, "reason": referral.reason,
        "priority": referral.priority, "worker_note": referral.worker_note,
        "consent_given": referral.consent_given, "consent_at": _time(referral.consent_at),
        "emergency_action": referral.emergency_action, "created_at": _time(referral.created_at),
        "close_outcome": referral.close_outcome, "closing_note": referral.closing_note,
        "return_reason": referral.return_reason,
        "contacts": [{"at": _time(c.at), "outcome": c.outcome, "note": c.note} for c in contacts],
        "history": [{"at": _time(t.at), "action": t.action, "from": t.from_state, "to": t.to_state, "note": t.note}
                    for t in transitions],
    }


def _report(session: Session, report: Report) -> dict[str, Any]:
    files = session.exec(select(ReportFile).where(ReportFile.report_id == report.id).order_by(col(ReportFile.id))).all()
    comments = session.exec(select(ReviewComment).where(ReviewComment.report_id == report.id)).all()
    return {
        "id": report.id, "interview_id": report.interview_id, "state": report.state, "version": report.version,
        "submitted_at": _time(report.submitted_at), "decided_at": _time(report.decided_at),
        "files": [{"id": f.id, "version": f.version, "kind": f.kind, "sha256": f.sha256, "size_bytes": f.size_bytes,
                   "created_at": _time(f.created_at)} for f in files],
        "review_comments": [{"version": c.version, "answer_key": c.answer_key, "text": c.text,
                             "created_at": _time(c.created_at)} for c in comments],
    }


def _audit(session: Session, refs: Iterable[tuple[str, int | None]]) -> list[dict[str, Any]]:
    """Audit events about the person's records: id, time, action and record only (the log holds nothing else)."""
    pairs = [(kind, str(ident)) for kind, ident in refs if ident is not None]
    if not pairs:
        return []
    condition = or_(*[(col(AuditEvent.object_type) == kind) & (col(AuditEvent.object_id) == ident) for kind, ident in pairs])
    events = session.exec(select(AuditEvent).where(condition).order_by(col(AuditEvent.id))).all()
    return [{"id": e.id, "at": _time(e.at), "action": e.action, "object_type": e.object_type,
             "object_id": e.object_id, "actor_id": e.actor_id} for e in events]


def _case(session: Session, case: Case) -> dict[str, Any]:
    phones = session.exec(select(CasePhone).where(CasePhone.case_id == case.id).order_by(col(CasePhone.position))).all()
    calls = session.exec(select(CallAttempt).where(CallAttempt.case_id == case.id).order_by(col(CallAttempt.at))).all()
    callbacks = session.exec(select(Callback).where(Callback.case_id == case.id).order_by(col(Callback.due_at))).all()
    contacts = session.exec(
        select(OtherContact).where(OtherContact.case_id == case.id).order_by(col(OtherContact.sent_on), col(OtherContact.id))
    ).all()
    interviews = session.exec(select(Interview).where(Interview.case_id == case.id).order_by(col(Interview.id))).all()
    referrals = session.exec(select(Referral).where(Referral.case_id == case.id).order_by(col(Referral.id))).all()
    reports = session.exec(select(Report).where(Report.case_id == case.id).order_by(col(Report.id))).all()
    files = [f["id"] for r in reports for f in _report(session, r)["files"]]
    appointments = appointment_privacy.export(session, case)
    documents = document_privacy.export(session, case)
    refs: list[tuple[str, int | None]] = [("case", case.id)]
    refs += [("call_attempt", c.id) for c in calls] + [("interview", i.id) for i in interviews]
    refs += [("other_contact", c.id) for c in contacts] + [("case_phone", p.id) for p in phones]
    refs += [("referral", r.id) for r in referrals] + [("report", r.id) for r in reports]
    refs += [("report_file", f) for f in files] + [("appointment", a["id"]) for a in appointments]
    refs += [(document_privacy.RECORD_TYPE, d["id"]) for d in documents]
    return {
        "id": case.id, "reference": case.reference, "applicant_name": case.applicant_name, "pesel": case.pesel,
        "email": case.email, "address": case.address, "channel": channel_label(case.channel),
        "channel_detail": case.channel_detail, "received_on": _day(case.received_on),
        "requested": [requested_label(code) for code in json.loads(case.requested or "[]")],
        "request_note": case.request_note, "urgent": case.urgent, "permanent_help": case.permanent_help,
        "state": state_label(case.state), "due_on": _day(case.due_on), "assigned_worker_id": case.assigned_worker_id,
        "created_at": _time(case.created_at),
        "phones": [{"number": p.number, "label": p.label, "wrong_since": _time(p.wrong_since)} for p in phones],
        "call_attempts": [{"id": c.id, "at": _time(c.at), "number": c.number, "outcome": outcome_label(c.outcome),
                           "note": c.note, "callback_at": _time(c.callback_at), "worker_id": c.worker_id}
                          for c in calls],
        "callbacks": [{"due_at": _time(c.due_at), "done_at": _time(c.done_at), "note": c.note} for c in callbacks],
        "other_contacts": [{"id": c.id, "route": route_label(c.route), "sent_on": _day(c.sent_on), "note": c.note,
                            "by_id": c.by_id} for c in contacts],
        "interviews": [_interview(session, i) for i in interviews],
        "referrals": [_referral(session, r) for r in referrals],
        "reports": [_report(session, r) for r in reports],
        "appointments": appointments,
        "documents": documents,
        **record_privacy.export(session, case),  # changes of the case's data, closings
        "audit_events": _audit(session, refs),
    }


def collect(session: Session, cases: list[Case]) -> dict[str, Any]:
    """The whole export as plain data (Polish labels)."""
    office = session.get(Office, cases[0].office_id)
    with force_locale(LANG):
        return {
            "format": "telewywiad-subject-access", "version": FORMAT_VERSION,
            "generated_at": _time(utcnow()), "office": office.name if office else "",
            "cases": [_case(session, case) for case in cases],
        }


def to_json(data: dict[str, Any]) -> bytes:
    """UTF-8 JSON, Polish letters kept as they are."""
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def to_pdf(data: dict[str, Any]) -> bytes:
    """A4 PDF with DejaVu Sans embedded, so every Polish letter prints exactly."""
    register_fonts()
    body = ParagraphStyle("sar-body", fontName=FONT, fontSize=9, leading=12)
    bold = ParagraphStyle("sar-bold", parent=body, fontName=FONT_BOLD)
    title = ParagraphStyle("sar-title", fontName=FONT_BOLD, fontSize=15, leading=19, textColor=ACCENT, spaceAfter=4)
    heading = ParagraphStyle("sar-h", fontName=FONT_BOLD, fontSize=12, leading=15, textColor=ACCENT, spaceBefore=8,
                             spaceAfter=4)
    sub = ParagraphStyle("sar-sub", parent=heading, fontSize=10, leading=13, spaceBefore=6)

    def p(value: Any, style: ParagraphStyle = body) -> Paragraph:
        text = _text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(text.replace("\n", "<br/>"), style)

    def table(rows: list[tuple[Any, Any]], widths: tuple[float, float] = (55, 120)) -> LongTable:
        result = LongTable([[p(k, bold), p(v)] for k, v in rows], colWidths=[w * mm for w in widths])
        result.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("BACKGROUND", (0, 0), (0, -1), SHADE)]))
        return result

    story: list[Any] = [
        p("Dane osobowe przechowywane w telewywiad (art. 15 RODO)", title),
        p(f"{data['office']} · wygenerowano {data['generated_at']} · spraw: {len(data['cases'])}"),
        Spacer(1, 3 * mm),
    ]
    for case in data["cases"]:
        story.append(p(f"Sprawa {case['reference']}", heading))
        story.append(table([
            ("Imię i nazwisko", case["applicant_name"]), ("PESEL", case["pesel"]), ("E-mail", case["email"]),
            ("Adres", case["address"]), ("Kanał wpływu", f"{case['channel']} {case['channel_detail']}".strip()),
            ("Data wpływu", case["received_on"]), ("Wnioskowana pomoc", case["requested"]),
            ("Opis wniosku", case["request_note"]), ("Stan", case["state"]), ("Termin wywiadu", case["due_on"]),
            ("Telefony", [f"{ph['number']} {ph['label']}".strip() for ph in case["phones"]]),
        ]))
        if case["call_attempts"]:
            story.append(p("Próby kontaktu telefonicznego", sub))
            story.append(table([(c["at"], f"{c['number']} · {c['outcome']} · {c['note']}".rstrip(" ·"))
                                for c in case["call_attempts"]]))
        if case["other_contacts"]:
            story.append(p("Listy i e-maile", sub))
            story.append(table([(c["sent_on"], f"{c['route']} · {c['note']}".rstrip(" ·")) for c in case["other_contacts"]]))
        if case["appointments"]:
            story.append(p("Wizyty i terminy", sub))
            story.append(table([(a["starts_at"], f"{a['reason']} · {a['kind']} · {a['state']} · {a['where']}".rstrip(" ·"))
                                for a in case["appointments"]]))
        if case["documents"]:
            story.append(p("Dokumenty i oświadczenia (pliki są w eksporcie JSON)", sub))
            story.append(table([(d["received_on"], f"{d['kind']} · {d['filename']} · {d['channel']} · SHA-256 {d['sha256']}"
                                 + (f" · wycofany: {d['withdrawal_reason']}" if d["withdrawn_at"] else ""))
                                for d in case["documents"]]))
        if case["changes"]:
            story.append(p("Zmiany danych sprawy", sub))
            story.append(table([(c["changed_at"], f"{c['field']}: {c['old'] or '—'} → {c['new'] or '—'}")
                                for c in case["changes"]]))
        if case["closings"]:
            story.append(p("Zamknięcia sprawy", sub))
            story.append(table([(c["closed_at"], " · ".join(filter(None, [c["outcome"], ", ".join(c["help"]),
                                 c["decision_number"], c["decision_on"], c["transferred_to"], c["note"]])))
                                for c in case["closings"]]))
        for interview in case["interviews"]:
            story.append(p(f"Wywiad nr {interview['id']} ({interview['form']}, {interview['state']})", sub))
            rows = [(a["label"], a["value"]) for a in interview["answers"]]
            if interview["notes"]:
                rows.append(("Notatki pracownika", interview["notes"]))
            rows.append(("Historia zmian odpowiedzi", f"{len(interview['answer_history'])} zapisów"))
            story.append(table(rows))
        for referral in case["referrals"]:
            story.append(p(f"Zgłoszenie do psychologa nr {referral['id']} ({referral['state']})", sub))
            story.append(table([
                ("Imię i nazwisko", referral["person_name"]), ("Telefon", referral["phone"]),
                ("Najlepsza pora", referral["best_time"]), ("Potrzeby komunikacyjne", referral["communication_needs"]),
                ("Powód", referral["reason"]), ("Zgoda", referral["consent_given"]),
                ("Notatka pracownika", referral["worker_note"]),
                ("Kontakty", [f"{c['at']} {c['outcome']} {c['note']}".strip() for c in referral["contacts"]]),
            ]))
        for report in case["reports"]:
            story.append(p(f"Raport nr {report['id']} ({report['state']}, wersja {report['version']})", sub))
            story.append(table([(f"v{f['version']} {f['kind']}", f"SHA-256 {f['sha256']}") for f in report["files"]]
                               or [("Pliki", "—")]))
        story.append(p("Zdarzenia w dzienniku audytu dotyczące tych danych", sub))
        story.append(p(", ".join(f"#{e['id']} {e['action']}" for e in case["audit_events"]) or "—"))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title="Eksport danych osoby (RODO)", author="telewywiad")
    doc.build(story)
    return buffer.getvalue()
