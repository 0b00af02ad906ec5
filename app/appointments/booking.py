"""Booking a visit or a telephone appointment: the form as typed, its checks, and the booking itself.

A booking is all or nothing: it runs in a savepoint, so a refusal (desk taken a moment ago, overlapping visit) leaves
no appointment, seat, call-back or e-mail behind, while the typed data goes back to the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, or_, select

from app import audit
from app.appointments import capacity, notices
from app.appointments.models import (
    ACTIVE_STATES,
    Appointment,
    AppointmentEvent,
    AppointmentKind,
    VisitDesk,
    VisitReason,
)
from app.appointments.slots import slot_problem
from app.appointments.summary import summary
from app.auth.models import Role
from app.auth.services import Principal
from app.cases.models import Callback, Case, CasePhone
from app.clock import LOCAL_TZ, utcnow
from app.errors import InvalidInput
from app.fields import FieldError, display_phone, parse_email, parse_phone, query_day
from app.web.forms import PostedForm
from app.web.ids import parse_id


@dataclass
class BookingForm(PostedForm):
    """What was typed or tapped, verbatim, so a refusal never loses it."""

    person_name: str = ""
    phone: str = ""
    email: str = ""
    reason_id: str = ""
    kind: str = AppointmentKind.IN_PERSON.value
    slot: str = ""
    from_day: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> BookingForm:
        """Build from posted (or query) data; no kind chosen means in person."""
        form = super().from_mapping(data)
        form.kind = form.kind or AppointmentKind.IN_PERSON.value
        return form

    @classmethod
    def for_case(cls, session: Session, case: Case) -> BookingForm:
        """Prefilled with the case's contact data: the name, the first number not marked wrong, the e-mail."""
        phone = session.exec(
            select(CasePhone.number).where(CasePhone.case_id == case.id, col(CasePhone.wrong_since).is_(None))
            .order_by(col(CasePhone.position), col(CasePhone.id))
        ).first()
        return cls(person_name=case.applicant_name, phone=display_phone(phone) if phone else "", email=case.email)


@dataclass(frozen=True)
class Contact:
    """Validated contact data."""

    name: str
    phone: str
    email: str


def office_reasons(session: Session, office_id: int, *, active_only: bool = True) -> list[VisitReason]:
    """The office's visit reasons in their order."""
    query = select(VisitReason).where(VisitReason.office_id == office_id)
    if active_only:
        query = query.where(col(VisitReason.active).is_(True))
    return list(session.exec(query.order_by(col(VisitReason.position), col(VisitReason.name))).all())


def chosen_reason(session: Session, office_id: int, raw: str) -> VisitReason | None:
    """The active reason of the office posted as `raw`, or None."""
    reason_id = parse_id(raw)
    reason = session.get(VisitReason, reason_id) if reason_id is not None else None
    return reason if reason and reason.office_id == office_id and reason.active else None


def chosen_kind(raw: str) -> AppointmentKind | None:
    """The appointment kind posted, or None."""
    return AppointmentKind(raw) if raw in {k.value for k in AppointmentKind} else None


def from_day_of(raw: str, today: date) -> date:
    """The first day of the slot page asked for (ISO date), never before today."""
    return max(query_day(raw) or today, today)


def validate_contact(form: BookingForm, kind: AppointmentKind | None, errors: dict[str, str]) -> Contact:
    """Name, and a phone and/or an e-mail (a telephone appointment needs the phone), with the shared parsers."""
    name = " ".join(form.person_name.split())
    if not name:
        errors["person_name"] = str(_l("Podaj imię i nazwisko osoby."))
    elif len(name) > 200:
        errors["person_name"] = str(_l("Imię i nazwisko może mieć najwyżej 200 znaków."))
    phone = email = ""
    try:
        phone = parse_phone(form.phone) or ""
    except FieldError as exc:
        errors["phone"] = exc.message
    try:
        email = parse_email(form.email)
    except FieldError as exc:
        errors["email"] = exc.message
    if "phone" not in errors and "email" not in errors:
        if kind is AppointmentKind.PHONE and not phone:
            errors["phone"] = str(_l("Podaj numer, pod który pracownik zadzwoni w umówionym terminie."))
        elif not phone and not email:
            errors["phone"] = str(_l("Podaj numer telefonu albo adres e-mail, żeby można było potwierdzić termin."))
    return Contact(name, phone, email)


def parse_slot(session: Session, office_id: int, raw: str) -> tuple[VisitDesk | None, datetime] | None:
    """A posted slot "<desk id or 0>@<local YYYY-MM-DDTHH:MM>" as (desk of this office or None, aware UTC start)."""
    desk_raw, _, when = raw.partition("@")
    desk_id = parse_id(desk_raw)
    if desk_id is None:
        return None
    try:
        starts = datetime.strptime(when, "%Y-%m-%dT%H:%M").replace(tzinfo=LOCAL_TZ).astimezone(UTC)
    except ValueError:
        return None
    if desk_id == 0:
        return None, starts
    desk = session.get(VisitDesk, desk_id)
    if desk is None or desk.office_id != office_id:
        return None
    return desk, starts


def overlapping(session: Session, *, office_id: int, starts_at: datetime, ends_at: datetime, case_id: int | None,
                phone: str, email: str, exclude_id: int | None = None) -> Appointment | None:
    """An active appointment of the same person (case, phone or e-mail) at an overlapping time."""
    same_person = [col(Appointment.case_id) == case_id] if case_id else []
    same_person += [col(Appointment.phone) == phone] if phone else []
    same_person += [col(Appointment.email) == email] if email else []
    if not same_person:
        return None
    query = select(Appointment).where(
        Appointment.office_id == office_id, col(Appointment.state).in_([s.value for s in ACTIVE_STATES]),
        col(Appointment.starts_at) < ends_at, col(Appointment.ends_at) > starts_at, or_(*same_person),
    )
    if exclude_id is not None:
        query = query.where(col(Appointment.id) != exclude_id)
    return session.exec(query).first()


def check_time(session: Session, *, office_id: int, reason: VisitReason, kind: AppointmentKind, raw_slot: str,
               now: datetime, errors: dict[str, str]) -> tuple[VisitDesk | None, datetime] | None:
    """The chosen slot parsed and checked against hours, holidays, the past and the desk's state."""
    if not raw_slot:
        errors["slot"] = str(_l("Wybierz termin z listy wolnych terminów."))
        return None
    parsed = parse_slot(session, office_id, raw_slot)
    if parsed is None or (kind is AppointmentKind.IN_PERSON) != (parsed[0] is not None):
        errors["slot"] = str(_l("Nie rozpoznano wybranego terminu. Wybierz go jeszcze raz z listy."))
        return None
    desk, starts = parsed
    if desk is not None and desk.removed_at is not None:
        errors["slot"] = str(_l("Stanowisko „%(desk)s” zostało wycofane. Wybierz inne.", desk=desk.name))
        return None
    problem = slot_problem(session, office_id=office_id, reason=reason, kind=kind, desk=desk, starts_at=starts, now=now)
    if problem:
        errors["slot"] = problem
        return None
    return desk, starts


def _responsible_worker(actor: Principal, case: Case | None) -> int | None:
    if case is not None and case.assigned_worker_id is not None:
        return case.assigned_worker_id
    return actor.id if actor.has(Role.WORKER) else None


def taken_message(desk: VisitDesk | None, starts_at: datetime) -> str:
    """The refusal when the last seat went to someone else a moment ago."""
    when = starts_at.astimezone(LOCAL_TZ).strftime("%d.%m.%Y %H:%M")
    if desk is None:
        return str(_l("Termin %(when)s jest już zajęty. Wybierz inny z listy.", when=when))
    return str(_l("Termin %(when)s przy stanowisku „%(desk)s” został właśnie zajęty. Wybierz inny termin z "
                  "odświeżonej listy; wpisane dane zostały zachowane.", when=when, desk=desk.name))


def hold_desk(session: Session, appointment: Appointment, desk: VisitDesk) -> None:
    """Take the appointment's seats at the desk, or refuse: the last seat went to someone else a moment ago."""
    try:
        capacity.claim(session, appointment, desk)
    except capacity.DeskFull:
        raise InvalidInput({"slot": taken_message(desk, appointment.starts_at)}) from None


def book(session: Session, *, actor: Principal, form: BookingForm, case: Case | None,
         now: datetime | None = None) -> Appointment:
    """Book the appointment, its seats, a call-back (telephone) and the confirmation e-mail, or refuse with messages."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    reason = chosen_reason(session, actor.office_id, form.reason_id)
    kind = chosen_kind(form.kind)
    if reason is None:
        errors["reason_id"] = str(_l("Wybierz sprawę, z którą osoba przyjdzie."))
    if kind is None:
        errors["kind"] = str(_l("Wybierz: wizyta w ośrodku czy rozmowa telefoniczna."))
    elif reason is not None and not (reason.in_person if kind is AppointmentKind.IN_PERSON else reason.phone):
        errors["kind"] = str(_l("Sprawę „%(reason)s” załatwia się tylko osobiście.", reason=reason.name)
                             if kind is AppointmentKind.PHONE else
                             _l("Sprawę „%(reason)s” załatwia się tylko telefonicznie.", reason=reason.name))
    contact = validate_contact(form, kind, errors)
    worker_id = _responsible_worker(actor, case)
    if kind is AppointmentKind.PHONE and "kind" not in errors:
        if case is None:
            errors["kind"] = str(_l("Termin telefoniczny trafia na listę oddzwonień sprawy: najpierw zarejestruj "
                                    "wniosek tej osoby albo umów wizytę w ośrodku."))
        elif worker_id is None:
            errors["kind"] = str(_l("Sprawa nie ma pracownika: przydziel ją, zanim umówisz termin telefoniczny."))
    chosen = None
    if reason is not None and kind is not None and "kind" not in errors:
        chosen = check_time(session, office_id=actor.office_id, reason=reason, kind=kind, raw_slot=form.slot, now=now,
                            errors=errors)
    if errors or chosen is None or reason is None or kind is None:
        raise InvalidInput(errors or {"slot": str(_l("Wybierz termin z listy wolnych terminów."))})
    desk, starts = chosen
    ends = starts + timedelta(minutes=reason.duration_minutes)
    clash = overlapping(session, office_id=actor.office_id, starts_at=starts, ends_at=ends,
                        case_id=case.id if case else None, phone=contact.phone, email=contact.email)
    if clash is not None:
        raise InvalidInput({"slot": str(_l(
            "Ta osoba ma już termin %(when)s, który nakłada się na wybrany. Wybierz inną godzinę albo przełóż tamten.",
            when=clash.starts_at.astimezone(LOCAL_TZ).strftime("%d.%m.%Y %H:%M")))})
    with session.begin_nested():
        appointment = Appointment(
            office_id=actor.office_id, case_id=case.id if case else None, person_name=contact.name,
            phone=contact.phone, email=contact.email, reason_id=reason.id or 0, kind=kind,
            place_id=desk.place_id if desk else None, desk_id=desk.id if desk else None, starts_at=starts,
            ends_at=ends, worker_id=worker_id,
            created_by_id=actor.id, created_at=now,
        )
        session.add(appointment)
        session.flush()
        if desk is not None:
            hold_desk(session, appointment, desk)
        if kind is AppointmentKind.PHONE and case is not None and worker_id is not None:
            callback = Callback(case_id=case.id or 0, worker_id=worker_id, due_at=starts,
                                note=str(_l("Termin telefoniczny: %(reason)s", reason=reason.name))[:300])
            session.add(callback)
            session.flush()
            appointment.callback_id = callback.id
        session.add(AppointmentEvent(appointment_id=appointment.id or 0, at=now, actor_id=actor.id, action="booked"))
        session.add(appointment)
        session.flush()
    audit.log(session, "appointment.book", actor=actor, obj=appointment, office_id=actor.office_id,
              case_id=appointment.case_id, kind=kind.value, reason_id=reason.id, desk_id=appointment.desk_id)
    notices.queue_confirmation(session, summary(session, appointment))
    return appointment
