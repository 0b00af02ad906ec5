"""Statutory deadlines of a case in working days (app.workdays is the calendar); pure functions."""

from __future__ import annotations

import calendar
from datetime import date
from enum import StrEnum

from app.workdays import add_working_days, working_days_between

INTERVIEW_WORKING_DAYS = 14
URGENT_INTERVIEW_WORKING_DAYS = 2
UPDATE_EVERY_MONTHS = 6
SOON_WORKING_DAYS = 3


class DeadlineStatus(StrEnum):
    """How close a deadline is, as shown on lists."""

    OVERDUE = "overdue"
    SOON = "soon"
    OK = "ok"
    NONE = "none"


def interview_due(
    received_on: date, *, urgent: bool, days: int = INTERVIEW_WORKING_DAYS, urgent_days: int = URGENT_INTERVIEW_WORKING_DAYS
) -> date:
    """Last day for the interview: 14 working days after the application, 2 when urgent (an office may set others)."""
    return add_working_days(received_on, urgent_days if urgent else days)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month (31 Aug + 6 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def update_due(last_completed_on: date | None) -> date | None:
    """When a permanent-help case needs an interview update: 6 months after the last completed interview."""
    if last_completed_on is None:
        return None
    return add_months(last_completed_on, UPDATE_EVERY_MONTHS)


def deadline_status(due: date | None, today: date) -> DeadlineStatus:
    """Overdue after the due day; "soon" when at most 3 working days remain."""
    if due is None:
        return DeadlineStatus.NONE
    if due < today:
        return DeadlineStatus.OVERDUE
    if working_days_between(today, due) <= SOON_WORKING_DAYS:
        return DeadlineStatus.SOON
    return DeadlineStatus.OK


def soon_limit(today: date) -> date:
    """The last day counted as "due soon" from today (3 working days ahead)."""
    return add_working_days(today, SOON_WORKING_DAYS)
