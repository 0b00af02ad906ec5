"""Reading reports: an interview's report, its state, files and comments, who may read it, a stored version."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from app import audit
from app.auth.models import Role
from app.auth.services import Principal
from app.interviews.models import Interview, InterviewState
from app.reports.build import BuiltReport, build_report
from app.reports.models import FileKind, Report, ReportFile, ReviewComment
from app.reports.states import ReportState

# --------------------------------------------------------------------------- lookups


def report_of_interview(session: Session, interview_id: int) -> Report | None:
    """The report of an interview, if it was ever submitted."""
    return session.exec(select(Report).where(Report.interview_id == interview_id)).first()


def reports_of_interviews(session: Session, interview_ids: list[int]) -> dict[int, Report]:
    """The reports of these interviews, by interview id (one statement; none for no interviews)."""
    if not interview_ids:
        return {}
    rows = session.exec(select(Report).where(col(Report.interview_id).in_(interview_ids))).all()
    return {r.interview_id: r for r in rows}


def state_of(interview: Interview, report: Report | None) -> ReportState:
    """The review state of an interview's report (DRAFT/FINISHED while nothing was submitted)."""
    if report is not None:
        return ReportState(report.state)
    return ReportState.FINISHED if interview.state == InterviewState.FINISHED else ReportState.DRAFT


def files_of(session: Session, report_id: int) -> list[ReportFile]:
    """Every stored PDF of a report, newest version first, the approved file before the worker-signed one."""
    rows = session.exec(select(ReportFile).where(ReportFile.report_id == report_id)).all()
    return sorted(rows, key=lambda f: (-f.version, f.kind != FileKind.APPROVED))


def latest_file(session: Session, report: Report) -> ReportFile | None:
    """The newest file of the current version (approved if it exists)."""
    files = [f for f in files_of(session, report.id or 0) if f.version == report.version]
    return files[0] if files else None


def comments_of(session: Session, report_id: int) -> list[ReviewComment]:
    """All comments on a report, oldest version first."""
    return list(session.exec(
        select(ReviewComment).where(ReviewComment.report_id == report_id)
        .order_by(col(ReviewComment.version), col(ReviewComment.id))
    ).all())


def may_read_report(principal: Principal, report: Report) -> bool:
    """The report's worker, the office's supervisors and administrators (the office is checked by the caller)."""
    return principal.id == report.worker_id or principal.has(Role.SUPERVISOR, Role.ADMIN)


def built_version(session: Session, report: Report, version: int | None = None) -> BuiltReport | None:
    """The report exactly as signed at `version` (default: the current one), rebuilt from its answer snapshot."""
    version = version or report.version
    stored = session.exec(select(ReportFile).where(
        ReportFile.report_id == report.id, ReportFile.version == version, ReportFile.kind == FileKind.WORKER_SIGNED,
    )).first()
    interview = session.get(Interview, report.interview_id)
    if stored is None or interview is None:
        return None
    return build_report(session, interview, version=version, now=stored.created_at,
                        answers=json.loads(stored.answers_json))


def record_file_access(session: Session, *, actor: Principal, stored: ReportFile, inline: bool) -> None:
    """Audit a download or inline view of a stored PDF (ids and the hash only)."""
    audit.log(session, "report.view_pdf" if inline else "report.download", actor=actor, obj=stored,
              report_id=stored.report_id, version=stored.version, sha256=stored.sha256)
