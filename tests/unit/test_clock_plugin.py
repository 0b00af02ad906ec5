"""tests/clock.py pins what "today" is: the fixed days are what they claim, and a marked test really runs on them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.clock import LOCAL_TZ, local_today
from app.workdays import is_working_day
from tests.clock import ENV, FIXED_DAYS, pinned_moment


def test_fixed_days_are_the_days_that_break_calendars() -> None:
    """A 1st of a month, 23–27 December with the 24th a holiday, a DST change, 31 December."""
    assert FIXED_DAYS["first-of-month"].day == 1
    assert [FIXED_DAYS[f"dec-{d}"].date().isoformat() for d in range(23, 28)] == [
        f"2026-12-{d}" for d in range(23, 28)
    ]
    assert not is_working_day(FIXED_DAYS["dec-24"].date())
    day = FIXED_DAYS["dst-change"].date()
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ)
    assert midnight.utcoffset() != (midnight + timedelta(hours=12)).utcoffset()
    assert FIXED_DAYS["dec-31"].date().isoformat() == "2026-12-31"


@pytest.mark.dates
def test_a_marked_test_runs_on_a_fixed_day() -> None:
    """Inside a `dates` test the Polish today is one of the fixed days (or the day the whole run is pinned to)."""
    pinned = pinned_moment()
    expected = {pinned.date()} if pinned else {moment.date() for moment in FIXED_DAYS.values()}
    assert local_today() in expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("dec-24", FIXED_DAYS["dec-24"]),
        ("2026-12-24", datetime(2026, 12, 24, 10, 15, tzinfo=LOCAL_TZ)),
        ("2027-01-01T00:30", datetime(2027, 1, 1, 0, 30, tzinfo=LOCAL_TZ)),
    ],
)
def test_the_run_can_be_pinned_by_name_day_or_local_time(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: datetime
) -> None:
    """TELEWYWIAD_TEST_TODAY accepts a fixed day's name, a day (10:15 in Warsaw) or a local time."""
    monkeypatch.setenv(ENV, raw)
    assert pinned_moment() == expected
