"""SQL expressions the figures need that SQLite and PostgreSQL spell differently: a timestamp's Polish date, hours.

Timestamps are stored in UTC (timestamptz on PostgreSQL, ISO text on SQLite). PostgreSQL converts with the zone
database; SQLite has none, so the offset is chosen with a CASE over the EU summer-time windows of the years asked
for (Poland has followed the EU rule since 1996; a unit test checks the windows against zoneinfo).
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Date, Float, and_, case, cast, extract, func, literal
from sqlalchemy.sql.elements import ColumnElement

ZONE = "Europe/Warsaw"


def _last_sunday(year: int, month: int) -> int:
    last = calendar.monthrange(year, month)[1]
    return last - (calendar.weekday(year, month, last) + 1) % 7


def summer_time(year: int) -> tuple[datetime, datetime]:
    """The UTC instants summer time starts and ends in `year` (last Sunday of March / October, 01:00 UTC)."""
    start = datetime(year, 3, _last_sunday(year, 3), 1, tzinfo=UTC)
    end = datetime(year, 10, _last_sunday(year, 10), 1, tzinfo=UTC)
    return start, end


def local_date(column: ColumnElement[datetime], dialect: str, years: range) -> ColumnElement[object]:
    """The Polish calendar date of a UTC timestamp column (years: those the timestamps may fall in)."""
    if dialect == "postgresql":
        return cast(func.timezone(ZONE, column), Date)
    whens = [(and_(column >= start, column < end), literal("+2 hours")) for start, end in map(summer_time, years)]
    offset = case(*whens, else_=literal("+1 hours")) if whens else literal("+1 hours")
    return func.date(column, offset)


def hours_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """Hours from `earlier` to `later`, as a float."""
    if dialect == "postgresql":
        return cast(extract("epoch", later - earlier), Float) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def years_until(first: datetime, now: datetime) -> range:
    """Every year a timestamp between `first` and `now` (plus a day of slack each side) may fall in."""
    return range((first - timedelta(days=1)).year, (now + timedelta(days=1)).year + 1)
