"""Free slots per reason and desk for the next open days, and the checks a chosen time must pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from app.appointments.calendar import (
    BOOKING_HORIZON_DAYS,
    PlaceCalendar,
    load_calendars,
    local_moment,
    office_places,
)
from app.appointments.models import (
    ACTIVE_STATES,
    SLOT_MINUTES,
    Appointment,
    AppointmentKind,
    DeskOccupancy,
    VisitDesk,
    VisitPlace,
    VisitReason,
)
from app.clock import to_local

STEP = timedelta(minutes=SLOT_MINUTES)
DAYS_SHOWN = 3


def units(starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """The 15-minute units an appointment occupies."""
    result, current = [], starts_at
    while current < ends_at:
        result.append(current)
        current += STEP
    return result


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Slot:
    """A bookable start time, at a desk (in person) or without one (telephone)."""

    starts_at: datetime
    ends_at: datetime
    place: VisitPlace | None = None
    desk: VisitDesk | None = None

    @property
    def value(self) -> str:
        """What the slot's button posts: "<desk id or 0>@<local ISO start>"."""
        return f"{self.desk.id if self.desk else 0}@{to_local(self.starts_at).strftime('%Y-%m-%dT%H:%M')}"


@dataclass
class DeskSlots:
    """One desk's free start times on a day."""

    desk: VisitDesk
    place: VisitPlace
    slots: list[Slot] = field(default_factory=list)


@dataclass
class DaySlots:
    """A day's free slots, per desk for visits in person, as one list for telephone appointments."""

    day: date
    desks: list[DeskSlots] = field(default_factory=list)
    phone: list[Slot] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """No free slot on this day."""
        return not self.phone and not any(d.slots for d in self.desks)


@dataclass
class SlotPage:
    """Days shown now, and the first day of the next page (None when the horizon is reached)."""

    days: list[DaySlots]
    next_from: date | None


def active_desks(session: Session, office_id: int) -> list[tuple[VisitDesk, VisitPlace]]:
    """The office's desks in service, with their place, by place and desk name."""
    rows = session.exec(
        select(VisitDesk, VisitPlace)
        .join(VisitPlace, col(VisitPlace.id) == col(VisitDesk.place_id))
        .where(VisitDesk.office_id == office_id, col(VisitDesk.removed_at).is_(None))
        .order_by(col(VisitPlace.name), col(VisitDesk.name), col(VisitDesk.id))
    ).all()
    return [(d, p) for d, p in rows]


def occupancy(session: Session, desk_ids: list[int], start: datetime, end: datetime) -> dict[tuple[int, datetime], int]:
    """Taken seats per (desk, unit) between start and end."""
    if not desk_ids:
        return {}
    rows = session.exec(
        select(DeskOccupancy.desk_id, DeskOccupancy.slot_start, func.count())
        .where(col(DeskOccupancy.desk_id).in_(desk_ids), col(DeskOccupancy.slot_start) >= start,
               col(DeskOccupancy.slot_start) < end)
        .group_by(col(DeskOccupancy.desk_id), col(DeskOccupancy.slot_start))
    ).all()
    return {(desk_id, _aware(at)): int(n) for desk_id, at, n in rows}


def busy_phone_times(session: Session, worker_id: int | None, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """A worker's active telephone appointments in a period (a worker makes one call at a time)."""
    if worker_id is None:
        return []
    rows = session.exec(
        select(Appointment.starts_at, Appointment.ends_at).where(
            Appointment.worker_id == worker_id, Appointment.kind == AppointmentKind.PHONE,
            col(Appointment.state).in_([s.value for s in ACTIVE_STATES]),
            col(Appointment.starts_at) < end, col(Appointment.ends_at) > start,
        )
    ).all()
    return [(_aware(s), _aware(e)) for s, e in rows]


def _starts(day: date, opens: time, closes: time, duration: timedelta) -> list[datetime]:
    """Start times on the grid from opening time, each ending by closing time (local wall clock, as UTC)."""
    result = []
    current = datetime.combine(day, opens)
    last = datetime.combine(day, closes) - duration
    while current <= last:
        result.append(local_moment(day, current.time()))
        current += STEP
    return result


def _day_slots(day: date, reason: VisitReason, kind: AppointmentKind, now: datetime,
               desks: list[tuple[VisitDesk, VisitPlace]], calendars: dict[int, PlaceCalendar],
               taken: dict[tuple[int, datetime], int], phone_busy: list[tuple[datetime, datetime]]) -> DaySlots:
    duration = timedelta(minutes=reason.duration_minutes)
    result = DaySlots(day)
    if kind is AppointmentKind.PHONE:
        starts: set[datetime] = set()
        for calendar in calendars.values():
            hours = calendar.on(day).hours
            if hours:
                starts.update(_starts(day, hours.opens, hours.closes, duration))
        for start in sorted(starts):
            end = start + duration
            if start > now and not any(s < end and start < e for s, e in phone_busy):
                result.phone.append(Slot(start, end))
        return result
    for desk, place in desks:
        hours = calendars[place.id or 0].on(day).hours
        if hours is None:
            continue
        row = DeskSlots(desk, place)
        for start in _starts(day, hours.opens, hours.closes, duration):
            end = start + duration
            if start > now and all(taken.get((desk.id or 0, u), 0) < desk.capacity for u in units(start, end)):
                row.slots.append(Slot(start, end, place, desk))
        if row.slots:
            result.desks.append(row)
    return result


def free_slots(session: Session, *, office_id: int, reason: VisitReason, kind: AppointmentKind, now: datetime,
               from_day: date, worker_id: int | None = None, days: int = DAYS_SHOWN) -> SlotPage:
    """The next `days` days from `from_day` with a free slot for the reason, within the booking horizon."""
    today = to_local(now).date()
    start_day = max(from_day, today)
    last_day = today + timedelta(days=BOOKING_HORIZON_DAYS)
    desks = active_desks(session, office_id)
    places = office_places(session, office_id) if kind is AppointmentKind.PHONE else [p for _d, p in desks]
    calendars = load_calendars(session, places)
    window_start = local_moment(start_day, time.min)
    window_end = local_moment(last_day + timedelta(days=1), time.min)
    taken = occupancy(session, [d.id or 0 for d, _p in desks], window_start, window_end)
    phone_busy = busy_phone_times(session, worker_id, window_start, window_end) if kind is AppointmentKind.PHONE else []
    shown: list[DaySlots] = []
    day = start_day
    while day <= last_day and len(shown) < days:
        slots = _day_slots(day, reason, kind, now, desks, calendars, taken, phone_busy)
        if not slots.empty:
            shown.append(slots)
        day += timedelta(days=1)
    return SlotPage(shown, day if day <= last_day else None)


def slot_problem(session: Session, *, office_id: int, reason: VisitReason, kind: AppointmentKind,
                 desk: VisitDesk | None, starts_at: datetime, now: datetime) -> str | None:
    """Why a chosen time cannot be booked (past, too far, closed, holiday, outside hours, off the grid), or None."""
    local = to_local(starts_at)
    day = local.date()
    if starts_at <= now:
        return str(_l("Ten termin już minął. Wybierz godzinę w przyszłości."))
    if day > to_local(now).date() + timedelta(days=BOOKING_HORIZON_DAYS):
        return str(_l("Wizytę można umówić najwyżej %(n)d dni naprzód.", n=BOOKING_HORIZON_DAYS))
    if local.minute % SLOT_MINUTES or local.second or local.microsecond:
        return str(_l("Wizyty zaczynają się co %(n)d minut (np. 10:00, 10:15).", n=SLOT_MINUTES))
    if kind is AppointmentKind.IN_PERSON:
        if desk is None:
            return str(_l("Wybierz stanowisko."))
        place = session.get(VisitPlace, desk.place_id)
        places = [place] if place else []
    else:
        places = office_places(session, office_id)
    end = (local + timedelta(minutes=reason.duration_minutes)).time()
    days = [cal.on(day) for cal in load_calendars(session, places).values()]
    if not any(d.hours for d in days):
        if any(d.holiday for d in days):
            return str(_l("%(d)s to dzień ustawowo wolny od pracy: ośrodek jest zamknięty.", d=format_date(day, "full")))
        return str(_l("%(d)s ośrodek nie przyjmuje interesantów.", d=format_date(day, "full")))
    if local.date() != (local + timedelta(minutes=reason.duration_minutes)).date() or not any(
        d.hours.contains(local.time(), end) for d in days if d.hours
    ):
        hours = ", ".join(f"{d.hours.opens:%H:%M}–{d.hours.closes:%H:%M}" for d in days if d.hours)
        return str(_l("Ta godzina jest poza godzinami przyjęć (%(hours)s).", hours=hours))
    return None
