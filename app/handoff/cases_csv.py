"""The office's cases registered in a period, one row each, as CSV for the decision system or a spreadsheet."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale
from sqlalchemy import and_
from sqlmodel import Session, col, func, select

from app.auth.models import User
from app.cases.labels import channel_label, state_label
from app.cases.models import Case, CaseState, Channel
from app.clock import to_local
from app.interviews.models import Answer, Interview, InterviewState
from app.reports.models import Report
from app.reports.states import STATE_LABELS as REPORT_STATE_LABELS
from app.statistics.csvfile import spreadsheet_csv
from app.statistics.period import Period

COLUMNS = ("Znak sprawy", "Wnioskodawca", "PESEL", "Data wpływu", "Droga wpływu", "Pilna", "Stan sprawy",
           "Termin wywiadu", "Wywiad zakończony", "W terminie", "Tryb wywiadu", "Raport", "Pracownik")
MODE_LABELS = {"phone_15o": "telefonicznie (art. 15o)", "onsite": "w miejscu zamieszkania"}


@dataclass(frozen=True)
class CaseRow:
    """One case as exported."""

    cells: tuple[str, ...]


def _day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def rows(session: Session, *, office_id: int, period: Period) -> list[CaseRow]:
    """The office's cases received in the period, oldest first, with their first finished interview.

    Four queries whatever the number of cases (each joined to the period's cases, no id lists), labels looked up
    once per code rather than once per row.
    """
    in_period = (col(Case.office_id) == office_id, col(Case.received_on) >= period.start,
                 col(Case.received_on) <= period.end)
    cases = session.exec(
        select(Case, User.full_name).join(User, col(User.id) == col(Case.assigned_worker_id), isouter=True)
        .where(*in_period).order_by(col(Case.received_on), col(Case.id))
    ).all()
    finished = (Interview.state == InterviewState.FINISHED, *in_period)
    done: dict[int, datetime] = dict(session.exec(  # type: ignore[arg-type]
        select(Interview.case_id, func.min(Interview.finished_at)).join(Case, col(Case.id) == col(Interview.case_id))
        .where(*finished).group_by(col(Interview.case_id))
    ).all())
    modes: dict[int, str] = dict(session.exec(  # type: ignore[arg-type]
        select(Interview.case_id, func.max(Answer.value)).join(Case, col(Case.id) == col(Interview.case_id))
        .join(Answer, and_(col(Answer.interview_id) == col(Interview.id), col(Answer.key) == "mode"))
        .where(*finished).group_by(col(Interview.case_id))
    ).all())
    reports: dict[int, str] = {}
    for case_id, state in session.exec(select(Report.case_id, Report.state).join(Case, col(Case.id) == col(Report.case_id))
                                       .where(*in_period).order_by(col(Report.id))).all():
        reports[case_id] = state  # the newest report of the case wins
    with force_locale("pl"):
        channels = {c: channel_label(c) for c in Channel}
        states = {s: state_label(s) for s in CaseState}
        report_states = {s.value: str(label) for s, label in REPORT_STATE_LABELS.items()}
    out: list[CaseRow] = []
    for case, worker in cases:
        case_id = case.id or 0
        finished_on = to_local(done[case_id]).date() if done.get(case_id) else None
        on_time = "" if finished_on is None or case.due_on is None else ("tak" if finished_on <= case.due_on else "nie")
        mode_value: Any = json.loads(modes[case_id]) if modes.get(case_id) else None
        out.append(CaseRow((
            case.reference, case.applicant_name, case.pesel or "", _day(case.received_on),
            channels.get(Channel(case.channel), case.channel), "tak" if case.urgent else "nie",
            states.get(CaseState(case.state), case.state), _day(case.due_on), _day(finished_on), on_time,
            MODE_LABELS.get(str(mode_value), ""), report_states.get(reports.get(case_id, ""), ""), worker or "",
        )))
    return out


def to_csv(data: list[CaseRow]) -> bytes:
    """The header and a row per case, as Polish spreadsheets open it (formulas defused)."""
    return spreadsheet_csv([COLUMNS, *(row.cells for row in data)])
