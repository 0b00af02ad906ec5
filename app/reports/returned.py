"""Returned reports that find their worker: on "Dzisiaj" first, a count on "Raporty", and "Popraw wywiad"
straight to the first question the supervisor commented on (in the form's order)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.cases.models import Case
from app.formdefs.keys import question_for_key
from app.interviews.answers import form_of
from app.interviews.models import Interview
from app.reports.models import Report, ReviewComment
from app.reports.states import ReportState


@dataclass(frozen=True)
class Returned:
    """One report sent back to the worker, with how many comments wait on this version."""

    report: Report
    case: Case
    interview: Interview
    comments: int


def returned_count(session: Session, *, worker_id: int, office_id: int) -> int:
    """How many of the worker's reports are back with them (the "Raporty" badge)."""
    query = select(func.count()).select_from(Report).where(
        Report.worker_id == worker_id, Report.office_id == office_id, Report.state == ReportState.RETURNED
    )
    return int(session.exec(query).one())


def returned_reports(session: Session, *, worker_id: int, office_id: int) -> list[Returned]:
    """The worker's returned reports, oldest return first (the longest waiting on top)."""
    rows = session.exec(
        select(Report, Case, Interview)
        .join(Case, col(Case.id) == Report.case_id)
        .join(Interview, col(Interview.id) == Report.interview_id)
        .where(Report.worker_id == worker_id, Report.office_id == office_id, Report.state == ReportState.RETURNED)
        .order_by(col(Report.decided_at), col(Report.id))
    ).all()
    if not rows:
        return []
    counts = dict(
        session.exec(
            select(ReviewComment.report_id, func.count())
            .where(col(ReviewComment.report_id).in_([r.id for r, _, _ in rows]))
            .where(ReviewComment.version == select(Report.version).where(Report.id == ReviewComment.report_id)
                   .scalar_subquery())
            .group_by(col(ReviewComment.report_id))
        ).all()
    )
    return [Returned(report, case, interview, int(counts.get(report.id or 0, 0))) for report, case, interview in rows]


def first_commented(session: Session, interview: Interview, report: Report) -> tuple[str, str] | None:
    """(section id, answer key) of the first commented answer of the current version, in the form's order."""
    keys = session.exec(
        select(ReviewComment.answer_key).where(
            ReviewComment.report_id == report.id, ReviewComment.version == report.version, ReviewComment.answer_key != ""
        )
    ).all()
    form = form_of(interview)
    order = {q.id: i for i, q in enumerate(form.questions())}
    placed = []
    for key in set(keys):
        try:
            question = question_for_key(form, key)
        except (KeyError, ValueError):
            continue
        top = key.split(".")[0]
        member = int(key.split(".")[1]) if question.group else 0
        placed.append((order.get(top, 0), member, order.get(question.id, 0), question.section, key))
    if not placed:
        return None
    first = min(placed)
    return first[3], first[4]
