"""A period of days chosen on a page (from–to, Polish dates accepted), with its UTC bounds for timestamp columns."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from app.clock import LOCAL_TZ
from app.dates import day_text
from app.fields import FieldError, parse_day


class PeriodError(ValueError):
    """The period cannot be used; `errors` maps "from"/"to" to Polish messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included, in Polish local time."""

    start: date
    end: date

    @property
    def utc_start(self) -> datetime:
        """The first instant of the period (local midnight) in UTC."""
        return datetime.combine(self.start, time.min, LOCAL_TZ).astimezone(UTC)

    @property
    def utc_end(self) -> datetime:
        """The first instant after the period in UTC (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, LOCAL_TZ).astimezone(UTC)

    def query(self) -> dict[str, str]:
        """The period as query-string values (links to CSV downloads keep it)."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def month_of(day: date) -> Period:
    """The calendar month of `day`, up to the month's last day."""
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def presets(today: date) -> list[tuple[str, Period]]:
    """Quick choices: this month, last month, this year, the last 12 months."""
    first = today.replace(day=1)
    previous = month_of(first - timedelta(days=1))
    year_ago = (first.replace(year=first.year - 1) + timedelta(days=31)).replace(day=1)
    return [
        (str(_l("ten miesiąc")), month_of(today)),
        (str(_l("poprzedni miesiąc")), previous),
        (str(_l("ten rok")), Period(date(today.year, 1, 1), date(today.year, 12, 31))),
        (str(_l("ostatnie 12 miesięcy")), Period(year_ago, month_of(today).end)),
    ]


def parse_period(raw_from: str, raw_to: str, *, today: date) -> Period:
    """The typed period (2026-03-01 or 01.03.2026); this month when both are blank; PeriodError naming each problem."""
    if not raw_from.strip() and not raw_to.strip():
        return month_of(today)
    errors: dict[str, str] = {}
    start = end = None
    try:
        start = parse_day(raw_from, missing=str(_l("Podaj pierwszy dzień okresu.")))
    except FieldError as exc:
        errors["from"] = exc.message
    try:
        end = parse_day(raw_to, missing=str(_l("Podaj ostatni dzień okresu.")))
    except FieldError as exc:
        errors["to"] = exc.message
    if start is not None and end is not None and end < start:
        errors["to"] = str(_l("Koniec okresu (%(end)s) jest przed jego początkiem (%(start)s). Popraw jedną z dat.",
                              end=day_text(end), start=day_text(start)))
    if start is not None and start > today:
        errors["from"] = str(_l("Okres zaczyna się w przyszłości — nie ma jeszcze danych."))
    if errors or start is None or end is None:
        raise PeriodError(errors)
    return Period(start, end)
