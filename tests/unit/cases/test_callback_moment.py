"""One reading of a call-back time for both forms that book one: logging a call and planning the next try."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.cases.callbacks import callback_moment

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=WARSAW)  # a Wednesday


def test_a_tapped_preset_resolves_and_shows_the_time_it_meant() -> None:
    moment = callback_moment("next_9", "", NOW, WARSAW)
    assert moment.at == datetime(2026, 11, 19, 8, 0, tzinfo=UTC)
    assert moment.shown == "2026-11-19T09:00" and not moment.error


def test_a_typed_time_is_read_and_kept_as_typed() -> None:
    moment = callback_moment("", "2026-11-20T14:30", NOW, WARSAW)
    assert moment.at == datetime(2026, 11, 20, 13, 30, tzinfo=UTC)
    assert moment.shown == "2026-11-20T14:30" and not moment.error


def test_an_unknown_preset_is_refused_and_the_typed_value_stays() -> None:
    moment = callback_moment("in_5_years", "2026-11-20T14:30", NOW, WARSAW)
    assert moment.at is None and "Nieznany szybki termin" in moment.error
    assert moment.shown == "2026-11-20T14:30"


def test_an_unreadable_time_is_refused_as_typed() -> None:
    moment = callback_moment("", "jutro rano", NOW, WARSAW)
    assert moment.at is None and moment.error and moment.shown == "jutro rano"


def test_a_preset_already_past_is_refused_but_shows_the_time_it_meant() -> None:
    late = datetime(2026, 11, 18, 16, 30, tzinfo=WARSAW)
    moment = callback_moment("today_16", "", late, WARSAW)
    assert moment.at is None and "Termin telefonu minął" in moment.error and moment.shown == "2026-11-18T16:00"


def test_a_few_minutes_past_is_accepted_more_is_not() -> None:
    assert callback_moment("", "2026-11-18T09:55", NOW, WARSAW).at is not None
    assert callback_moment("", "2026-11-18T09:45", NOW, WARSAW).error


def test_more_than_three_months_ahead_is_refused() -> None:
    assert callback_moment("", "2027-02-17T10:00", NOW, WARSAW).at is not None
    assert "zbyt odległy" in callback_moment("", "2027-02-19T10:00", NOW, WARSAW).error
