"""After booking: the front desk's day, arrived / no-show / done, moving and cancelling with a reason (all audited)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.appointments import capacity, notices
from app.appointments.access import visibility_clause
from app.appointments.booking import check_time, hold_desk, overlapping
from app.appointments.calendar import local_moment
from app.appointments.models import (
    Appointment,
    AppointmentEvent,
    AppointmentKind,
    AppointmentState,
    VisitDesk,
    VisitReason,
)
from app.appointments.summary import VisitSummary, summaries, summary
from app.auth.services import Principal
from app.cases.models import Callback
from app.clock import to_local, utcnow
from app.dates import day_text
from app.errors import InvalidInput

REASON_MAX = 500


class Mark(StrEnum):
    """What the front desk taps on a visit."""

    ARRIVED = "arrived"
    NO_SHOW = "no_show"
    DONE = "done"


# From which states each mark may be set: a late arrival undoes a no-show; "done" needs no arrival tap first.
MARK_FROM = {
    Mark.ARRIVED: {AppointmentState.BOOKED, AppointmentState.NO_SHOW},
    Mark.NO_SHOW: {AppointmentState.BOOKED},
    Mark.DONE: {AppointmentState.BOOKED, AppointmentState.ARRIVED},
}


def day_visits(session: Session, *, actor: Principal, day: date) -> list[VisitSummary]:
    """The visits in person on a day that the actor may see, by time and desk (cancelled ones last)."""
    rows = session.exec(
        select(Appointment).where(
            visibility_clause(actor), Appointment.kind == AppointmentKind.IN_PERSON,
            col(Appointment.starts_at) >= local_moment(day, time.min),
            col(Appointment.starts_at) < local_moment(day + timedelta(days=1), time.min),
        ).order_by(col(Appointment.state) == AppointmentState.CANCELLED, col(Appointment.starts_at), col(Appointment.id))
    ).all()
    return summaries(session, rows)


def case_visits(session: Session, case_id: int) -> list[VisitSummary]:
    """A case's appointments with their history, newest first (shown on the case page)."""
    rows = session.exec(
        select(Appointment).where(Appointment.case_id == case_id).order_by(col(Appointment.starts_at).desc())
    ).all()
    return summaries(session, rows, with_events=True)


def _event(session: Session, appointment: Appointment, actor: Principal, action: str, *, now: datetime,
           note: str = "", previous: datetime | None = None) -> None:
    session.add(AppointmentEvent(appointment_id=appointment.id or 0, at=now, actor_id=actor.id, action=action,
                                 note=note, previous_starts_at=previous))
    session.add(appointment)
    session.flush()
    audit.log(session, f"appointment.{action}", actor=actor, obj=appointment, case_id=appointment.case_id)


def mark(session: Session, *, actor: Principal, appointment: Appointment, what: str,
         now: datetime | None = None) -> Appointment:
    """Record arrived, no-show or done; only on the visit's day or later, only from a state that allows it."""
    now = now or utcnow()
    if what not in {m.value for m in Mark}:
        raise InvalidInput({"mark": str(_l("Nieznana czynność."))})
    action = Mark(what)
    if appointment.kind != AppointmentKind.IN_PERSON:
        raise InvalidInput({"mark": str(_l("Rozmowy telefonicznej nie oznacza się w recepcji."))})
    if to_local(appointment.starts_at).date() > to_local(now).date():
        raise InvalidInput({"mark": str(_l("Ta wizyta jest zaplanowana na %(d)s: można ją oznaczyć dopiero "
                                           "tego dnia.", d=day_text(appointment.starts_at)))})
    if appointment.state not in MARK_FROM[action]:
        raise InvalidInput({"mark": str(_l("Tej wizyty nie można już tak oznaczyć (odwołana albo "
                                                    "zakończona)."))})
    appointment.state = AppointmentState(action.value)
    if action is Mark.ARRIVED:
        appointment.arrived_at = now
    else:
        appointment.finished_at = now
        capacity.release(session, appointment)  # the desk is free again for the rest of the slot
    _event(session, appointment, actor, action.value, now=now)
    return appointment


def _reason_text(raw: str, errors: dict[str, str], *, missing: str) -> str:
    text = raw.strip()
    if not text:
        errors["reason"] = missing
    elif len(text) > REASON_MAX:
        errors["reason"] = str(_l("Powód może mieć najwyżej %(n)d znaków.", n=REASON_MAX))
    return text


def cancel(session: Session, *, actor: Principal, appointment: Appointment, reason: str,
           now: datetime | None = None) -> Appointment:
    """Cancel a booked appointment with a reason: seats freed, its call-back removed, the person told by e-mail."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    text = _reason_text(reason, errors, missing=str(_l("Podaj powód odwołania (np. prośba osoby, choroba pracownika).")))
    if appointment.state != AppointmentState.BOOKED:
        errors["reason"] = str(_l("Odwołać można tylko wizytę, która się jeszcze nie odbyła."))
    if errors:
        raise InvalidInput(errors)
    capacity.release(session, appointment)
    _drop_callback(session, appointment)
    appointment.state = AppointmentState.CANCELLED
    appointment.cancelled_at = now
    appointment.cancel_reason = text
    appointment.sequence += 1
    _event(session, appointment, actor, "cancelled", now=now, note=text)
    notices.queue_cancellation(session, summary(session, appointment))
    return appointment


def _drop_callback(session: Session, appointment: Appointment) -> None:
    if appointment.callback_id is None:
        return
    callback = session.get(Callback, appointment.callback_id)
    appointment.callback_id = None
    session.add(appointment)
    session.flush()
    if callback is not None and callback.done_at is None:
        session.delete(callback)
        session.flush()


def reschedule(session: Session, *, actor: Principal, appointment: Appointment, slot: str, reason: str,
               now: datetime | None = None) -> Appointment:
    """Move a booked appointment to a free slot (same reason and kind), with a reason; nothing changes on refusal."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    text = _reason_text(reason, errors, missing=str(_l("Podaj powód zmiany terminu.")))
    if appointment.state != AppointmentState.BOOKED:
        raise InvalidInput({"slot": str(_l("Przełożyć można tylko wizytę, która się jeszcze nie odbyła."))})
    visit_reason = session.get(VisitReason, appointment.reason_id)
    assert visit_reason is not None  # noqa: S101 - reasons are never deleted, only made inactive
    kind = AppointmentKind(appointment.kind)
    chosen = check_time(session, office_id=appointment.office_id, reason=visit_reason, kind=kind, raw_slot=slot,
                        now=now, errors=errors)
    if errors or chosen is None:
        raise InvalidInput(errors)
    desk, starts = chosen
    ends = starts + timedelta(minutes=visit_reason.duration_minutes)
    clash = overlapping(session, office_id=appointment.office_id, starts_at=starts, ends_at=ends,
                        case_id=appointment.case_id, phone=appointment.phone, email=appointment.email,
                        exclude_id=appointment.id)
    if clash is not None:
        raise InvalidInput({"slot": str(_l("Ta osoba ma już inny termin, który nakłada się na wybrany."))})
    previous = appointment.starts_at
    with session.begin_nested():
        capacity.release(session, appointment)
        appointment.starts_at, appointment.ends_at = starts, ends
        appointment.desk_id = desk.id if desk else None
        appointment.place_id = desk.place_id if desk else None
        appointment.reminder_queued_at = None
        appointment.sequence += 1
        session.add(appointment)
        session.flush()
        if desk is not None:
            hold_desk(session, appointment, desk)
    if appointment.callback_id is not None:
        callback = session.get(Callback, appointment.callback_id)
        if callback is not None and callback.done_at is None:
            callback.due_at = starts
            session.add(callback)
    _event(session, appointment, actor, "rescheduled", now=now, note=text, previous=previous)
    notices.queue_confirmation(session, summary(session, appointment), changed=True)
    return appointment


def future_bookings_at_desk(session: Session, desk: VisitDesk, now: datetime) -> list[Appointment]:
    """Booked appointments still ahead at a desk (a desk with these cannot be removed)."""
    return list(session.exec(
        select(Appointment).where(Appointment.desk_id == desk.id, Appointment.state == AppointmentState.BOOKED,
                                  col(Appointment.ends_at) > now).order_by(col(Appointment.starts_at))
    ).all())
