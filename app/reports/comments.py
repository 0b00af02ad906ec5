"""A returned report's open comments by answer key: the read interface the runner shows under each question."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from app.reports.models import Report, ReviewComment
from app.reports.states import ReportState


def open_comments(session: Session, interview_id: int) -> dict[str, list[ReviewComment]]:
    """Comments the worker still has to act on (the report is returned), grouped by answer key; one statement."""
    rows = session.exec(
        select(ReviewComment)
        .join(Report, col(Report.id) == col(ReviewComment.report_id))
        .where(
            Report.interview_id == interview_id,
            Report.state == ReportState.RETURNED,
            col(ReviewComment.version) == col(Report.version),
        )
        .order_by(col(ReviewComment.id))
    ).all()
    grouped: dict[str, list[ReviewComment]] = defaultdict(list)
    for comment in rows:
        grouped[comment.answer_key].append(comment)
    return dict(grouped)
