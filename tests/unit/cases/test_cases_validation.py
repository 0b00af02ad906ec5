"""Parsing of PESEL, phone numbers, e-mail and dates gives clean values or Polish messages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.fields import (
    FieldError,
    display_phone,
    parse_date,
    parse_email,
    parse_local_datetime,
    parse_pesel,
    parse_phone,
    phone_search_key,
)


@pytest.mark.parametrize("raw", ["601 234 567", "+48 601-234-567", "0048601234567", "601234567"])
def test_polish_mobile_numbers_normalise_to_e164(raw: str) -> None:
    """However a Polish number is typed, it is stored as +48 and nine digits."""
    assert parse_phone(raw) == "+48601234567"


def test_landline_and_foreign_numbers_are_accepted() -> None:
    """Landlines with the area code and numbers given with a country code are valid."""
    assert parse_phone("65 540 25 25") == "+48655402525"
    assert parse_phone("+49 30 1234567") == "+49301234567"


@pytest.mark.parametrize(("raw", "fragment"), [("12345", "Nieprawidłowy numer"), ("abc", "nie wygląda na numer")])
def test_invalid_phone_numbers_explain_the_problem(raw: str, fragment: str) -> None:
    """Too short or non-numeric input is refused with a Polish explanation."""
    with pytest.raises(FieldError, match=fragment):
        parse_phone(raw)


def test_blank_optional_values_are_none_or_empty() -> None:
    """Blank PESEL, phone and e-mail are simply absent."""
    assert parse_pesel("  ") is None
    assert parse_phone("") is None
    assert parse_email(" ") == ""


def test_valid_pesel_is_kept_without_spaces() -> None:
    """A correct PESEL passes; spaces typed in it are dropped."""
    assert parse_pesel("4405 1401 359") == "44051401359"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("4405140135", "11 cyfr"),
        ("44051401358", "cyfrę kontrolną"),
        ("44053201353", "nieistniejącą datę"),
        ("4405140135x", "11 cyfr"),
    ],
)
def test_invalid_pesel_messages(raw: str, fragment: str) -> None:
    """Wrong length, wrong check digit and impossible birth dates each get their own message."""
    with pytest.raises(FieldError, match=fragment):
        parse_pesel(raw)


def test_email_needs_an_at_and_a_domain() -> None:
    """A plausible address passes; one without a domain does not."""
    assert parse_email("jan.kowalski@example.pl") == "jan.kowalski@example.pl"
    with pytest.raises(FieldError, match="adres e-mail"):
        parse_email("jan.kowalski@")


def test_dates_in_iso_or_polish_form_not_in_the_future() -> None:
    """2026-04-07 and 07.04.2026 both parse; tomorrow and nonsense are refused."""
    today = date(2026, 11, 20)
    assert parse_date("2026-04-07", today=today) == date(2026, 4, 7)
    assert parse_date("07.04.2026", today=today) == date(2026, 4, 7)
    with pytest.raises(FieldError, match="późniejsza niż dzisiaj"):
        parse_date("2026-11-21", today=today)
    with pytest.raises(FieldError, match="dd.mm.rrrr"):
        parse_date("31.02.2026", today=today)


def test_local_datetime_is_converted_from_warsaw_time_to_utc() -> None:
    """14:30 in Warsaw in winter is 13:30 UTC, in summer 12:30 UTC."""
    assert parse_local_datetime("2026-12-01T14:30") == datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
    assert parse_local_datetime("01.07.2026 14:30") == datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
    with pytest.raises(FieldError, match="Nieprawidłowy termin"):
        parse_local_datetime("jutro rano")


def test_display_and_search_keys() -> None:
    """Polish numbers display in national form; a full number typed in search becomes its E.164 key."""
    assert display_phone("+48601234567") == "601 234 567"
    assert display_phone("+49301234567").startswith("+49")
    assert phone_search_key("601 234 567") == "+48601234567"
    assert phone_search_key("601") is None
