"""The supervisor's review queue and a worker's reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from app.auth.models import User
from app.cases.models import Case
from app.clock import LOCAL_TZ
from app.reports.models import Report
from app.reports.states import PENDING_REVIEW, ReportState
from app.web.paging import PAGE_SIZE, Page, clamp

# --------------------------------------------------------------------------- queue and dashboard


@dataclass(frozen=True)
class QueueItem:
    """One report in the review queue."""

    report: Report
    reference: str
    applicant_name: str
    worker_name: str
    due_on: dt.date | None
    overdue: bool


QUEUE_FILTERS = ("pending", "submitted", "resubmitted", "returned", "approved")


def review_queue(session: Session, *, office_id: int, status: str = "pending", worker_id: int | None = None,
                 overdue_only: bool = False, today: dt.date | None = None, page: int = 1,
                 size: int = PAGE_SIZE) -> Page[QueueItem]:
    """One page of the office's reports, oldest submission first; by default those waiting for review."""
    today = today or dt.datetime.now(LOCAL_TZ).date()
    states = PENDING_REVIEW if status not in QUEUE_FILTERS[1:] else frozenset({ReportState(status)})
    where: list[ColumnElement[bool]] = [col(Report.office_id) == office_id,
                                        col(Report.state).in_([s.value for s in states])]
    if worker_id is not None:
        where.append(col(Report.worker_id) == worker_id)
    # Count and page read report alone (ix_report_office_state), joining the case only for the overdue filter;
    # only the page's ids are sorted and skipped, and only its 50 rows are joined to cases and workers.
    count = select(func.count()).select_from(Report).where(*where)
    ids = select(Report.id).where(*where)
    if overdue_only:
        count = count.join(Case, col(Case.id) == Report.case_id).where(col(Case.due_on) < today)
        ids = ids.join(Case, col(Case.id) == Report.case_id).where(col(Case.due_on) < today)
    total = session.exec(count).one()
    number = clamp(page, total, size)
    order = (col(Report.submitted_at), col(Report.id))
    ids = ids.order_by(*order).offset((number - 1) * size).limit(size)
    query = (
        select(Report, Case, User)
        .join(Case, col(Case.id) == Report.case_id)
        .join(User, col(User.id) == Report.worker_id)
        .where(col(Report.id).in_(ids.scalar_subquery()))
        .order_by(*order)
    )
    items = [
        QueueItem(report, case.reference, case.applicant_name, user.full_name, case.due_on,
                  case.due_on is not None and case.due_on < today)
        for report, case, user in session.exec(query).all()
    ]
    return Page(items, number, total, size)


def reports_of_worker(session: Session, *, worker_id: int) -> list[tuple[Report, Case]]:
    """A worker's reports with their cases: returned ones first, then newest submission first."""
    rows = session.exec(
        select(Report, Case).join(Case, col(Case.id) == Report.case_id)
        .where(Report.worker_id == worker_id).order_by(col(Report.submitted_at).desc())
    ).all()
    return sorted(rows, key=lambda rc: rc[0].state != ReportState.RETURNED)


def office_workers(session: Session, office_id: int) -> list[User]:
    """Users of the office who have submitted reports (for the queue's worker filter)."""
    ids = select(Report.worker_id).where(Report.office_id == office_id).distinct()
    return list(session.exec(select(User).where(col(User.id).in_(ids)).order_by(col(User.full_name))).all())
