"""The kinds of per-office settings: what an administrator may type, and the Polish message for anything else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from app.officeconfig import registry
from app.officeconfig.registry import SettingError


@pytest.mark.parametrize(("text", "expected"), [("14", 14), (" 2 ", 2), ("0", 0)])
def test_whole_numbers_in_range_are_taken(text: str, expected: int) -> None:
    """Digits (spaces around are fine) within the bounds."""
    assert registry._whole_number(text, 0, 60) == expected


@pytest.mark.parametrize("text", ["czternaście", "1.5", "²", "٣", "9" * 5000, "", "61", "-1"])
def test_anything_else_is_a_message_never_a_crash(text: str) -> None:
    """Words, decimals, superscript or Arabic-Indic digits, thousands of digits, out of range: a SettingError."""
    with pytest.raises(SettingError):
        registry._whole_number(text, 0, 60)


def test_clock_times_and_years_and_addresses() -> None:
    """16:00 or 16.00; years > 0 with a decimal comma; addresses by comma, semicolon or line, duplicates once."""
    assert registry._clock("16.30") == dt.time(16, 30)
    assert registry._years("2,5") == 2.5
    assert registry._emails("a@example.pl; b@example.pl\na@example.pl") == ("a@example.pl", "b@example.pl")
    for bad in ("25:00", "16", "1:2:3", "9" * 5000 + ":00"):
        with pytest.raises(SettingError):
            registry._clock(bad)
    for bad in ("0", "-1", "nan", "1e400", "dziesięć"):
        with pytest.raises(SettingError):
            registry._years(bad)
    with pytest.raises(SettingError, match="zły: "):
        registry._emails("dobry@example.pl, zły")


@pytest.fixture
def scratch_group() -> Iterator[str]:
    """A group (and its settings) that exists only during the test, so no settings page ever shows it."""
    yield "test_group"
    for key in [k for k, d in registry._DEFINITIONS.items() if d.group == "test_group"]:
        del registry._DEFINITIONS[key]
    registry._GROUPS.pop("test_group", None)


def test_a_key_cannot_be_defined_twice_or_in_an_unknown_group(scratch_group: str) -> None:
    """Features extend the registry; a clash is a programming error found at import."""
    registry.define_group(scratch_group, "Test", order=99)
    registry.integer("test_group.number", group="test_group", label="n", minimum=0, maximum=1, default=lambda: 0)
    with pytest.raises(ValueError, match="defined twice"):
        registry.integer("test_group.number", group="test_group", label="n", minimum=0, maximum=1, default=lambda: 0)
    with pytest.raises(ValueError, match="unknown group"):
        registry.integer("nowhere.number", group="nowhere", label="n", minimum=0, maximum=1, default=lambda: 0)
