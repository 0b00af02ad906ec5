"""The calendar entry (.ics, RFC 5545) sent with confirmations, changes and cancellations, built with `icalendar`."""

from __future__ import annotations

from icalendar import Calendar, Event

from app.appointments.summary import VisitSummary
from app.clock import utcnow

PRODID = "-//telewywiad//wizyty//PL"
UID_DOMAIN = "telewywiad"


def uid_of(summary: VisitSummary) -> str:
    """A stable id of the appointment's calendar event: a change replaces the event, a cancellation removes it."""
    return f"appointment-{summary.appointment.id}-office-{summary.appointment.office_id}@{UID_DOMAIN}"


def build_ics(summary: VisitSummary, *, description: str, title: str, cancel: bool = False) -> str:
    """One VEVENT in Europe/Warsaw time (with its VTIMEZONE); METHOD:CANCEL for a cancelled appointment."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "PUBLISH")
    event = Event()
    event.add("uid", uid_of(summary))
    event.add("dtstamp", utcnow())
    event.add("dtstart", summary.starts)
    event.add("dtend", summary.ends)
    event.add("sequence", summary.appointment.sequence)
    event.add("summary", title)
    if summary.where:
        event.add("location", summary.where)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")
