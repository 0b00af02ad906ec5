"""Time in one place: aware UTC in the database (SQLModel's UTCDateTime), Europe/Warsaw on screen."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Warsaw")


def utcnow() -> datetime:
    """Current time, timezone-aware UTC: the form every timestamp column stores."""
    return datetime.now(UTC)


def to_local(value: datetime) -> datetime:
    """Convert a stored timestamp to Polish local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def local_now() -> datetime:
    """Current time in Poland (aware)."""
    return datetime.now(LOCAL_TZ)


def local_today() -> date:
    """Today's date in Poland (not the host's): what deadlines, "today" lists and form checks mean by today."""
    return local_now().date()
