"""One-tap call-back times ("za godzinę", "jutro 9:00", ...) resolved in the office's time zone (pure functions).

The form posts a preset's code, never a time: the server resolves it when the outcome is saved, so a page left
open for a while still books what the button says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from app.workdays import add_working_days

MORNING = time(9, 0)
AFTERNOON = time(16, 0)
ROUND_TO_MINUTES = 5


class Preset(StrEnum):
    """The call-back presets, in the order they are offered."""

    IN_AN_HOUR = "in_1h"
    TODAY_AFTERNOON = "today_16"
    NEXT_DAY_MORNING = "next_9"
    NEXT_DAY_AFTERNOON = "next_16"
    TWO_WORKING_DAYS = "two_days"


@dataclass(frozen=True)
class Choice:
    """A preset as offered now: its code, when it resolves to (aware UTC) and the local day it falls on."""

    preset: Preset
    at: datetime
    day: date
    tomorrow: bool  # the day is literally tomorrow (labelled "jutro"; otherwise by the day's name)


def _round_up(value: datetime, minutes: int) -> datetime:
    value = value.replace(second=0, microsecond=0) + (timedelta(minutes=1) if value.second or value.microsecond else timedelta())
    return value + timedelta(minutes=(minutes - value.minute % minutes) % minutes)


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def parse_preset(raw: str) -> Preset | None:
    """The preset named by a posted code, or None when it is not one."""
    return Preset(raw) if raw in {p.value for p in Preset} else None


def resolve(preset: Preset, now: datetime, tz: tzinfo) -> datetime:
    """When the preset falls, seen from `now` (aware), as aware UTC; days counted in the office's zone `tz`."""
    local_now = now.astimezone(tz)
    today = local_now.date()
    if preset is Preset.IN_AN_HOUR:
        # Added in UTC so the hour is a real hour across a DST change, then rounded on the local clock.
        return _round_up((now.astimezone(UTC) + timedelta(hours=1)).astimezone(tz), ROUND_TO_MINUTES).astimezone(UTC)
    if preset is Preset.TODAY_AFTERNOON:
        return _at(today, AFTERNOON, tz)
    next_working = add_working_days(today, 1)
    if preset is Preset.NEXT_DAY_MORNING:
        return _at(next_working, MORNING, tz)
    if preset is Preset.NEXT_DAY_AFTERNOON:
        return _at(next_working, AFTERNOON, tz)
    return _at(add_working_days(today, 2), MORNING, tz)


def available(now: datetime, tz: tzinfo) -> list[Choice]:
    """The presets worth offering now: "today 16:00" only while 16:00 is still ahead."""
    today = now.astimezone(tz).date()
    choices: list[Choice] = []
    for preset in Preset:
        at = resolve(preset, now, tz)
        if at <= now:
            continue
        day = at.astimezone(tz).date()
        choices.append(Choice(preset=preset, at=at, day=day, tomorrow=day == today + timedelta(days=1)))
    return choices
