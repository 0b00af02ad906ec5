"""Working-day arithmetic over Polish public holidays and weekends; update due six months on."""

from __future__ import annotations

from datetime import date

import pytest

from app.cases import deadlines
from app.cases.deadlines import DeadlineStatus
from app.workdays import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),
        date(2025, 12, 24),  # Christmas Eve, a public holiday since 2025
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 11, 11),
        date(2027, 1, 6),
    ],
)
def test_public_holidays_are_not_working_days(day: date) -> None:
    """Statutory holidays falling on weekdays are skipped."""
    assert day.weekday() < 5
    assert not is_working_day(day)


def test_christmas_eve_before_2025_was_a_working_day() -> None:
    """24 December 2024 (a Tuesday) was an ordinary working day: the holiday starts in 2025."""
    assert is_working_day(date(2024, 12, 24))


def test_weekends_are_not_working_days() -> None:
    """Saturday and Sunday never count."""
    assert not is_working_day(date(2026, 11, 21))
    assert not is_working_day(date(2026, 11, 22))
    assert is_working_day(date(2026, 11, 23))


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Thursday 2 April 2026 + 2: Fri 3 April, then Easter Monday 6 April is skipped → Tue 7 April.
        (date(2026, 4, 2), 2, date(2026, 4, 7)),
        # 14 working days from Wed 1 April 2026 across Easter: 2,3,7,8,9,10,13,14,15,16,17,20,21,22.
        (date(2026, 4, 1), 14, date(2026, 4, 22)),
        # Thu 30 April 2026 + 2: 1 May (Fri) is a holiday, 3 May is Sunday → Mon 4, Tue 5 May.
        (date(2026, 4, 30), 2, date(2026, 5, 5)),
        # Mon 3 May 2027 is a holiday on a weekday: Fri 30 April + 1 → Tue 4 May.
        (date(2027, 4, 30), 1, date(2027, 5, 4)),
        # Tue 10 November 2026 + 1 skips Independence Day (Wed 11) → Thu 12.
        (date(2026, 11, 10), 1, date(2026, 11, 12)),
        # Wed 23 December 2026 + 1: 24 (Thu), 25 (Fri), 26-27 (weekend) → Mon 28 December.
        (date(2026, 12, 23), 1, date(2026, 12, 28)),
        # Friday + 1 → Monday.
        (date(2026, 11, 20), 1, date(2026, 11, 23)),
        # A start on a Saturday counts from Monday.
        (date(2026, 11, 21), 1, date(2026, 11, 23)),
        (date(2026, 11, 20), 0, date(2026, 11, 20)),
    ],
)
def test_add_working_days(start: date, days: int, expected: date) -> None:
    """The n-th working day after the start day skips weekends and holidays."""
    assert add_working_days(start, days) == expected


def test_interview_due_14_working_days_or_2_when_urgent() -> None:
    """Urgent cases are due within 2 working days, others within 14 (here across Christmas 2026)."""
    received = date(2026, 12, 18)  # Friday
    assert deadlines.interview_due(received, urgent=True) == date(2026, 12, 22)
    # 21,22,23,28,29,30,31 Dec, (1 Jan holiday), 4,5,(6 Jan holiday),7,8,11,12,13 Jan.
    assert deadlines.interview_due(received, urgent=False) == date(2027, 1, 13)


def test_working_days_between_is_the_inverse_of_adding() -> None:
    """Counting the days between a start and the n-th working day after it gives n back."""
    start = date(2026, 3, 30)
    for n in range(0, 30):
        assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(date(2026, 4, 7), date(2026, 4, 2)) == -2


def test_negative_working_days_are_refused() -> None:
    """Going back in time is not a deadline."""
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 2), -1)


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (date(2026, 1, 15), date(2026, 7, 15)),
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
        (date(2026, 9, 30), date(2027, 3, 30)),
    ],
)
def test_update_due_six_months_after_last_interview(last: date, expected: date) -> None:
    """The update is due six calendar months later, clamped to the end of a shorter month."""
    assert deadlines.update_due(last) == expected


def test_update_due_without_a_finished_interview_is_none() -> None:
    """No completed interview, no update deadline."""
    assert deadlines.update_due(None) is None


@pytest.mark.parametrize(
    ("due", "status"),
    [
        (None, DeadlineStatus.NONE),
        (date(2026, 11, 19), DeadlineStatus.OVERDUE),
        (date(2026, 11, 20), DeadlineStatus.SOON),  # due today
        (date(2026, 11, 25), DeadlineStatus.SOON),  # 3 working days on
        (date(2026, 11, 26), DeadlineStatus.OK),
    ],
)
def test_deadline_status(due: date | None, status: DeadlineStatus) -> None:
    """Overdue after the day, "soon" within three working days, else ok (seen on Friday 20 November 2026)."""
    assert deadlines.deadline_status(due, date(2026, 11, 20)) is status
