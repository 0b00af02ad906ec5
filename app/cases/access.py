"""Which cases a principal may see, as a check and as an SQL condition; the audit of a case view."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col

from app import audit
from app.auth.models import Role
from app.auth.services import Principal
from app.cases.models import (
    Case,
)
from app.errors import NotFound

# --- visibility ----------------------------------------------------------------------------------------------


def sees_whole_office(principal: Principal) -> bool:
    """Supervisors and administrators see every case of their office; workers see their own and unassigned."""
    return principal.has(Role.SUPERVISOR, Role.ADMIN)


def may_see(principal: Principal, case: Case) -> bool:
    if case.office_id != principal.office_id:
        return False
    if sees_whole_office(principal):
        return True
    if principal.has(Role.WORKER):
        return case.assigned_worker_id in (None, principal.id)
    return False


def visibility_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL condition for the cases the principal may see."""
    same_office = col(Case.office_id) == principal.office_id
    if sees_whole_office(principal):
        return same_office
    if principal.has(Role.WORKER):
        return and_(
            same_office, or_(col(Case.assigned_worker_id).is_(None), col(Case.assigned_worker_id) == principal.id)
        )
    return col(Case.id).is_(None)  # nothing


def visible_case(session: Session, principal: Principal, case_id: int) -> Case:
    """The case when the principal may see it, else 404 (another office's or colleague's case looks absent)."""
    case = session.get(Case, case_id)
    if case is None or not may_see(principal, case):
        raise NotFound()
    return case


def record_case_view(session: Session, *, actor: Principal, case: Case) -> None:
    """Log that the actor opened the case (ids only); called with a standalone session from GET views."""
    audit.log(session, "case.view", actor=actor, obj=case)
