"""One date format per language (issue 15, point 8): Polish dd.mm.rrrr, English d MMM yyyy."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.dates import day_text, moment_text


def test_polish_days_always_have_two_digits() -> None:
    """Never "2.12.2026" beside "02.12.2026"."""
    assert day_text(date(2026, 12, 2), "pl") == "02.12.2026"
    assert day_text(date(2027, 2, 1), "pl") == "01.02.2027"


def test_english_days_are_not_us_style() -> None:
    """Not 11/30/26."""
    assert day_text(date(2026, 11, 30), "en") == "30 Nov 2026"


def test_moments_are_shown_in_polish_local_time() -> None:
    """A stored UTC timestamp late in the evening is already the next day in Warsaw."""
    stored = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert moment_text(stored, "pl") == "02.12.2026, 00:30"
    assert moment_text(stored, "en") == "2 Dec 2026, 00:30"
    assert day_text(stored, "pl") == "02.12.2026"


def test_unknown_language_falls_back_to_polish() -> None:
    assert day_text(date(2026, 12, 2), "de") == "02.12.2026"
