"""The worker's today list: call-backs, new applications, interviews in progress and deadlines, each case once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from app.auth.services import Principal
from app.cases import deadlines
from app.cases.models import (
    OPEN_STATES,
    Callback,
    Case,
    CaseState,
)
from app.cases.queue import QueueItem, end_of_local_day, queue_items
from app.clock import to_local, utcnow
from app.interviews.models import Interview, InterviewState
from app.reports.returned import Returned, returned_reports
from app.workdays import add_working_days

UPDATE_NOTICE_WORKING_DAYS = 10


@dataclass
class Today:
    """The worker's day: call-backs first, then new applications, interviews in progress, deadlines."""

    callbacks: list[QueueItem]
    to_call: list[QueueItem]
    interviews: list[QueueItem]
    deadlines: list[QueueItem]
    unassigned_count: int
    # Reports the supervisor sent back, shown at the very top (and counted in the menu's "Raporty" badge).
    returned: list[Returned] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when there is nothing to do today."""
        return not (self.callbacks or self.to_call or self.interviews or self.deadlines)


def today_for(session: Session, *, actor: Principal, now: datetime | None = None) -> Today:
    """Everything on the worker's list today, each case once, in the order it should be worked."""
    now = now or utcnow()
    today = to_local(now).date()
    end_of_day = end_of_local_day(today)

    # A fixed number of statements whatever the length of the list (query budget: tests/integration).
    open_callbacks = session.exec(
        select(Callback, Case)
        .join(Case, col(Case.id) == col(Callback.case_id))
        .where(
            Callback.worker_id == actor.id,
            col(Callback.done_at).is_(None),
            Case.office_id == actor.office_id,
        )
        .order_by(col(Callback.due_at))
    ).all()
    callbacks = [(callback, case) for callback, case in open_callbacks if callback.due_at < end_of_day]
    future_callbacks = {callback.case_id for callback, _case in open_callbacks if callback.due_at >= end_of_day}
    # The worker's open cases and, among their finished ones, permanent help that comes up for its update.
    mine = session.exec(
        select(Case)
        .where(
            Case.office_id == actor.office_id,
            Case.assigned_worker_id == actor.id,
            # Implied by the two cases below; stated so the index (office, worker, state) skips closed cases.
            col(Case.state).in_([*(s.value for s in OPEN_STATES), CaseState.INTERVIEW_DONE.value]),
            or_(
                col(Case.state).in_([s.value for s in OPEN_STATES]),
                and_(
                    col(Case.permanent_help).is_(True),
                    col(Case.state) == CaseState.INTERVIEW_DONE,
                    col(Case.last_interview_completed_at).is_not(None),
                ),
            ),
        )
        .order_by(col(Case.urgent).desc(), col(Case.due_on), col(Case.id))
    ).all()
    mine_open = [case for case in mine if case.state in OPEN_STATES]
    permanent = sorted((case for case in mine if case.state not in OPEN_STATES), key=lambda c: c.id or 0)
    interviews = session.exec(
        select(Interview, Case)
        .join(Case, col(Case.id) == col(Interview.case_id))
        .where(
            Interview.worker_id == actor.id,
            Interview.state == InterviewState.IN_PROGRESS,
            Interview.office_id == actor.office_id,
        )
        .order_by(col(Interview.updated_at).desc())
    ).all()
    all_cases = {c.id: c for _cb, c in callbacks} | {c.id: c for c in mine} | {c.id: c for _i, c in interviews}
    items = queue_items(session, list(all_cases.values()), today)

    shown: set[int] = set()
    callback_items: list[QueueItem] = []
    for callback, case in callbacks:
        if case.id in shown:
            continue
        item = items[case.id or 0]
        item.callback = callback
        item.overdue = callback.due_at < now
        item.callback_today = to_local(callback.due_at).date() == today
        callback_items.append(item)
        shown.add(case.id or 0)
    interview_items: list[QueueItem] = []
    for interview, case in interviews:
        if case.id in shown:
            continue
        item = items[case.id or 0]
        item.interview = interview
        interview_items.append(item)
        shown.add(case.id or 0)
    to_call: list[QueueItem] = []
    deadline_items: list[QueueItem] = []
    for case in mine_open:
        if case.id in shown:
            continue
        item = items[case.id or 0]
        if case.state in (CaseState.NEW, CaseState.CONTACTING) and case.id not in future_callbacks:
            to_call.append(item)
        elif case.needs_other_route and not item.phones and case.state in OPEN_STATES:
            to_call.append(item)  # registered without a phone: the card says to write (letter, e-mail, ePUAP)
        elif item.deadline in (deadlines.DeadlineStatus.OVERDUE, deadlines.DeadlineStatus.SOON):
            deadline_items.append(item)
        else:
            continue
        shown.add(case.id or 0)
    # Permanent help: the six-monthly update shows up among the deadlines ten working days ahead.
    update_horizon = add_working_days(today, UPDATE_NOTICE_WORKING_DAYS)
    for case in permanent:
        completed = case.last_interview_completed_at
        due = deadlines.update_due(to_local(completed).date()) if completed else None
        if case.id in shown or due is None or due > update_horizon:
            continue
        item = items[case.id or 0]
        item.update_due = due
        item.deadline = deadlines.deadline_status(due, today)
        deadline_items.append(item)
        shown.add(case.id or 0)
    # The call section keeps urgent and overdue first: the deadline is what the law counts.
    to_call.sort(key=lambda i: (not i.case.urgent, i.case.due_on or date.max, i.case.id or 0))
    unassigned = session.exec(
        select(func.count())
        .select_from(Case)
        .where(
            Case.office_id == actor.office_id,
            col(Case.assigned_worker_id).is_(None),
            col(Case.state).in_([s.value for s in OPEN_STATES]),
        )
    ).one()
    return Today(
        callbacks=callback_items,
        to_call=to_call,
        interviews=interview_items,
        deadlines=deadline_items,
        unassigned_count=int(unassigned),
        returned=returned_reports(session, worker_id=actor.id, office_id=actor.office_id),
    )
