"""The one working-day calendar: case deadlines, referral target times, the rota, appointments and notices.

Built on the `holidays` package's own working-day methods for Poland: Saturdays, Sundays and public holidays
are days off, 24 December included from 2025 on (act of 6 December 2024).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays


@cache
def _poland() -> holidays.HolidayBase:
    # Years are filled in on first use (the package's `expand`), so any date can be asked about.
    return holidays.country_holidays("PL")


def is_public_holiday(day: dt.date) -> bool:
    """True on a Polish statutory public holiday (Sundays that are holidays included)."""
    return day in _poland()


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a public holiday."""
    return bool(_poland().is_working_day(day))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (the start day itself does not count; 0 gives `start`)."""
    if days < 0:
        raise ValueError("days must not be negative")
    return start if days == 0 else _poland().get_nth_working_day(start, days)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after `day`."""
    return add_working_days(day, 1)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start)
    return int(_poland().get_working_days_count(start, end)) - int(is_working_day(start))
