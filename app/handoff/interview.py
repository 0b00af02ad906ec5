"""One finished interview as plain data for the system that issues the decision (POMOST or any other).

The shape is published as a JSON Schema in forms/schema/interview-export.schema.json (FORMAT_VERSION below): keys
never change within a version. Answers come from the pinned form definition — label, type, the stored value and
its display text — limited to what a supervisor may read (`redact`, the same reader as the report) and to what the
skip logic shows. The worker's private call notes, the referral's phone number and the audit trail stay out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, or_, select

from app.auth.models import Office, User
from app.cases.models import CallAttempt, Case
from app.clock import to_local, utcnow
from app.documents.models import CaseDocument
from app.fields import display_phone
from app.formdefs import FormDefinition, Question, display, evaluate, redact, to_storage
from app.interviews.answers import form_of, load_answers
from app.interviews.models import Interview, InterviewState
from app.referrals.models import FlagDecision, Referral
from app.reports.build import document_id
from app.reports.models import Report, ReportFile, SigningCertificate

FORMAT = "telewywiad-interview-export"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "forms" / "schema" / "interview-export.schema.json"
# The export is read by the office's decision system: it sees what the office's supervisors see.
READER_ROLE = "supervisor"
LANG = "pl"


class NotFinished(ValueError):
    """The interview is still in progress (or was interrupted): there is nothing final to hand over."""


def _time(value: dt.datetime | None) -> str | None:
    return to_local(value).isoformat(timespec="seconds") if value else None


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _text(question: Question, typed: Any) -> str:
    if question.type == "repeat":
        return str(typed)
    if question.type == "phone":
        return display_phone(str(typed))
    return display(question, typed, LANG)


def _answer(form: FormDefinition, question: Question, key: str, typed: Any, section_of: dict[str, Any],
            group: str | None = None, member: int | None = None) -> dict[str, Any]:
    section = section_of[group or question.id]
    entry: dict[str, Any] = {
        "key": key, "question": question.id, "section": section.id, "segment": section.segment,
        "group": group, "member": member, "label": question.label.get(LANG), "type": question.type,
        "value": to_storage(question, typed), "text": _text(question, typed),
    }
    if question.type in ("select_one", "select_multiple"):
        chosen = typed if isinstance(typed, list | tuple | set | frozenset) else [typed]
        entry["choice_labels"] = [c.label.get(LANG) for c in question.choices if c.value in chosen]
    return entry


def _answers(form: FormDefinition, stored: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    """Every visible, non-blank answer in the form's order, repeat-group members after their group."""
    evaluation = evaluate(form, redact(form, stored, READER_ROLE), today=today)
    section_of = {q.id: s for s in form.sections for q in s.questions}
    out: list[dict[str, Any]] = []
    for section in form.sections:
        for question in section.questions:
            if not question.holds_answer:
                continue
            typed = evaluation.typed.get(question.id)
            if evaluation.is_visible(question.id) and not _blank(typed):
                out.append(_answer(form, question, question.id, typed, section_of))
            if question.type != "repeat" or not evaluation.is_visible(question.id):
                continue
            for index in range(evaluation.counts.get(question.id, 0)):
                for member in question.questions:
                    key = f"{question.id}.{index}.{member.id}"
                    value = evaluation.typed.get(key)
                    if member.holds_answer and evaluation.is_visible(key) and not _blank(value):
                        out.append(_answer(form, member, key, value, section_of, question.id, index))
    return out


def _value(answers: list[dict[str, Any]], key: str) -> Any:
    return next((a["value"] for a in answers if a["key"] == key), None)


def _call(session: Session, interview: Interview, answers: list[dict[str, Any]]) -> dict[str, Any]:
    attempt = session.get(CallAttempt, interview.call_attempt_id) if interview.call_attempt_id else None
    identity = _value(answers, "identity_confirmation")
    return {
        "mode": _value(answers, "mode"),
        "started_at": _value(answers, "interview_started_at"),
        "number_called": _value(answers, "number_called"),
        "answered_by": _value(answers, "answered_by"),
        "answered_by_name": _value(answers, "answered_by_name"),
        "identity_confirmation": identity if isinstance(identity, list) else [],
        "identity_other": _value(answers, "identity_other"),
        "call_attempt": None if attempt is None else {
            "id": attempt.id, "at": _time(attempt.at), "number": attempt.number, "outcome": attempt.outcome,
        },
    }


def _attestation(form: FormDefinition, answers: list[dict[str, Any]]) -> dict[str, Any]:
    script = form.question("instruction_233").script if form.has_question("instruction_233") else None
    return {
        "basis": "art. 233 § 1 i § 6 Kodeksu karnego",
        "text": script.get(LANG) if script else None,
        "acknowledged": _value(answers, "instruction_acknowledged"),
        "time": _value(answers, "instruction_time"),
    }


def _referral(session: Session, interview: Interview, answers: list[dict[str, Any]]) -> dict[str, Any]:
    rows = session.exec(select(Referral).where(Referral.interview_id == interview.id).order_by(col(Referral.id))).all()
    return {
        "requested": _value(answers, "psych_referral"),
        "consent": _value(answers, "psych_consent"),
        "urgency": _value(answers, "psych_urgency"),
        "reason": _value(answers, "psych_reason"),
        "records": [
            {"id": r.id, "state": r.state, "priority": r.priority, "reason_category": r.reason,
             "consent_given": r.consent_given, "consent_at": _time(r.consent_at),
             "emergency_action": r.emergency_action or None, "created_at": _time(r.created_at),
             "first_contact_at": _time(r.first_contact_at), "close_outcome": r.close_outcome or None}
            for r in rows
        ],
    }


def _flags(session: Session, interview: Interview) -> list[dict[str, Any]]:
    rows = session.exec(
        select(FlagDecision).where(FlagDecision.interview_id == interview.id).order_by(col(FlagDecision.id))
    ).all()
    return [{"rule": f.rule_id, "decision": f.decision, "decided_at": _time(f.decided_at), "referral_id": f.referral_id}
            for f in rows]


def _documents(session: Session, interview: Interview) -> list[dict[str, Any]]:
    from app.documents.labels import channel_label, kind_label

    rows = session.exec(
        select(CaseDocument).where(
            CaseDocument.case_id == interview.case_id, col(CaseDocument.withdrawn_at).is_(None),
            or_(col(CaseDocument.interview_id).is_(None), CaseDocument.interview_id == interview.id),
        ).order_by(col(CaseDocument.received_on), col(CaseDocument.id))
    ).all()
    return [
        {"id": d.id, "scope": "interview" if d.interview_id else "case", "kind": d.kind, "kind_label": kind_label(d.kind),
         "channel": d.channel, "channel_label": channel_label(d.channel), "received_on": d.received_on.isoformat(),
         "description": d.description, "filename": d.filename, "media_type": d.media_type, "size_bytes": d.size_bytes,
         "sha256": d.sha256, "annex": d.annex}
        for d in rows
    ]


def _report(session: Session, interview: Interview) -> dict[str, Any] | None:
    report = session.exec(select(Report).where(Report.interview_id == interview.id)).first()
    if report is None:
        return None
    files = session.exec(select(ReportFile).where(ReportFile.report_id == report.id).order_by(col(ReportFile.id))).all()
    people = {u.id: u for u in session.exec(select(User).where(col(User.id).in_({f.signed_by_id for f in files}))).all()}
    certificates = {c.id: c for c in session.exec(
        select(SigningCertificate).where(col(SigningCertificate.id).in_({f.certificate_id for f in files}))).all()}
    return {
        "id": report.id, "state": report.state, "version": report.version, "document_id": document_id(interview),
        "submitted_at": _time(report.submitted_at),
        "decided_at": _time(report.decided_at),
        "signed_files": [
            {"version": f.version, "kind": f.kind, "sha256": f.sha256, "size_bytes": f.size_bytes,
             "signed_at": _time(f.created_at),
             "signer": {"id": f.signed_by_id, "name": people[f.signed_by_id].full_name if f.signed_by_id in people else ""},
             "certificate_sha256": certificates[f.certificate_id].fingerprint if f.certificate_id in certificates
             else None}
            for f in files
        ],
    }


def build(session: Session, interview: Interview, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The interview as the published export format; NotFinished unless the interview is finished."""
    if interview.state != InterviewState.FINISHED or interview.id is None:
        raise NotFinished(interview.id)
    moment = now or utcnow()
    form = form_of(interview)
    case = session.get(Case, interview.case_id)
    office = session.get(Office, interview.office_id)
    worker = session.get(User, interview.worker_id)
    assert case is not None  # noqa: S101 - foreign keys
    assert office is not None  # noqa: S101
    assert worker is not None  # noqa: S101
    answers = _answers(form, load_answers(session, interview.id), to_local(moment).date())
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": _time(moment),
        "office": {"id": office.id, "name": office.name},
        "case": {"id": case.id, "reference": case.reference, "applicant_name": case.applicant_name, "pesel": case.pesel,
                 "received_on": case.received_on.isoformat(), "channel": case.channel, "urgent": case.urgent,
                 "due_on": case.due_on.isoformat() if case.due_on else None},
        "interview": {"id": interview.id, "kind": "update" if form.is_update else "full", "state": interview.state,
                      "started_at": _time(interview.started_at), "finished_at": _time(interview.finished_at),
                      "previous_interview_id": interview.previous_interview_id,
                      "worker": {"id": worker.id, "name": worker.full_name}},
        "form": {"id": form.id, "version": form.version, "title": form.title.get(LANG)},
        "call": _call(session, interview, answers),
        "attestation": _attestation(form, answers),
        "answers": answers,
        "referral": _referral(session, interview, answers),
        "flag_decisions": _flags(session, interview),
        "documents": _documents(session, interview),
        "report": _report(session, interview),
    }
