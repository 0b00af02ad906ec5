"""The office's cases registered in a period, one row each, as CSV for the decision system or a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale
from sqlmodel import Session, col, func, select

from app.auth.models import User
from app.cases.labels import channel_label, state_label
from app.cases.models import Case
from app.clock import to_local
from app.interviews.models import Answer, Interview, InterviewState
from app.reports.models import Report
from app.reports.states import STATE_LABELS as REPORT_STATE_LABELS
from app.reports.states import ReportState
from app.statistics.period import Period

COLUMNS = ("Znak sprawy", "Wnioskodawca", "PESEL", "Data wpływu", "Droga wpływu", "Pilna", "Stan sprawy",
           "Termin wywiadu", "Wywiad zakończony", "W terminie", "Tryb wywiadu", "Raport", "Pracownik")
MODE_LABELS = {"phone_15o": "telefonicznie (art. 15o)", "onsite": "w miejscu zamieszkania"}
_FORMULA_START = "=+-@\t\r"


@dataclass(frozen=True)
class CaseRow:
    """One case as exported."""

    cells: tuple[str, ...]


def _safe(value: str) -> str:
    """Defuse spreadsheet formulas: a cell starting with = + - @ is read as text."""
    return "'" + value if value and value[0] in _FORMULA_START else value


def _day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def rows(session: Session, *, office_id: int, period: Period) -> list[CaseRow]:
    """The office's cases received in the period, oldest first, with their first finished interview."""
    cases = session.exec(
        select(Case, User.full_name).join(User, col(User.id) == col(Case.assigned_worker_id), isouter=True)
        .where(Case.office_id == office_id, col(Case.received_on) >= period.start, col(Case.received_on) <= period.end)
        .order_by(col(Case.received_on), col(Case.id))
    ).all()
    ids = [c.id for c, _ in cases]
    finished = (Interview.state == InterviewState.FINISHED, col(Interview.case_id).in_(ids))
    done: dict[int, datetime] = dict(session.exec(  # type: ignore[arg-type]
        select(Interview.case_id, func.min(Interview.finished_at)).where(*finished).group_by(col(Interview.case_id))
    ).all()) if ids else {}
    modes: dict[int, str] = dict(session.exec(  # type: ignore[arg-type]
        select(Interview.case_id, func.max(Answer.value)).join(Answer, col(Answer.interview_id) == col(Interview.id))
        .where(*finished, Answer.key == "mode").group_by(col(Interview.case_id))
    ).all()) if ids else {}
    reports: dict[int, str] = {}
    if ids:
        for case_id, state in session.exec(select(Report.case_id, Report.state).where(col(Report.case_id).in_(ids))
                                           .order_by(col(Report.id))).all():
            reports[case_id] = state  # the newest report of the case wins
    out: list[CaseRow] = []
    with force_locale("pl"):
        for case, worker in cases:
            case_id = case.id or 0
            finished_on = to_local(done[case_id]).date() if done.get(case_id) else None
            on_time = "" if finished_on is None or case.due_on is None else ("tak" if finished_on <= case.due_on else "nie")
            mode_value: Any = json.loads(modes[case_id]) if modes.get(case_id) else None
            report = reports.get(case_id)
            out.append(CaseRow(tuple(_safe(v) for v in (
                case.reference, case.applicant_name, case.pesel or "", _day(case.received_on),
                channel_label(case.channel), "tak" if case.urgent else "nie", state_label(case.state), _day(case.due_on),
                _day(finished_on), on_time, MODE_LABELS.get(str(mode_value), ""),
                str(REPORT_STATE_LABELS[ReportState(report)]) if report else "", worker or "",
            ))))
    return out


def to_csv(data: list[CaseRow]) -> bytes:
    """UTF-8 CSV with a BOM and semicolons, as Polish spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in data:
        writer.writerow(row.cells)
    return buffer.getvalue().encode("utf-8-sig")
