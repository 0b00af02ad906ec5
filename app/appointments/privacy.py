"""Appointments in the subject-access export and in retention.

Export: a case's appointments, and the office's appointments of a new person (no case) booked with one of the
case's phone numbers or its e-mail. Retention: appointments of anonymised cases are anonymised with them; others
once `retention_appointment_years` have passed since their time (never one still ahead).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, or_, select, update

from app.appointments.models import Appointment, AppointmentEvent
from app.appointments.summary import summaries
from app.audit.erasure import Erasure
from app.cases.models import Case, CasePhone
from app.clock import to_local

RECORD_TYPE = "appointment"
YEAR_DAYS = 365.25


def of_case(session: Session, case: Case) -> list[Appointment]:
    """The case's appointments and the office's case-less ones with the case's phone numbers or e-mail."""
    phones = [n for n in session.exec(select(CasePhone.number).where(CasePhone.case_id == case.id)).all() if n]
    same_contact: list[ColumnElement[bool]] = [col(Appointment.phone).in_(phones)] if phones else []
    same_contact += [col(Appointment.email) == case.email] if case.email else []
    condition = col(Appointment.case_id) == case.id
    if same_contact:
        condition = or_(condition, (col(Appointment.case_id).is_(None)) & or_(*same_contact))
    return list(session.exec(
        select(Appointment).where(Appointment.office_id == case.office_id, condition)
        .order_by(col(Appointment.starts_at), col(Appointment.id))
    ).all())


def _time(value: datetime | None) -> str | None:
    return to_local(value).isoformat(timespec="seconds") if value else None


def export(session: Session, case: Case) -> list[dict[str, Any]]:
    """The appointments as plain data for the GDPR export (staff by id only)."""
    return [
        {
            "id": s.appointment.id, "case_id": s.appointment.case_id, "kind": s.appointment.kind,
            "state": s.appointment.state, "person_name": s.appointment.person_name, "phone": s.appointment.phone,
            "email": s.appointment.email, "reason": s.reason.name, "where": s.where,
            "starts_at": _time(s.appointment.starts_at), "ends_at": _time(s.appointment.ends_at),
            "cancel_reason": s.appointment.cancel_reason, "created_at": _time(s.appointment.created_at),
            "history": [{"at": _time(e.at), "action": e.action, "note": e.note, "actor_id": e.actor_id}
                        for e in s.events],
        }
        for s in summaries(session, of_case(session, case), with_events=True)
    ]


def due(session: Session, *, years: float | None, now: datetime, case_ids: list[int]) -> list[int]:
    """Appointments to anonymise: those of the anonymised cases, and those past their own period."""
    erased = select(Erasure.record_id).where(Erasure.record_type == RECORD_TYPE)
    conditions: list[ColumnElement[bool]] = [col(Appointment.case_id).in_(case_ids)] if case_ids else []
    if years is not None:
        conditions.append(col(Appointment.ends_at) < now - timedelta(days=YEAR_DAYS * years))
    if not conditions:
        return []
    ids = session.exec(select(Appointment.id).where(or_(*conditions), col(Appointment.id).not_in(erased))).all()
    return sorted(int(i) for i in ids if i is not None)


def anonymise(session: Session, appointment_ids: list[int], now: datetime, placeholder: str) -> None:
    """Blank the person's name and contact data and the free-text notes; times, states and reasons stay."""
    if not appointment_ids:
        return
    for appointment in session.exec(select(Appointment).where(col(Appointment.id).in_(appointment_ids))).all():
        appointment.person_name = placeholder
        appointment.phone = ""
        appointment.email = ""
        appointment.cancel_reason = ""
        session.add(appointment)
        session.add(Erasure(office_id=appointment.office_id, record_type=RECORD_TYPE, record_id=appointment.id or 0,
                            at=now))
    session.exec(update(AppointmentEvent).where(col(AppointmentEvent.appointment_id).in_(appointment_ids))
                 .values(note=""))
    session.flush()
