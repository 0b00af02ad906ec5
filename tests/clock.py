"""Pinned clocks, so a calendar day can never turn the suite red (registered in tests/conftest.py).

- Tests whose outcome depends on the calendar carry `@pytest.mark.dates`: each runs once per fixed day below
  (the 1st of a month, 23–27 December — 24 December is a public holiday since 2025 —, a DST change, 31 December),
  with the clock pinned by time-machine (it keeps ticking from there). They use no real "today" at all.
- `TELEWYWIAD_TEST_TODAY` pins the whole run: a day (`2026-12-24`, 10:15 in Warsaw), a local time
  (`2026-12-24T23:50`), or a name below (`dec-24`). Marked tests then run once, at that moment. Browser tests
  are skipped in such a run: their server is another process, which time-machine cannot reach.

    TELEWYWIAD_TEST_TODAY=dec-24 .venv/bin/pytest -m "not browser"
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, time

import pytest
import time_machine

from app.clock import LOCAL_TZ

ENV = "TELEWYWIAD_TEST_TODAY"
AT = time(10, 15)  # a working-day morning: before the 16:00 referral cut-off, far from midnight


def _at(year: int, month: int, day: int) -> datetime:
    return datetime.combine(datetime(year, month, day).date(), AT, tzinfo=LOCAL_TZ)


FIXED_DAYS: dict[str, datetime] = {
    "first-of-month": _at(2027, 2, 1),  # a Monday; day and month below 10 (Babel writes 1.02.2027)
    "dec-23": _at(2026, 12, 23),  # Wednesday before Christmas: two working days reach into 28 December
    "dec-24": _at(2026, 12, 24),  # Christmas Eve, a public holiday since 2025
    "dec-25": _at(2026, 12, 25),
    "dec-26": _at(2026, 12, 26),
    "dec-27": _at(2026, 12, 27),  # a Sunday after the holidays
    "dst-change": _at(2027, 3, 28),  # clocks go forward: a 23-hour day
    "dec-31": _at(2026, 12, 31),  # the year ends; references and deadlines cross into 2027
}

_PINNED = pytest.StashKey[time_machine.travel]()


def pinned_moment() -> datetime | None:
    """The moment TELEWYWIAD_TEST_TODAY pins the whole run to, if it is set."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    if raw in FIXED_DAYS:
        return FIXED_DAYS[raw]
    parsed = datetime.fromisoformat(raw)
    if len(raw) == 10:  # a bare day
        parsed = datetime.combine(parsed.date(), AT)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and, with TELEWYWIAD_TEST_TODAY, pin the clock for the whole run."""
    config.addinivalue_line(
        "markers", "dates: the outcome depends on the calendar; runs at each of tests/clock.py's FIXED_DAYS"
    )
    moment = pinned_moment()
    if moment is not None:
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        config.stash[_PINNED] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give the real clock back."""
    traveller = config.stash.get(_PINNED, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str:
    """Say which clock the run uses."""
    moment = pinned_moment()
    if moment is None:
        return f"telewywiad clock: real; @pytest.mark.dates tests run at {', '.join(FIXED_DAYS)}"
    return f"telewywiad clock: pinned to {moment.isoformat()} ({ENV}); browser tests skipped"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Marked tests run once per fixed day (unless the whole run is pinned to one)."""
    if metafunc.definition.get_closest_marker("dates") and pinned_moment() is None:
        metafunc.parametrize("clock", list(FIXED_DAYS.values()), ids=list(FIXED_DAYS), indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In a pinned run, skip browser tests: the server process keeps the real clock."""
    if pinned_moment() is None:
        return
    skip = pytest.mark.skip(reason=f"{ENV}: the browser tests' server process cannot be pinned")
    for item in items:
        if "/browser/" in str(item.path):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def clock(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller | None]:
    """For `dates` tests: the clock pinned to the day of this run (first of every fixture, so data is made then)."""
    moment: datetime | None = getattr(request, "param", None)
    if moment is None:
        yield None
        return
    with time_machine.travel(moment, tick=True) as traveller:
        yield traveller
