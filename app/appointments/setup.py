"""Administrators set up visits: entry rules, places, weekly hours, date exceptions, desks and visit reasons.

A change never strands a booking silently: closing a day, shortening hours, lowering a desk's capacity or removing
a desk that still has visits ahead is refused with the visits named, so they are moved or cancelled first.
Every change is audited (ids and field names only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from app import audit
from app.appointments.calendar import Interval, PlaceCalendar, load_calendars
from app.appointments.models import (
    SLOT_MINUTES,
    Appointment,
    AppointmentState,
    DeskOccupancy,
    HoursException,
    OpeningHours,
    VisitDesk,
    VisitPlace,
    VisitReason,
    VisitRules,
)
from app.appointments.visits import future_bookings_at_desk
from app.auth.services import Principal
from app.clock import to_local, utcnow
from app.errors import InvalidInput
from app.web.forms import PostedForm, posted_texts
from app.web.ids import parse_id

WEEKDAYS = range(7)
MAX_CAPACITY = 20
MAX_DURATION = 240
RULES_MAX = 4000


def _audit(session: Session, actor: Principal, action: str, object_type: str, object_id: int | None,
           **details: Any) -> None:
    audit.log(session, f"visit_setup.{action}", actor=actor, object_type=object_type, object_id=object_id, **details)


def _text(raw: str, name: str, limit: int, errors: dict[str, str], *, required: str | None = None) -> str:
    value = " ".join(raw.split())
    if required and not value:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = str(_l("Najwyżej %(n)d znaków.", n=limit))
    return value


def _time(raw: str, name: str, errors: dict[str, str]) -> time | None:
    value = raw.strip()
    if not value:
        return None
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        errors[name] = str(_l("Wpisz godzinę jako GG:MM, np. 08:00."))
        return None
    if parsed.minute % SLOT_MINUTES or parsed.second:
        errors[name] = str(_l("Godziny przyjęć ustawia się co %(n)d minut (np. 08:00, 08:15).", n=SLOT_MINUTES))
        return None
    return parsed


def _interval(opens_raw: str, closes_raw: str, prefix: str, errors: dict[str, str]) -> Interval | None:
    """Both times or neither (closed); opening before closing."""
    opens, closes = _time(opens_raw, f"{prefix}_opens", errors), _time(closes_raw, f"{prefix}_closes", errors)
    if f"{prefix}_opens" in errors or f"{prefix}_closes" in errors:
        return None
    if (opens is None) != (closes is None):
        errors[f"{prefix}_opens" if opens is None else f"{prefix}_closes"] = str(
            _l("Podaj obie godziny albo żadnej (zamknięte)."))
        return None
    if opens is not None and closes is not None and opens >= closes:
        errors[f"{prefix}_closes"] = str(_l("Godzina zamknięcia musi być późniejsza niż otwarcia."))
        return None
    return Interval(opens, closes) if opens and closes else None


def _stranded(session: Session, place_id: int, calendar: PlaceCalendar, now: datetime) -> list[Appointment]:
    """Visits ahead at the place that the proposed calendar would leave outside its hours."""
    ahead = session.exec(
        select(Appointment).where(Appointment.place_id == place_id, Appointment.state == AppointmentState.BOOKED,
                                  col(Appointment.starts_at) > now).order_by(col(Appointment.starts_at))
    ).all()
    stranded = []
    for appointment in ahead:
        start, end = to_local(appointment.starts_at), to_local(appointment.ends_at)
        hours = calendar.on(start.date()).hours
        if hours is None or not hours.contains(start.time(), end.time()):
            stranded.append(appointment)
    return stranded


def _refuse_stranded(stranded: list[Appointment], field_name: str) -> None:
    if stranded:
        first = to_local(stranded[0].starts_at).strftime("%d.%m.%Y %H:%M")
        raise InvalidInput({field_name: str(_l(
            "Zmiana zostawiłaby poza godzinami przyjęć umówione wizyty: %(n)d (pierwsza %(first)s). "
            "Najpierw je przełóż albo odwołaj.", n=len(stranded), first=first))})


# --- entry rules and places ---------------------------------------------------------------------------------


def save_entry_rules(session: Session, *, actor: Principal, text: str) -> VisitRules:
    """Set the office's entry rules (shown at booking, sent with every confirmation)."""
    value = text.strip()
    if len(value) > RULES_MAX:
        raise InvalidInput({"entry_rules": str(_l("Najwyżej %(n)d znaków.", n=RULES_MAX))})
    rules = session.get(VisitRules, actor.office_id) or VisitRules(office_id=actor.office_id)
    rules.entry_rules, rules.updated_at, rules.updated_by_id = value, utcnow(), actor.id
    session.add(rules)
    session.flush()
    _audit(session, actor, "entry_rules", "visit_rules", actor.office_id)
    return rules


@dataclass
class PlaceForm(PostedForm):
    """A place's name, address and weekly hours as typed (hours keyed "d0_opens" ... "d6_closes")."""

    name: str = ""
    address: str = ""
    hours: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PlaceForm:
        """Build from posted data."""
        form = super().from_mapping(data)
        form.hours = posted_texts(data, (f"d{d}_{part}" for d in WEEKDAYS for part in ("opens", "closes")))
        return form

    @classmethod
    def of(cls, session: Session, place: VisitPlace) -> PlaceForm:
        """The stored place as a form."""
        form = cls(name=place.name, address=place.address, hours={})
        weekly = load_calendars(session, [place])[place.id or 0].weekly
        for d in WEEKDAYS:
            interval = weekly.get(d)
            form.hours[f"d{d}_opens"] = f"{interval.opens:%H:%M}" if interval else ""
            form.hours[f"d{d}_closes"] = f"{interval.closes:%H:%M}" if interval else ""
        return form


def save_place(session: Session, *, actor: Principal, place: VisitPlace | None, form: PlaceForm,
               now: datetime | None = None) -> VisitPlace:
    """Create a place or change its name, address and weekly hours (refused if visits ahead would fall outside)."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    name = _text(form.name, "name", 120, errors, required=str(_l("Podaj nazwę miejsca (np. sala obsługi, pokój 12).")))
    address = _text(form.address, "address", 300, errors)
    weekly = {d: _interval(form.hours.get(f"d{d}_opens", ""), form.hours.get(f"d{d}_closes", ""), f"d{d}", errors)
              for d in WEEKDAYS}
    if errors:
        raise InvalidInput(errors)
    if place is not None:
        current = load_calendars(session, [place])[place.id or 0]
        proposed = replace(current, weekly={d: i for d, i in weekly.items() if i})
        _refuse_stranded(_stranded(session, place.id or 0, proposed, now), "hours")
    place = place or VisitPlace(office_id=actor.office_id, name=name)
    place.name, place.address = name, address
    session.add(place)
    session.flush()
    for row in session.exec(select(OpeningHours).where(OpeningHours.place_id == place.id)).all():
        session.delete(row)
    session.flush()
    for weekday, interval in weekly.items():
        if interval:
            session.add(OpeningHours(place_id=place.id or 0, weekday=weekday, opens=interval.opens, closes=interval.closes))
    session.flush()
    _audit(session, actor, "place", "visit_place", place.id, weekdays_open=sorted(d for d, i in weekly.items() if i))
    return place


def add_exception(session: Session, *, actor: Principal, place: VisitPlace, day_raw: str, opens_raw: str,
                  closes_raw: str, note: str, now: datetime | None = None) -> HoursException:
    """Close a place on a date, or set other hours for it (refused when booked visits would fall outside)."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    today = to_local(now).date()
    day: date | None = None
    try:
        day = date.fromisoformat(day_raw.strip())  # what <input type="date"> posts
    except ValueError:
        errors["day"] = str(_l("Podaj datę (dzień, miesiąc, rok).")) if day_raw.strip() else str(_l("Podaj datę."))
    if day is not None and day < today:
        errors["day"] = str(_l("Ta data już minęła."))
    interval = _interval(opens_raw, closes_raw, "exc", errors)
    text = _text(note, "note", 200, errors)
    if day is not None and "day" not in errors and session.exec(
        select(HoursException).where(HoursException.place_id == place.id, HoursException.day == day)
    ).first():
        errors["day"] = str(_l("Dla tej daty jest już wyjątek: usuń go, zanim dodasz nowy."))
    if errors or day is None:
        raise InvalidInput(errors)
    current = load_calendars(session, [place])[place.id or 0]
    exception = HoursException(place_id=place.id or 0, day=day, opens=interval.opens if interval else None,
                               closes=interval.closes if interval else None, note=text)
    proposed = replace(current, exceptions={**current.exceptions, day: exception})
    _refuse_stranded(_stranded(session, place.id or 0, proposed, now), "day")
    session.add(exception)
    session.flush()
    _audit(session, actor, "exception_add", "visit_hours_exception", exception.id, place_id=place.id,
           closed=interval is None)
    return exception


def remove_exception(session: Session, *, actor: Principal, exception: HoursException,
                     now: datetime | None = None) -> None:
    """Remove a date exception (refused when it opened a day that now has visits booked)."""
    now = now or utcnow()
    place = session.get(VisitPlace, exception.place_id)
    assert place is not None  # noqa: S101 - the foreign key holds
    current = load_calendars(session, [place])[place.id or 0]
    proposed = replace(current, exceptions={d: e for d, e in current.exceptions.items() if d != exception.day})
    _refuse_stranded(_stranded(session, place.id or 0, proposed, now), "exception")
    _audit(session, actor, "exception_remove", "visit_hours_exception", exception.id, place_id=place.id)
    session.delete(exception)
    session.flush()


# --- desks ---------------------------------------------------------------------------------------------------


def _capacity(raw: str, errors: dict[str, str]) -> int:
    value = parse_id(raw.strip() or "1", maximum=MAX_CAPACITY)
    if not value:
        errors["capacity"] = str(_l("Liczba osób przy stanowisku: od 1 do %(n)d.", n=MAX_CAPACITY))
        return 1
    return value


def save_desk(session: Session, *, actor: Principal, place: VisitPlace, desk: VisitDesk | None, name_raw: str,
              capacity_raw: str, now: datetime | None = None) -> VisitDesk:
    """Add a desk to a place or rename it / change its capacity (lowering it below what is booked is refused)."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    name = _text(name_raw, "desk_name", 120, errors, required=str(_l("Podaj nazwę stanowiska (np. stanowisko 1).")))
    capacity = _capacity(capacity_raw, errors)
    if desk is not None and not errors and capacity < desk.capacity:
        most = session.exec(
            select(func.count()).select_from(DeskOccupancy)
            .where(DeskOccupancy.desk_id == desk.id, col(DeskOccupancy.slot_start) >= now)
            .group_by(col(DeskOccupancy.slot_start)).order_by(func.count().desc())
        ).first()
        if most is not None and int(most) > capacity:
            errors["capacity"] = str(_l("Przy tym stanowisku umówiono już %(n)d osoby naraz. Najpierw przełóż wizyty.",
                                        n=int(most)))
    if errors:
        raise InvalidInput(errors)
    desk = desk or VisitDesk(office_id=actor.office_id, place_id=place.id or 0, name=name)
    desk.name, desk.capacity = name, capacity
    session.add(desk)
    session.flush()
    _audit(session, actor, "desk", "visit_desk", desk.id, place_id=place.id, capacity=capacity)
    return desk


def remove_desk(session: Session, *, actor: Principal, desk: VisitDesk, now: datetime | None = None) -> VisitDesk:
    """Take a desk out of service; refused while it has visits ahead (they are listed to move or cancel first)."""
    now = now or utcnow()
    ahead = future_bookings_at_desk(session, desk, now)
    if ahead:
        first = to_local(ahead[0].starts_at).strftime("%d.%m.%Y %H:%M")
        raise InvalidInput({"desk": str(_l(
            "Stanowisko „%(desk)s” ma umówione wizyty: %(n)d (najbliższa %(first)s). Przełóż je albo odwołaj, "
            "potem wycofaj stanowisko.", desk=desk.name, n=len(ahead), first=first))})
    desk.removed_at = now
    session.add(desk)
    session.flush()
    _audit(session, actor, "desk_remove", "visit_desk", desk.id)
    return desk


# --- reasons -------------------------------------------------------------------------------------------------


@dataclass
class ReasonForm(PostedForm):
    """A visit reason as typed."""

    name: str = ""
    duration: str = "15"
    in_person: bool = True
    phone: bool = False
    checklist: str = ""
    active: bool = True

    @classmethod
    def of(cls, reason: VisitReason) -> ReasonForm:
        """The stored reason as a form."""
        return cls(reason.name, str(reason.duration_minutes), reason.in_person, reason.phone, reason.checklist,
                   reason.active)


def save_reason(session: Session, *, actor: Principal, reason: VisitReason | None, form: ReasonForm) -> VisitReason:
    """Create or change a visit reason: name, duration (a multiple of 15 minutes), kinds allowed, checklist."""
    errors: dict[str, str] = {}
    name = _text(form.name, "name", 120, errors, required=str(_l("Podaj nazwę sprawy (np. złożenie dokumentów).")))
    duration = parse_id(form.duration.strip(), maximum=MAX_DURATION) or 0
    if not duration or duration % SLOT_MINUTES:
        errors["duration"] = str(_l("Czas wizyty w minutach: wielokrotność %(step)d, od %(step)d do %(max)d.",
                                    step=SLOT_MINUTES, max=MAX_DURATION))
    if not form.in_person and not form.phone:
        errors["in_person"] = str(_l("Zaznacz, czy sprawę załatwia się osobiście, telefonicznie, czy na oba sposoby."))
    checklist = "\n".join(line.strip() for line in form.checklist.splitlines() if line.strip())
    if len(checklist) > RULES_MAX:
        errors["checklist"] = str(_l("Najwyżej %(n)d znaków.", n=RULES_MAX))
    if errors:
        raise InvalidInput(errors)
    if reason is None:
        last = session.exec(select(func.max(VisitReason.position)).where(VisitReason.office_id == actor.office_id)).one()
        reason = VisitReason(office_id=actor.office_id, name=name, position=int(last or 0) + 1)
    reason.name, reason.duration_minutes, reason.checklist = name, duration, checklist
    reason.in_person, reason.phone, reason.active = form.in_person, form.phone, form.active
    session.add(reason)
    session.flush()
    _audit(session, actor, "reason", "visit_reason", reason.id, active=reason.active)
    return reason
