"""Visits by prior arrangement: places, service desks, opening hours, visit reasons, appointments and desk occupancy.

Every table is keyed by office. Capacity ("one client per desk at a time") is enforced by `DeskOccupancy`: one row
per desk, 15-minute unit and seat, under a primary key, so two bookings racing for the last seat cannot both commit,
on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow

# Appointments start and occupy desks in steps of this many minutes.
SLOT_MINUTES = 15


class AppointmentKind(StrEnum):
    """In person at a desk, or a telephone appointment (the worker calls at the agreed time)."""

    IN_PERSON = "in_person"
    PHONE = "phone"


class AppointmentState(StrEnum):
    """Where the appointment is; cancelled ones free their desk."""

    BOOKED = "booked"
    ARRIVED = "arrived"
    NO_SHOW = "no_show"
    DONE = "done"
    CANCELLED = "cancelled"


ACTIVE_STATES = frozenset({AppointmentState.BOOKED, AppointmentState.ARRIVED})


class VisitRules(SQLModel, table=True):
    """An office's rules for visitors (entry rules posted at the door, sent with every confirmation)."""

    __tablename__ = "visit_rules"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    entry_rules: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class VisitPlace(SQLModel, table=True):
    """A room or place where clients are received; its capacity is the sum of its desks'."""

    __tablename__ = "visit_place"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    name: str = Field(max_length=120)
    address: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)


class VisitDesk(SQLModel, table=True):
    """A service desk (stanowisko) in a place; `capacity` clients at a time (1 by default)."""

    __tablename__ = "visit_desk"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    place_id: int = Field(foreign_key="visit_place.id", index=True)
    name: str = Field(max_length=120)
    capacity: int = Field(default=1)
    # Removed desks stay for the history of past visits; they are never offered again.
    removed_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


class OpeningHours(SQLModel, table=True):
    """When a place receives clients on one weekday (0 = Monday); no row means closed that weekday."""

    __tablename__ = "visit_opening_hours"
    __table_args__ = (UniqueConstraint("place_id", "weekday", name="uq_visit_opening_hours_place_weekday"),)

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="visit_place.id", index=True, ondelete="CASCADE")
    weekday: int
    opens: time
    closes: time


class HoursException(SQLModel, table=True):
    """A date when a place is closed (no hours) or open at other hours than usual; beats holidays too."""

    __tablename__ = "visit_hours_exception"
    __table_args__ = (UniqueConstraint("place_id", "day", name="uq_visit_hours_exception_place_day"),)

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="visit_place.id", index=True, ondelete="CASCADE")
    day: date
    opens: time | None = Field(default=None)
    closes: time | None = Field(default=None)
    note: str = Field(default="", max_length=200)


class VisitReason(SQLModel, table=True):
    """Why someone comes (submitting documents, signing a statement...), how long it takes, what to bring."""

    __tablename__ = "visit_reason"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    name: str = Field(max_length=120)
    duration_minutes: int = Field(default=15)
    in_person: bool = Field(default=True)
    phone: bool = Field(default=False)
    # What to bring, one item per line.
    checklist: str = Field(default="", sa_column=Column(Text, nullable=False))
    active: bool = Field(default=True)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def checklist_items(self) -> list[str]:
        """The checklist as a list of non-empty lines."""
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class Appointment(SQLModel, table=True):
    """A visit agreed with a person (of a case, or a new person with only contact data)."""

    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_office_starts", "office_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="case_file.id", index=True)
    # Only what the person gave for contact.
    person_name: str = Field(max_length=200)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=254)
    reason_id: int = Field(foreign_key="visit_reason.id", index=True)
    kind: AppointmentKind = Field(sa_column=Column(String(20), nullable=False))
    place_id: int | None = Field(default=None, foreign_key="visit_place.id")
    desk_id: int | None = Field(default=None, foreign_key="visit_desk.id", index=True)
    starts_at: datetime
    ends_at: datetime
    state: AppointmentState = Field(default=AppointmentState.BOOKED, sa_column=Column(String(20), nullable=False))
    # Whose list a telephone appointment lands on (the case's worker, else the one who booked it).
    worker_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    callback_id: int | None = Field(default=None, foreign_key="callback.id")
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    arrived_at: datetime | None = Field(default=None)
    finished_at: datetime | None = Field(default=None)
    cancelled_at: datetime | None = Field(default=None)
    cancel_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Bumped on every change of time, so calendars replace the event (.ics SEQUENCE).
    sequence: int = Field(default=0)
    reminder_queued_at: datetime | None = Field(default=None)


class AppointmentEvent(SQLModel, table=True):
    """One step in an appointment's history (booked, moved, arrived, no-show, done, cancelled)."""

    __tablename__ = "appointment_event"

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    action: str = Field(max_length=20)
    previous_starts_at: datetime | None = Field(default=None)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))


class DeskOccupancy(SQLModel, table=True):
    """One seat of one desk for one 15-minute unit, held by an appointment; the key is the capacity rule."""

    __tablename__ = "visit_desk_occupancy"

    desk_id: int = Field(foreign_key="visit_desk.id", primary_key=True)
    slot_start: datetime = Field(primary_key=True)
    seat: int = Field(primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True, ondelete="CASCADE")
