"""Target times of referrals in working days (app.workdays is the calendar)."""

from __future__ import annotations

import datetime as dt

from app.clock import LOCAL_TZ, to_local
from app.workdays import is_working_day, next_working_day


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
