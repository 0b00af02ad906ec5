"""Sections, staff groups and the rota, absences, telephone duty slots and the calls taken on duty."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class Section(SQLModel, table=True):
    """A section of the office (family benefits, maintenance fund, social workers...): the rota's unit and the
    directory's heading."""

    __tablename__ = "staff_section"
    __table_args__ = (UniqueConstraint("office_id", "name", name="uq_staff_section_office_name"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    name: str = Field(max_length=120)
    email: str = Field(default="", max_length=254)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)


class StaffGroup(SQLModel, table=True):
    """One of the office's rotating groups (two by default): never all of a section in the building at once."""

    __tablename__ = "staff_group"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    name: str = Field(max_length=60)
    position: int = Field(default=0)


class StaffPlacement(SQLModel, table=True):
    """Where a staff member belongs: their section and rota group (kept apart from the account itself)."""

    __tablename__ = "staff_placement"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    office_id: int = Field(foreign_key="office.id", index=True)
    section_id: int | None = Field(default=None, foreign_key="staff_section.id", index=True)
    # None: out of the rota (long leave, care allowance); the person is never counted in the office.
    group_id: int | None = Field(default=None, foreign_key="staff_group.id", index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class PatternKind(StrEnum):
    """How groups take turns in the office."""

    ALTERNATE_WEEKS = "alternate_weeks"
    WEEKDAYS = "weekdays"


class RotaPattern(SQLModel, table=True):
    """The office's rotation: alternate weeks from an anchor week, or named weekdays per group."""

    __tablename__ = "rota_pattern"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    kind: PatternKind = Field(sa_column=Column(String(20), nullable=False))
    # Alternate weeks: the Monday of a week in which the first group is in the office.
    anchor_monday: date
    # Named weekdays: JSON {"0": [group ids], ..., "4": [...]} (0 = Monday); groups not named work remotely.
    weekdays: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class AbsenceKind(StrEnum):
    """Why someone is out of the rota for a while (entered by a supervisor)."""

    SICK_LEAVE = "sick_leave"
    CARE_LEAVE = "care_leave"
    QUARANTINE = "quarantine"
    LEAVE = "leave"


class RotaException(SQLModel, table=True):
    """A staff member absent from `starts_on` to `ends_on` inclusive: neither in the office nor working remotely."""

    __tablename__ = "rota_exception"
    __table_args__ = (Index("ix_rota_exception_office_days", "office_id", "starts_on", "ends_on"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    kind: AbsenceKind = Field(sa_column=Column(String(20), nullable=False))
    starts_on: date
    ends_on: date
    note: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class DutySettings(SQLModel, table=True):
    """The office's duty telephone: its number and the usual hours of an evening duty."""

    __tablename__ = "duty_settings"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    number: str = Field(default="", max_length=20)  # E.164
    default_start: time = Field(default=time(15, 30))
    default_end: time = Field(default=time(19, 0))
    # Shown on the public page, e.g. "Telefon czynny także w Święta Wielkanocne".
    note: str = Field(default="", max_length=300)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class DutySlot(SQLModel, table=True):
    """One telephone duty: a worker answers the duty number from `starts_at` to `ends_at` (never two at once)."""

    __tablename__ = "duty_slot"
    __table_args__ = (Index("ix_duty_slot_office_starts", "office_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    worker_id: int = Field(foreign_key="user_account.id", index=True)
    starts_at: datetime
    ends_at: datetime
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class DutyCall(SQLModel, table=True):
    """A call taken on the duty phone and recorded as a contact on a case (the call attempt says what was said)."""

    __tablename__ = "duty_call"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    slot_id: int | None = Field(default=None, foreign_key="duty_slot.id", index=True, ondelete="SET NULL")
    worker_id: int = Field(foreign_key="user_account.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    call_attempt_id: int = Field(foreign_key="call_attempt.id", ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow)
