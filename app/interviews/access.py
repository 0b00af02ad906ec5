"""Who reaches which interview, and on which case an interview may be started."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.auth.models import Role
from app.auth.services import Principal
from app.cases.models import Case
from app.errors import NotFound
from app.interviews.models import Interview

# --------------------------------------------------------------------------- access


def can_reach(principal: Principal, interview: Interview, case: Case | None) -> bool:
    """Workers reach their own interviews and those of cases assigned to them; supervisors their office's."""
    if interview.office_id != principal.office_id:
        return False
    if principal.has(Role.SUPERVISOR):
        return True
    if principal.has(Role.WORKER):
        return interview.worker_id == principal.id or (case is not None and case.assigned_worker_id == principal.id)
    return False


def get_interview(session: Session, principal: Principal, interview_id: int) -> Interview:
    """The interview if the principal may reach it; NotFound otherwise (also for another office's).

    Read without a lock: a save claims it later (autosave.save_answer), or locks it (write_answer).
    """
    interview = session.get(Interview, interview_id)
    if interview is None:
        raise NotFound(interview_id)
    return reached(session, principal, interview)


def reached(session: Session, principal: Principal, interview: Interview) -> Interview:
    """The interview (read by the caller) if the principal may reach it; NotFound otherwise."""
    # The case decides only for a worker reaching someone else's interview: not read otherwise.
    own = principal.has(Role.SUPERVISOR) or interview.worker_id == principal.id
    case = None if own else session.get(Case, interview.case_id)
    if not can_reach(principal, interview, case):
        raise NotFound(interview.id)
    return interview


def case_for_start(session: Session, principal: Principal, case_id: int) -> Case:
    """The case if the principal may start an interview on it: same office; a worker only unassigned or their own."""
    case = session.get(Case, case_id)
    if case is None or case.office_id != principal.office_id:
        raise NotFound(case_id)
    if not principal.has(Role.SUPERVISOR) and case.assigned_worker_id not in (None, principal.id):
        raise NotFound(case_id)
    return case


def case_interviews(session: Session, case_id: int) -> list[Interview]:
    """A case's interviews, newest first."""
    return list(
        session.exec(
            select(Interview).where(Interview.case_id == case_id).order_by(col(Interview.started_at).desc())
        ).all()
    )
