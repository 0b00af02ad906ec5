"""Statutory deadlines in working days: Polish public holidays and weekends are skipped (pure functions)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

import holidays

INTERVIEW_WORKING_DAYS = 14
URGENT_INTERVIEW_WORKING_DAYS = 2
UPDATE_EVERY_MONTHS = 6
SOON_WORKING_DAYS = 3
# Christmas Eve is a public holiday from 2025 on (act of 6 December 2024); older `holidays` releases lack it.
CHRISTMAS_EVE_FROM = 2025


class DeadlineStatus(StrEnum):
    """How close a deadline is, as shown on lists."""

    OVERDUE = "overdue"
    SOON = "soon"
    OK = "ok"
    NONE = "none"


@cache
def _holidays_of(year: int) -> frozenset[date]:
    days = set(holidays.Poland(years=year).keys())
    if year >= CHRISTMAS_EVE_FROM:
        # Added explicitly so the rule holds whatever `holidays` version is installed.
        days.add(date(year, 12, 24))
    return frozenset(days)


def is_public_holiday(day: date) -> bool:
    """True on a Polish statutory public holiday (Sundays that are holidays included)."""
    return day in _holidays_of(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and not is_public_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the start day itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


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
