"""A case as an item of a list (today list, search results): phones, deadline and last attempt, read in bulk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.cases import deadlines
from app.cases.contact.phones import all_numbers_wrong, usable_phones
from app.cases.models import (
    OPEN_STATES,
    CallAttempt,
    Callback,
    Case,
    CasePhone,
)
from app.clock import LOCAL_TZ
from app.interviews.models import Interview

# --- the worker's day ----------------------------------------------------------------------------------------


@dataclass
class QueueItem:
    """One case on a list, with what a phone needs to act on it in one tap."""

    case: Case
    phones: list[CasePhone]
    deadline: deadlines.DeadlineStatus
    callback: Callback | None = None
    interview: Interview | None = None
    last_attempt: CallAttempt | None = None
    overdue: bool = False
    callback_today: bool = False
    update_due: date | None = None

    @property
    def usable_phones(self) -> list[CasePhone]:
        """The numbers worth calling (not marked wrong)."""
        return usable_phones(self.phones)

    @property
    def wrong_phones(self) -> list[CasePhone]:
        """The numbers a call found wrong."""
        return [p for p in self.phones if p.wrong_since is not None]

    @property
    def all_numbers_wrong(self) -> bool:
        """Every number of the case is wrong: only a letter, an e-mail or a new number helps."""
        return all_numbers_wrong(self.phones)


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)


def queue_items(session: Session, cases: list[Case], today: date) -> dict[int, QueueItem]:
    ids = [c.id for c in cases if c.id is not None]
    phones: dict[int, list[CasePhone]] = {}
    for phone in session.exec(
        select(CasePhone)
        .where(col(CasePhone.case_id).in_(ids))
        .order_by(col(CasePhone.wrong_since).is_not(None), col(CasePhone.position), col(CasePhone.id))
    ).all():
        phones.setdefault(phone.case_id, []).append(phone)
    last: dict[int, CallAttempt] = {}
    for attempt in session.exec(
        select(CallAttempt).where(col(CallAttempt.case_id).in_(ids)).order_by(col(CallAttempt.at), col(CallAttempt.id))
    ).all():
        last[attempt.case_id] = attempt
    return {
        c.id or 0: QueueItem(
            case=c,
            phones=phones.get(c.id or 0, []),
            deadline=deadlines.deadline_status(c.due_on, today) if c.state in OPEN_STATES else deadlines.DeadlineStatus.NONE,
            last_attempt=last.get(c.id or 0),
        )
        for c in cases
    }
