"""The one working-day calendar (app.workdays): 24 December, the turn of the year, both counting directions."""

from __future__ import annotations

from datetime import date

import pytest

from app.workdays import (
    add_working_days,
    is_public_holiday,
    is_working_day,
    next_working_day,
    working_days_between,
)


@pytest.mark.parametrize("year", [2025, 2026, 2030])
def test_christmas_eve_is_a_day_off_from_2025(year: int) -> None:
    assert is_public_holiday(date(year, 12, 24))
    assert not is_working_day(date(year, 12, 24))


def test_counting_runs_over_the_turn_of_the_year() -> None:
    # Wed 23.12.2026 -> Thu 24 (holiday), Fri 25, Sat, Sun, Mon 28 is the next working day.
    assert next_working_day(date(2026, 12, 23)) == date(2026, 12, 28)
    # 31.12.2026 (Thu) + 1: Fri 1 January is a holiday, so Monday 4 January 2027.
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert working_days_between(date(2026, 12, 23), date(2027, 1, 4)) == 5  # 28-31 December, 4 January


def test_adding_and_counting_agree_both_ways() -> None:
    start = date(2026, 4, 2)
    for n in range(0, 30):
        end = add_working_days(start, n)
        assert working_days_between(start, end) == n
        assert working_days_between(end, start) == -n
