"""Appointments in the GDPR export (the case's, and case-less ones booked with its phone or e-mail) and in retention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from sqlmodel import Session, select

from app.appointments import booking
from app.appointments.booking import BookingForm
from app.appointments.models import Appointment, AppointmentEvent
from app.audit.erasure import Erasure
from app.auth.models import Role, User
from app.cases.models import Case
from app.clock import utcnow
from app.config import PrivacySettings, get_settings
from app.privacy.export import collect, to_pdf
from app.privacy.retention import ANONYMISED, plan, run
from tests.integration.appointments.conftest import VisitOffice, next_working_day, principal, slot


def _book(db: Session, user: User, visit_office: VisitOffice, *, case: Case | None, name: str, phone: str,
          email: str = "", hour: int = 10) -> Appointment:
    return booking.book(db, actor=principal(db, user), case=case, form=BookingForm(
        person_name=name, phone=phone, email=email, reason_id=str(visit_office.documents.id), kind="in_person",
        slot=slot(visit_office.desks[0], next_working_day(), hour)))


def test_export_lists_the_persons_appointments_only(
    db: Session, user_factory: Callable[..., User], make_case: Callable[..., Case], visit_office: VisitOffice, ctx: None
) -> None:
    """The case's visit and a case-less one with the same phone are exported; a stranger's is not."""
    worker = user_factory(Role.WORKER)
    case = make_case(worker)
    mine = _book(db, worker, visit_office, case=case, name=case.applicant_name, phone="601234567")
    walk_in = _book(db, worker, visit_office, case=None, name="Zofia Ź.", phone="+48 601 234 567", hour=12)
    stranger = _book(db, worker, visit_office, case=None, name="Ktoś Inny", phone="600999888", hour=13)
    db.commit()
    data = collect(db, [case])
    exported = data["cases"][0]["appointments"]
    assert [a["id"] for a in exported] == [mine.id, walk_in.id]
    assert exported[0]["reason"] == "Złożenie dokumentów" and "Stanowisko 1" in exported[0]["where"]
    assert exported[0]["history"][0]["action"] == "booked"
    assert stranger.id not in [a["id"] for a in exported]
    audit_types = {e["object_type"] for e in data["cases"][0]["audit_events"]}
    assert "appointment" in audit_types
    assert to_pdf(data).startswith(b"%PDF")


def test_retention_anonymises_old_appointments_once(
    app: Flask, db: Session, user_factory: Callable[..., User], visit_office: VisitOffice, ctx: None
) -> None:
    """Kept forever unless configured; past the period: name, phone, e-mail and notes blanked, times kept, once."""
    reception = user_factory(Role.RECEPTION)
    appointment = _book(db, reception, visit_office, case=None, name="Zofia Źdźbło", phone="601234567",
                        email="zofia@example.org")
    db.commit()
    later = utcnow() + dt.timedelta(days=365 * 3)
    get_settings(app).privacy = PrivacySettings()
    assert "appointment: kept forever (no retention period configured)" in plan(db, PrivacySettings(), now=later).lines()
    settings = PrivacySettings(retention_appointment_years=2)
    assert plan(db, settings, now=utcnow()).step("appointment").ids == []  # still ahead
    done = run(db, settings, now=later)
    db.commit()
    assert done.step("appointment").ids == [appointment.id]
    db.refresh(appointment)
    assert (appointment.person_name, appointment.phone, appointment.email) == (ANONYMISED, "", "")
    assert appointment.starts_at is not None and appointment.reason_id == visit_office.documents.id
    assert db.exec(select(Erasure).where(Erasure.record_type == "appointment")).one().record_id == appointment.id
    assert all(e.note == "" for e in db.exec(select(AppointmentEvent)).all())
    assert run(db, settings, now=later).step("appointment").ids == []
