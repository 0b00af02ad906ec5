"""The supervisor's dashboard: reports by state, open referrals by age, open cases, this week's rota coverage."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.cases.models import Case, CaseState
from app.clock import LOCAL_TZ, utcnow
from app.interviews.models import Interview, InterviewState
from app.referrals.models import OPEN_STATES, Referral
from app.referrals.queries import is_overdue
from app.reports.models import Report
from app.reports.states import ReportState
from app.staffing.rota import WeekCoverage, week_coverage


@dataclass
class ReferralAge:
    """Open referrals of one priority, how many are overdue, and the age of the oldest."""

    urgency: str
    count: int
    oldest_days: int
    overdue: int = 0


@dataclass
class Dashboard:
    """What a supervisor sees at a glance."""

    states: list[tuple[ReportState | str, int]]
    overdue: list[tuple[Case, int]]
    overdue_count: int
    referrals: list[ReferralAge] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    # This week's rota: who is in the office per day, and the sections left with nobody or everybody inside.
    coverage: WeekCoverage | None = None


CLOSED_CASE_STATES = (CaseState.INTERVIEW_DONE, CaseState.CLOSED, CaseState.OTHER_ROUTE)


def _open_referrals(session: Session, office_id: int, now: dt.datetime) -> list[ReferralAge]:
    """Open referrals by priority with the overdue ones counted (target times from the referrals feature)."""
    referrals = session.exec(
        select(Referral).where(Referral.office_id == office_id, col(Referral.state).in_(list(OPEN_STATES)))
    ).all()
    order = {"urgent": 0, "high": 1, "normal": 2}
    groups: dict[str, ReferralAge] = {}
    for referral in referrals:
        created = referral.created_at if referral.created_at.tzinfo else referral.created_at.replace(tzinfo=dt.UTC)
        group = groups.setdefault(str(referral.priority), ReferralAge(str(referral.priority), 0, 0))
        group.count += 1
        group.oldest_days = max(group.oldest_days, (now - created).days)
        group.overdue += int(is_overdue(referral, now))
    return sorted(groups.values(), key=lambda r: order.get(r.urgency, 9))


def dashboard(session: Session, *, office_id: int, today: dt.date | None = None) -> Dashboard:
    """Interviews per review state, overdue case deadlines and open referrals for the office."""
    today = today or dt.datetime.now(LOCAL_TZ).date()
    counts: Counter[Any] = Counter()
    rows = session.exec(
        select(Interview.state, Report.state)
        .select_from(Interview)
        .join(Report, col(Report.interview_id) == Interview.id, isouter=True)
        .where(Interview.office_id == office_id)
    ).all()
    for interview_state, report_state in rows:
        if report_state is not None:
            counts[ReportState(report_state)] += 1
        elif interview_state == InterviewState.INTERRUPTED:
            counts["interrupted"] += 1
        elif interview_state == InterviewState.FINISHED:
            counts[ReportState.FINISHED] += 1
        else:
            counts[ReportState.DRAFT] += 1
    order: list[ReportState | str] = [*ReportState, "interrupted"]
    overdue_query = (
        select(Case).where(Case.office_id == office_id, col(Case.due_on) < today,
                           col(Case.state).not_in([s.value for s in CLOSED_CASE_STATES]))
        .order_by(col(Case.due_on))
    )
    overdue_cases = list(session.exec(overdue_query).all())
    assert all(c.due_on for c in overdue_cases)  # noqa: S101
    return Dashboard(
        states=[(s, counts.get(s, 0)) for s in order],
        overdue=[(c, (today - c.due_on).days) for c in overdue_cases[:20] if c.due_on],
        overdue_count=len(overdue_cases),
        referrals=_open_referrals(session, office_id, utcnow()),
        coverage=week_coverage(session, office_id, today),
    )
