"""Who sees and does what with appointments: the front desk and supervisors see the office's, a worker the ones of
cases they see and the ones they booked or must call; psychologists and administrators see none."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from app.appointments.models import Appointment
from app.auth.models import Role
from app.auth.services import Principal
from app.cases.models import Case
from app.errors import NotFound

# May book, see the day and mark visits.
VISIT_ROLES = (Role.RECEPTION, Role.WORKER, Role.SUPERVISOR)
# May set places, desks, hours, reasons and entry rules.
SETUP_ROLES = (Role.ADMIN,)


def sees_office_visits(principal: Principal) -> bool:
    """The front desk and supervisors see every visit of their office."""
    return principal.has(Role.RECEPTION, Role.SUPERVISOR)


def visibility_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL condition for the appointments the principal may see."""
    same_office = col(Appointment.office_id) == principal.office_id
    if sees_office_visits(principal):
        return same_office
    if principal.has(Role.WORKER):
        own_cases = select(Case.id).where(
            Case.office_id == principal.office_id,
            or_(col(Case.assigned_worker_id).is_(None), col(Case.assigned_worker_id) == principal.id),
        )
        return and_(same_office, or_(
            col(Appointment.created_by_id) == principal.id,
            col(Appointment.worker_id) == principal.id,
            col(Appointment.case_id).in_(own_cases),
        ))
    return col(Appointment.id).is_(None)


def visible_appointment(session: Session, principal: Principal, appointment_id: int) -> Appointment:
    """The appointment when the principal may see it; NotFound otherwise (ids reveal nothing)."""
    found = session.exec(
        select(Appointment).where(Appointment.id == appointment_id, visibility_clause(principal))
    ).first()
    if found is None:
        raise NotFound(appointment_id)
    return found
