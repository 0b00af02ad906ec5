"""Demo visits: the Wschowa entry rules, a room with two desks, four reasons with checklists, and a day of visits
(one done, one no-show, one waiting, two still ahead) plus a telephone appointment on the demo worker's list.
Idempotent: nothing is added when the office already has a place."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlmodel import Session, col, select

from app.appointments import capacity
from app.appointments.calendar import local_moment
from app.appointments.models import (
    Appointment,
    AppointmentEvent,
    AppointmentKind,
    AppointmentState,
    OpeningHours,
    VisitDesk,
    VisitPlace,
    VisitReason,
    VisitRules,
)
from app.auth.demo import DemoContext
from app.cases.models import Callback, Case, CasePhone
from app.clock import to_local, utcnow
from app.workdays import add_working_days, is_working_day

ENTRY_RULES = """Wizyty tylko po wcześniejszym uzgodnieniu terminu z pracownikiem – telefonicznie lub e-mailem.
Przygotuj przed wizytą wszystkie potrzebne dokumenty.
Przy wejściu zdezynfekuj ręce (dozownik z płynem stoi przy drzwiach).
Załóż jednorazowe rękawiczki.
Zakryj usta i nos: maseczka, przyłbica albo część odzieży.
Zachowaj co najmniej 2 m odstępu od innych osób.
W jednym pomieszczeniu przy jednym stanowisku może przebywać tylko jedna osoba."""

REASONS = (
    ("Złożenie wniosku i dokumentów", 15, True, False,
     "dowód osobisty\nwypełniony wniosek (wzór na stronie ośrodka)\nzaświadczenia o dochodach z ostatniego miesiąca"),
    ("Podpisanie oświadczenia (wywiad na miejscu, art. 107 ust. 5g)", 30, True, False,
     "dowód osobisty\ndokumenty potwierdzające dochody wszystkich osób w gospodarstwie\nrachunki za mieszkanie"),
    ("Odbiór decyzji", 15, True, False, "dowód osobisty"),
    ("Konsultacja z pracownikiem socjalnym", 30, True, True, "dokumenty dotyczące sprawy"),
)
# (local time, name, phone, reason index, desk index, state)
DAY = (
    (time(8, 0), "Bożena Kręcka", "+48600200301", 0, 0, AppointmentState.DONE),
    (time(8, 30), "Mieczysław Gąsior", "+48600200302", 2, 1, AppointmentState.NO_SHOW),
    (time(9, 0), "Ludmiła Żarnowska", "+48600200303", 1, 0, AppointmentState.ARRIVED),
    (time(10, 0), "Tadeusz Ściegienny", "+48600200304", 0, 1, AppointmentState.BOOKED),
    (time(11, 0), "Iwona Łagoda", "+48600200305", 3, 0, AppointmentState.BOOKED),
)


def demo_day(today: date) -> date:
    """Today when the office works, otherwise the next working day."""
    return today if is_working_day(today) else add_working_days(today, 1)


def seed_appointments(session: Session, context: DemoContext) -> None:
    """Places, desks, hours, reasons, rules and a demo day of visits."""
    office_id = context.office.id or 0
    if session.exec(select(VisitPlace.id).where(VisitPlace.office_id == office_id)).first() is not None:
        return
    session.add(VisitRules(office_id=office_id, entry_rules=ENTRY_RULES))
    place = VisitPlace(office_id=office_id, name="Sala obsługi (parter)", address=context.office.address)
    session.add(place)
    session.flush()
    for weekday in range(5):
        session.add(OpeningHours(place_id=place.id or 0, weekday=weekday, opens=time(8, 0), closes=time(15, 0)))
    desks = [VisitDesk(office_id=office_id, place_id=place.id or 0, name=f"Stanowisko {n}") for n in (1, 2)]
    reasons = [VisitReason(office_id=office_id, name=name, duration_minutes=minutes, in_person=in_person, phone=phone,
                           checklist=checklist, position=n) for n, (name, minutes, in_person, phone, checklist)
               in enumerate(REASONS)]
    session.add_all([*desks, *reasons])
    session.flush()
    reception = context.users.get("demo-reception") or context.users["demo-worker"]
    worker = context.users["demo-worker"]
    day = demo_day(to_local(utcnow()).date())
    for at, name, phone, reason_n, desk_n, state in DAY:
        reason, desk = reasons[reason_n], desks[desk_n]
        starts = local_moment(day, at)
        appointment = Appointment(
            office_id=office_id, person_name=name, phone=phone, reason_id=reason.id or 0, kind=AppointmentKind.IN_PERSON,
            place_id=place.id, desk_id=desk.id, starts_at=starts,
            ends_at=starts + timedelta(minutes=reason.duration_minutes), state=state, created_by_id=reception.id or 0,
            created_at=starts - timedelta(days=2),
        )
        session.add(appointment)
        session.flush()
        session.add(AppointmentEvent(appointment_id=appointment.id or 0, at=appointment.created_at,
                                     actor_id=reception.id, action="booked"))
        if state in (AppointmentState.BOOKED, AppointmentState.ARRIVED):
            capacity.claim(session, appointment, desk)
        if state is not AppointmentState.BOOKED:
            appointment.arrived_at = starts if state in (AppointmentState.ARRIVED, AppointmentState.DONE) else None
            appointment.finished_at = starts + timedelta(minutes=15) if state is not AppointmentState.ARRIVED else None
            session.add(AppointmentEvent(appointment_id=appointment.id or 0, at=starts, actor_id=reception.id,
                                         action=state.value))
    _phone_appointment(session, office_id, worker.id or 0, reasons[3], day)
    session.flush()


def _phone_appointment(session: Session, office_id: int, worker_id: int, reason: VisitReason, day: date) -> None:
    """A telephone consultation at 13:00 for one of the demo worker's cases, on the worker's list as a call-back."""
    case = session.exec(
        select(Case).where(Case.office_id == office_id, Case.assigned_worker_id == worker_id).order_by(col(Case.id))
    ).first()
    if case is None:
        return
    phone = session.exec(select(CasePhone.number).where(CasePhone.case_id == case.id)).first() or ""
    starts = local_moment(day, time(13, 0))
    callback = Callback(case_id=case.id or 0, worker_id=worker_id, due_at=starts,
                        note=f"Termin telefoniczny: {reason.name}")
    session.add(callback)
    session.flush()
    appointment = Appointment(
        office_id=office_id, case_id=case.id, person_name=case.applicant_name, phone=phone, email=case.email,
        reason_id=reason.id or 0, kind=AppointmentKind.PHONE, starts_at=starts,
        ends_at=starts + timedelta(minutes=reason.duration_minutes), worker_id=worker_id, callback_id=callback.id,
        created_by_id=worker_id, created_at=starts - timedelta(days=1),
    )
    session.add(appointment)
    session.flush()
    session.add(AppointmentEvent(appointment_id=appointment.id or 0, at=appointment.created_at, actor_id=worker_id,
                                 action="booked"))
