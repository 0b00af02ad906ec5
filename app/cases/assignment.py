"""Who works a case: the office's workers and (un)assigning a case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.models import Role, User, UserRole
from app.auth.services import Principal
from app.cases.access import sees_whole_office
from app.cases.contact.attempts import open_callbacks
from app.cases.models import (
    Case,
)
from app.errors import InvalidInput, NotFound

# --- assignment ----------------------------------------------------------------------------------------------


def office_workers(session: Session, office_id: int) -> list[User]:
    """Active social workers of the office, by name."""
    return list(
        session.exec(
            select(User)
            .join(UserRole, col(UserRole.user_id) == col(User.id))
            .where(User.office_id == office_id, col(User.active).is_(True), UserRole.role == Role.WORKER)
            .order_by(User.full_name)
        ).all()
    )


def assign_case(session: Session, *, actor: Principal, case: Case, worker_id: int | None) -> Case:
    """Assign (or unassign) a case: supervisors and administrators freely, a worker only takes an unassigned one."""
    if case.office_id != actor.office_id:
        raise NotFound()
    taking_unassigned = actor.has(Role.WORKER) and worker_id == actor.id and case.assigned_worker_id is None
    if not sees_whole_office(actor) and not taking_unassigned:
        raise InvalidInput({"worker_id": str(_l("Możesz wziąć tylko sprawę, która nie jest jeszcze przydzielona."))})
    if worker_id is not None and worker_id not in {u.id for u in office_workers(session, actor.office_id)}:
        raise InvalidInput({"worker_id": str(_l("Wybierz pracownika socjalnego z tego ośrodka."))})
    previous = case.assigned_worker_id
    case.assigned_worker_id = worker_id
    session.add(case)
    if previous is not None and previous != worker_id:
        # Call-backs booked by the previous worker move with the case so nobody's list keeps a stale item.
        for callback in open_callbacks(session, case):
            callback.worker_id = worker_id if worker_id is not None else callback.worker_id
            session.add(callback)
    session.flush()
    audit.log(session, "case.assign", actor=actor, obj=case, worker_id=worker_id, previous_worker_id=previous)
    return case
