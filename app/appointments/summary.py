"""An appointment with everything a page, an e-mail or a calendar entry says about it, loaded in a few queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.appointments.calendar import entry_rules
from app.appointments.models import (
    Appointment,
    AppointmentEvent,
    AppointmentKind,
    VisitDesk,
    VisitPlace,
    VisitReason,
)
from app.auth.models import Office, User
from app.cases.models import Callback
from app.clock import to_local


@dataclass
class VisitSummary:
    """What is said about one appointment: when, where, why, what to bring, the rules at the door."""

    appointment: Appointment
    reason: VisitReason
    office: Office
    place: VisitPlace | None
    desk: VisitDesk | None
    entry_rules: str
    worker: User | None = None
    callback: Callback | None = None
    events: Sequence[AppointmentEvent] = ()

    @property
    def in_person(self) -> bool:
        """A visit at a desk (not a telephone appointment)."""
        return self.appointment.kind == AppointmentKind.IN_PERSON

    @property
    def starts(self) -> datetime:
        """Start in Polish local time."""
        return to_local(self.appointment.starts_at)

    @property
    def ends(self) -> datetime:
        """End in Polish local time."""
        return to_local(self.appointment.ends_at)

    @property
    def where(self) -> str:
        """Place, its address and the desk, as one line."""
        parts = [p for p in (self.place.name if self.place else "", self.place.address if self.place else "") if p]
        if self.desk:
            parts.append(self.desk.name)
        return ", ".join(parts)

    @property
    def call_made(self) -> bool:
        """A telephone appointment whose call-back the worker has logged."""
        return self.callback is not None and self.callback.done_at is not None


def summaries(session: Session, appointments: Sequence[Appointment], *, with_events: bool = False) -> list[VisitSummary]:
    """Summaries of several appointments (one query per related table, whatever their number)."""
    if not appointments:
        return []

    def by_id(model: Any, ids: set[int | None]) -> dict[int, Any]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(wanted))).all()}

    reasons = by_id(VisitReason, {a.reason_id for a in appointments})
    places = by_id(VisitPlace, {a.place_id for a in appointments})
    desks = by_id(VisitDesk, {a.desk_id for a in appointments})
    offices = by_id(Office, {a.office_id for a in appointments})
    workers = by_id(User, {a.worker_id for a in appointments})
    callbacks = by_id(Callback, {a.callback_id for a in appointments})
    rules = {office_id: entry_rules(session, office_id) for office_id in offices}
    events: dict[int, list[AppointmentEvent]] = {}
    if with_events:
        for event in session.exec(
            select(AppointmentEvent)
            .where(col(AppointmentEvent.appointment_id).in_([a.id for a in appointments]))
            .order_by(col(AppointmentEvent.at), col(AppointmentEvent.id))
        ).all():
            events.setdefault(event.appointment_id, []).append(event)
    return [
        VisitSummary(
            appointment=a,
            reason=reasons[a.reason_id],
            office=offices[a.office_id],
            place=places.get(a.place_id or 0),
            desk=desks.get(a.desk_id or 0),
            entry_rules=rules[a.office_id],
            worker=workers.get(a.worker_id or 0),
            callback=callbacks.get(a.callback_id or 0),
            events=events.get(a.id or 0, []),
        )
        for a in appointments
    ]


def summary(session: Session, appointment: Appointment, *, with_events: bool = False) -> VisitSummary:
    """The summary of one appointment."""
    return summaries(session, [appointment], with_events=with_events)[0]
