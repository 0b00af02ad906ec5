"""The supervisor's view of the team: each worker's open cases and call-backs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import User
from app.auth.services import Principal
from app.cases import deadlines
from app.cases.access import sees_whole_office
from app.cases.assignment import office_workers
from app.cases.models import (
    OPEN_STATES,
    Callback,
    Case,
)
from app.cases.queue import end_of_local_day
from app.clock import to_local, utcnow
from app.errors import Forbidden


@dataclass
class TeamRow:
    """One worker's queue in numbers (or the unassigned cases when `worker` is None)."""

    worker: User | None
    open: int = 0
    overdue: int = 0
    soon: int = 0
    other_route: int = 0
    callbacks_due: int = 0


def team_queue(session: Session, *, actor: Principal, now: datetime | None = None) -> list[TeamRow]:
    """The office's open cases per worker: how many, overdue, due soon, needing a letter, call-backs due today."""
    if not sees_whole_office(actor):
        raise Forbidden()
    now = now or utcnow()
    today = to_local(now).date()
    limit = deadlines.soon_limit(today)
    rows: dict[int | None, TeamRow] = {u.id: TeamRow(worker=u) for u in office_workers(session, actor.office_id)}
    rows[None] = TeamRow(worker=None)
    cases = session.exec(
        select(Case).where(Case.office_id == actor.office_id, col(Case.state).in_([s.value for s in OPEN_STATES]))
    ).all()
    for case in cases:
        row = rows.get(case.assigned_worker_id)
        if row is None:
            continue  # assigned to someone no longer active as a worker: shown under their filter only
        row.open += 1
        if case.due_on and case.due_on < today:
            row.overdue += 1
        elif case.due_on and case.due_on <= limit:
            row.soon += 1
        if case.needs_other_route:
            row.other_route += 1
    due = session.exec(
        select(Callback.worker_id, func.count())
        .join(Case, col(Case.id) == col(Callback.case_id))
        .where(
            Case.office_id == actor.office_id,
            col(Callback.done_at).is_(None),
            col(Callback.due_at) < end_of_local_day(today),
        )
        .group_by(col(Callback.worker_id))
    ).all()
    for worker_id, count in due:
        if worker_id in rows:
            rows[worker_id].callbacks_due = int(count)
    return list(rows.values())
