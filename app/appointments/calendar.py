"""When a place receives clients: weekly hours, date exceptions, Polish public holidays (closed unless an exception
opens the day). Also the small read functions other features use (the public contact page): hours and entry rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from app.appointments.models import HoursException, OpeningHours, VisitPlace, VisitRules
from app.clock import LOCAL_TZ
from app.workdays import is_public_holiday

# How far ahead a visit may be booked.
BOOKING_HORIZON_DAYS = 60


@dataclass(frozen=True)
class Interval:
    """Opening hours of one day, local wall-clock times."""

    opens: time
    closes: time

    def contains(self, start: time, end: time) -> bool:
        """True when [start, end) lies within the opening hours."""
        return self.opens <= start and end <= self.closes


@dataclass(frozen=True)
class PlaceDay:
    """A place's hours on one day, and why (weekly, exception, holiday)."""

    place: VisitPlace
    day: date
    hours: Interval | None
    note: str = ""
    holiday: bool = False


@dataclass
class PlaceCalendar:
    """A place's weekly hours and exceptions, loaded once to answer many days."""

    place: VisitPlace
    weekly: dict[int, Interval]
    exceptions: dict[date, HoursException]

    def on(self, day: date) -> PlaceDay:
        """Hours on `day`: an exception wins; a public holiday is closed; otherwise the weekday's hours."""
        exception = self.exceptions.get(day)
        if exception is not None:
            hours = Interval(exception.opens, exception.closes) if exception.opens and exception.closes else None
            return PlaceDay(self.place, day, hours, exception.note)
        if is_public_holiday(day):
            return PlaceDay(self.place, day, None, holiday=True)
        return PlaceDay(self.place, day, self.weekly.get(day.weekday()))


def load_calendars(session: Session, places: Iterable[VisitPlace]) -> dict[int, PlaceCalendar]:
    """Calendars of the places, by place id (two queries whatever the number of places)."""
    by_id = {p.id or 0: p for p in places}
    calendars = {pid: PlaceCalendar(place, {}, {}) for pid, place in by_id.items()}
    if not by_id:
        return calendars
    for row in session.exec(select(OpeningHours).where(col(OpeningHours.place_id).in_(by_id))).all():
        calendars[row.place_id].weekly[row.weekday] = Interval(row.opens, row.closes)
    for exc in session.exec(select(HoursException).where(col(HoursException.place_id).in_(by_id))).all():
        calendars[exc.place_id].exceptions[exc.day] = exc
    return calendars


def office_places(session: Session, office_id: int) -> list[VisitPlace]:
    """The office's places, by name."""
    return list(session.exec(
        select(VisitPlace).where(VisitPlace.office_id == office_id).order_by(col(VisitPlace.name), col(VisitPlace.id))
    ).all())


def opening_hours_for(session: Session, office_id: int, day: date) -> list[PlaceDay]:
    """Each of the office's places with its hours on `day` (None when closed): for pages that show hours."""
    places = office_places(session, office_id)
    calendars = load_calendars(session, places)
    return [calendars[p.id or 0].on(day) for p in places]


def entry_rules(session: Session, office_id: int) -> str:
    """The office's rules for entering the building (mask, gloves, disinfection, distance), as the office wrote them."""
    rules = session.get(VisitRules, office_id)
    return rules.entry_rules if rules else ""


def local_moment(day: date, at: time) -> datetime:
    """A local wall-clock time on a day, as aware UTC (what the database stores)."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)

