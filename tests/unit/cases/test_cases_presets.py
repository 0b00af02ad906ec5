"""Call-back presets resolve in the office's time zone over Polish working days, weekends, holidays and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.cases.presets import Preset, available, parse_preset, resolve

WARSAW = ZoneInfo("Europe/Warsaw")


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)  # type: ignore[misc]


def _resolved(preset: Preset, now: datetime) -> datetime:
    result = resolve(preset, now, WARSAW)
    assert result.tzinfo is UTC
    return result.astimezone(WARSAW)


def test_midweek_morning_offers_every_preset() -> None:
    """On a Wednesday at 10:00 all five presets are ahead; "next day" is literally tomorrow."""
    now = _local(2026, 11, 18, 10, 0)
    choices = available(now, WARSAW)
    assert [c.preset for c in choices] == list(Preset)
    assert {c.preset: c.at.astimezone(WARSAW) for c in choices} == {
        Preset.IN_AN_HOUR: _local(2026, 11, 18, 11, 0),
        Preset.TODAY_AFTERNOON: _local(2026, 11, 18, 16, 0),
        Preset.NEXT_DAY_MORNING: _local(2026, 11, 19, 9, 0),
        Preset.NEXT_DAY_AFTERNOON: _local(2026, 11, 19, 16, 0),
        Preset.TWO_WORKING_DAYS: _local(2026, 11, 20, 9, 0),
    }
    assert all(c.tomorrow for c in choices if c.preset in (Preset.NEXT_DAY_MORNING, Preset.NEXT_DAY_AFTERNOON))


def test_nine_in_warsaw_is_stored_as_utc() -> None:
    """9:00 in winter (CET) is 8:00 UTC; in summer (CEST) 7:00 UTC."""
    assert resolve(Preset.NEXT_DAY_MORNING, _local(2026, 11, 18, 10, 0), WARSAW) == datetime(2026, 11, 19, 8, 0, tzinfo=UTC)
    assert resolve(Preset.NEXT_DAY_MORNING, _local(2026, 6, 17, 10, 0), WARSAW) == datetime(2026, 6, 18, 7, 0, tzinfo=UTC)


def test_in_an_hour_rounds_up_to_five_minutes() -> None:
    """10:03:20 → 11:05; an exact 10:05 → 11:05."""
    assert _resolved(Preset.IN_AN_HOUR, _local(2026, 11, 18, 10, 3, 20)) == _local(2026, 11, 18, 11, 5)
    assert _resolved(Preset.IN_AN_HOUR, _local(2026, 11, 18, 10, 5)) == _local(2026, 11, 18, 11, 5)


def test_today_afternoon_is_offered_only_while_ahead() -> None:
    """At 15:59 "today 16:00" is offered; at 16:00 and later it is not."""
    assert Preset.TODAY_AFTERNOON in {c.preset for c in available(_local(2026, 11, 18, 15, 59), WARSAW)}
    for late in (_local(2026, 11, 18, 16, 0), _local(2026, 11, 18, 18, 30)):
        assert Preset.TODAY_AFTERNOON not in {c.preset for c in available(late, WARSAW)}


def test_friday_evening_skips_the_weekend() -> None:
    """On Friday at 17:30 the next working day is Monday (not labelled "tomorrow"), two working days Tuesday."""
    now = _local(2026, 11, 20, 17, 30)
    choices = {c.preset: c for c in available(now, WARSAW)}
    assert Preset.TODAY_AFTERNOON not in choices
    assert choices[Preset.NEXT_DAY_MORNING].at.astimezone(WARSAW) == _local(2026, 11, 23, 9, 0)
    assert not choices[Preset.NEXT_DAY_MORNING].tomorrow
    assert choices[Preset.NEXT_DAY_AFTERNOON].at.astimezone(WARSAW) == _local(2026, 11, 23, 16, 0)
    assert choices[Preset.TWO_WORKING_DAYS].at.astimezone(WARSAW) == _local(2026, 11, 24, 9, 0)


def test_saturday_counts_from_monday() -> None:
    """Logged on a Saturday: next working day Monday, two working days Tuesday."""
    now = _local(2026, 11, 21, 11, 0)
    assert _resolved(Preset.NEXT_DAY_MORNING, now) == _local(2026, 11, 23, 9, 0)
    assert _resolved(Preset.TWO_WORKING_DAYS, now) == _local(2026, 11, 24, 9, 0)


@pytest.mark.parametrize(
    ("now", "next_day", "two_days"),
    [
        # 11 November (Independence Day) falls on a Wednesday in 2026.
        (_local(2026, 11, 10, 12, 0), _local(2026, 11, 12, 9, 0), _local(2026, 11, 13, 9, 0)),
        # 24 (a holiday since 2025) and 25 December, then the weekend: from the 23rd the next working day is the 28th.
        (_local(2026, 12, 23, 14, 0), _local(2026, 12, 28, 9, 0), _local(2026, 12, 29, 9, 0)),
        # Easter Monday 6 April 2026: from Friday 3 April the next working day is Tuesday.
        (_local(2026, 4, 3, 9, 30), _local(2026, 4, 7, 9, 0), _local(2026, 4, 8, 9, 0)),
    ],
)
def test_public_holidays_are_skipped(now: datetime, next_day: datetime, two_days: datetime) -> None:
    """The working-day presets use the Polish public holidays of `deadlines`."""
    assert _resolved(Preset.NEXT_DAY_MORNING, now) == next_day
    assert _resolved(Preset.TWO_WORKING_DAYS, now) == two_days


def test_late_in_the_evening_an_hour_crosses_midnight() -> None:
    """At 23:40 "in an hour" is 0:40 the next day, and "next day 9:00" is that same next day, still "tomorrow"."""
    now = _local(2026, 11, 19, 23, 40)
    choices = {c.preset: c for c in available(now, WARSAW)}
    assert choices[Preset.IN_AN_HOUR].at.astimezone(WARSAW) == _local(2026, 11, 20, 0, 40)
    assert choices[Preset.NEXT_DAY_MORNING].at.astimezone(WARSAW) == _local(2026, 11, 20, 9, 0)
    assert choices[Preset.NEXT_DAY_MORNING].tomorrow
    assert Preset.TODAY_AFTERNOON not in choices


def test_in_an_hour_is_a_real_hour_across_the_spring_clock_change() -> None:
    """At 1:30 CET on 29 March 2026 the clocks jump to 3:00: an hour later is 3:30 CEST, 60 real minutes on."""
    now = _local(2026, 3, 29, 1, 30)
    later = resolve(Preset.IN_AN_HOUR, now, WARSAW)
    assert later - now.astimezone(UTC) == timedelta(hours=1)
    assert later.astimezone(WARSAW).strftime("%H:%M %Z") == "03:30 CEST"


def test_the_office_time_zone_is_used() -> None:
    """An office configured for another zone gets 9:00 on its own clock."""
    london = ZoneInfo("Europe/London")
    now = datetime(2026, 11, 18, 10, 0, tzinfo=london)
    assert resolve(Preset.NEXT_DAY_MORNING, now, london) == datetime(2026, 11, 19, 9, 0, tzinfo=UTC)


def test_only_known_codes_parse() -> None:
    """A posted code must be one of the presets."""
    assert parse_preset("next_9") is Preset.NEXT_DAY_MORNING
    assert parse_preset("next_10") is None and parse_preset("") is None
