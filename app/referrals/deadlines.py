"""Target times of referrals in working days (weekends and Polish public holidays excluded)."""

from __future__ import annotations

import datetime as dt
import functools

import holidays

from app.clock import LOCAL_TZ, to_local


@functools.cache
def _polish_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("PL", years=[year])


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a Polish public holiday."""
    return day.weekday() < 5 and day not in _polish_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after `day`."""
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def due_at(sent_at: dt.datetime, working_days: int, workday_end: dt.time) -> dt.datetime:
    """End of the working day `working_days` after the day the referral was sent (0 = that same day), in UTC.

    A referral sent on a day off or after the end of the working day counts from the next working day.
    """
    local = to_local(sent_at)
    day = local.date()
    if not is_working_day(day) or local.time() >= workday_end:
        day = next_working_day(day)
    for _ in range(working_days):
        day = next_working_day(day)
    return dt.datetime.combine(day, workday_end, tzinfo=LOCAL_TZ).astimezone(dt.UTC)
