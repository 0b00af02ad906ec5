"""The capacity rule: at most `capacity` clients at a desk at a time, held by one occupancy row per seat and unit.

Two bookings racing for the last seat: on SQLite the write lock taken at BEGIN IMMEDIATE serialises them, so the
second sees the first's rows; on PostgreSQL the second's INSERT waits on the first's uncommitted key and then fails
with a unique violation, and the retry sees the committed rows. Either way exactly one wins.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from app.appointments.models import Appointment, DeskOccupancy, VisitDesk
from app.appointments.slots import units

ATTEMPTS = 3


class DeskFull(Exception):
    """No seat is free at the desk for every unit of the appointment."""


def _taken(session: Session, desk_id: int, slot_units: list[datetime]) -> dict[datetime, set[int]]:
    rows = session.exec(
        select(DeskOccupancy.slot_start, DeskOccupancy.seat)
        .where(DeskOccupancy.desk_id == desk_id, col(DeskOccupancy.slot_start).in_(slot_units))
    ).all()
    taken: dict[datetime, set[int]] = {}
    for at, seat in rows:
        taken.setdefault(at if at.tzinfo else at.replace(tzinfo=UTC), set()).add(seat)
    return taken


def claim(session: Session, appointment: Appointment, desk: VisitDesk) -> None:
    """Take a seat at the desk for every unit of the appointment, or raise DeskFull; nothing stays on failure."""
    slot_units = units(appointment.starts_at, appointment.ends_at)
    for _attempt in range(ATTEMPTS):
        try:
            with session.begin_nested():
                taken = _taken(session, desk.id or 0, slot_units)
                for unit in slot_units:
                    seats = taken.get(unit, set())
                    if len(seats) >= desk.capacity:
                        raise DeskFull
                    # The lowest free seat number: two bookings racing for it collide on the key.
                    seat = min(set(range(len(seats) + 1)) - seats)
                    session.add(DeskOccupancy(desk_id=desk.id or 0, slot_start=unit, seat=seat,
                                              appointment_id=appointment.id or 0))
                session.flush()
            return
        except IntegrityError:
            continue  # another booking took a seat between our read and our insert: look again
    raise DeskFull


def release(session: Session, appointment: Appointment) -> None:
    """Free every seat the appointment holds."""
    session.exec(delete(DeskOccupancy).where(col(DeskOccupancy.appointment_id) == appointment.id))
    session.flush()
