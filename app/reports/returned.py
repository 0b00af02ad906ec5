"""Returned reports that find their worker: on "Dzisiaj" first, a count on "Raporty", and "Popraw wywiad"
straight to the first question the supervisor commented on (in the form's order)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_
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
    # (section id, answer key) of the first commented question, where "Popraw wywiad" leads; None: where it was left.
    fix_target: tuple[str, str] | None = None


def returned_count(session: Session, *, worker_id: int, office_id: int) -> int:
    """How many of the worker's reports are back with them (the "Raporty" badge)."""
    query = select(func.count()).select_from(Report).where(
        Report.worker_id == worker_id, Report.office_id == office_id, Report.state == ReportState.RETURNED
    )
    return int(session.exec(query).one())


def returned_reports(session: Session, *, worker_id: int, office_id: int) -> list[Returned]:
    """The worker's returned reports, oldest return first (the longest waiting on top)."""
    # One statement: each returned report with its case, interview and the keys of its comments on the current
    # version (one row per comment, or one row with no key when it has none).
    rows = session.exec(
        select(Report, Case, Interview, col(ReviewComment.answer_key))
        .join(Case, col(Case.id) == Report.case_id)
        .join(Interview, col(Interview.id) == Report.interview_id)
        .outerjoin(ReviewComment, and_(col(ReviewComment.report_id) == Report.id,
                                       col(ReviewComment.version) == Report.version))
        .where(Report.worker_id == worker_id, Report.office_id == office_id, Report.state == ReportState.RETURNED)
        .order_by(col(Report.decided_at), col(Report.id))
    ).all()
    reports: dict[int, tuple[Report, Case, Interview]] = {}
    comments: dict[int, list[str]] = {}
    for report, case, interview, key in rows:
        reports.setdefault(report.id or 0, (report, case, interview))
        if key is not None:  # a general comment's key is "", never NULL
            comments.setdefault(report.id or 0, []).append(key)
    return [
        Returned(report, case, interview, len(comments.get(report_id, [])),
                 first_commented_of(interview, comments.get(report_id, [])))
        for report_id, (report, case, interview) in reports.items()
    ]


def first_commented_of(interview: Interview, keys: Iterable[str]) -> tuple[str, str] | None:
    """(section id, answer key) of the first of these commented answers, in the form's order (general comments,
    with no key, and keys the form no longer has are skipped)."""
    form = form_of(interview)
    order = {q.id: i for i, q in enumerate(form.questions())}
    placed = []
    for key in {k for k in keys if k}:
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
