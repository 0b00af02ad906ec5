"""Target times in working days: weekends and Polish public holidays do not count."""

from __future__ import annotations

import datetime as dt

import pytest

from app.clock import LOCAL_TZ
from app.referrals.deadlines import due_at
from app.workdays import is_working_day

END = dt.time(16, 0)


def _local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("sent", "days", "expected"),
    [
        (_local(2026, 3, 10, 9, 0), 0, _local(2026, 3, 10, 16, 0)),  # Tuesday morning: the same day
        (_local(2026, 3, 10, 17, 0), 0, _local(2026, 3, 11, 16, 0)),  # after hours: next working day
        (_local(2026, 3, 13, 10, 0), 1, _local(2026, 3, 16, 16, 0)),  # Friday + 1 = Monday
        (_local(2026, 3, 14, 10, 0), 0, _local(2026, 3, 16, 16, 0)),  # Saturday counts from Monday
        (_local(2026, 3, 11, 10, 0), 3, _local(2026, 3, 16, 16, 0)),  # Wednesday + 3 over a weekend
        (_local(2025, 12, 23, 10, 0), 1, _local(2025, 12, 29, 16, 0)),  # 24-26 Dec are holidays (24th since 2025)
        (_local(2026, 4, 3, 10, 0), 1, _local(2026, 4, 7, 16, 0)),  # Easter Monday 2026-04-06
    ],
)
def test_due_time_counts_working_days(sent: dt.datetime, days: int, expected: dt.datetime) -> None:
    """The target is the end of the Nth working day after the sending day, returned in UTC."""
    result = due_at(sent.astimezone(dt.UTC), days, END)
    assert result.tzinfo is not None
    assert result == expected


def test_polish_holidays_are_not_working_days() -> None:
    """3 May and 11 November are days off even on weekdays."""
    assert not is_working_day(dt.date(2027, 5, 3))
    assert not is_working_day(dt.date(2026, 11, 11))
    assert is_working_day(dt.date(2026, 11, 12))
