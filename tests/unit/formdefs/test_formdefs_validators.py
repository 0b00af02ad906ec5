"""Validators: typed parsing per question type, bilingual errors, constraints, exact storage round trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import phonenumbers
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.formdefs.expr import parse
from app.formdefs.model import Choice, LocalText, Question
from app.formdefs.validators import StorageError, display, from_storage, to_storage, validate

L = LocalText("x", "x")


def q(qtype: str, **kwargs: Any) -> Question:
    return Question(id="q", type=qtype, label=L, section="s", **kwargs)


CHOICES = (Choice("food", L), Choice("cash", L), Choice("shopping", L))


@pytest.mark.parametrize(
    ("qtype", "raw", "expected"),
    [
        ("text", "  Jan Kowalski ", "Jan Kowalski"),
        ("longtext", "a\r\nb  ", "a\nb"),
        ("integer", " 1 234 ", 1234),
        ("money", "1 234,50", Decimal("1234.50")),
        ("money", "1234.5", Decimal("1234.50")),
        ("money", "1.234,50 zł", Decimal("1234.50")),
        ("money", "1,234.50", Decimal("1234.50")),
        ("money", "0", Decimal("0.00")),
        ("money", "2\u00a0500", Decimal("2500.00")),
        ("date", "2020-03-31", dt.date(2020, 3, 31)),
        ("date", "31.03.2020", dt.date(2020, 3, 31)),
        ("date", "1.4.2020", dt.date(2020, 4, 1)),
        ("time", "9:05", dt.time(9, 5)),
        ("datetime", "31.03.2020 14:30", dt.datetime(2020, 3, 31, 14, 30)),
        ("datetime", "2020-03-31T14:30:00", dt.datetime(2020, 3, 31, 14, 30)),
        ("yesno", "tak", True),
        ("yesno", "No", False),
        ("phone", "600 100 200", "+48600100200"),
        ("phone", "+48 58 673 00 00", "+48586730000"),
        ("phone", "800 70 2222", "+48800702222"),
        ("pesel", "44051401359", "44051401359"),
        ("postcode", "84-100", "84-100"),
        ("postcode", "84100", "84-100"),
    ],
)
def test_valid_raw_answers_are_normalised(qtype: str, raw: str, expected: Any) -> None:
    """Each type accepts the usual Polish spellings and returns one canonical typed value."""
    result = validate(q(qtype), raw)
    assert result.ok, result.error
    assert result.value == expected


@pytest.mark.parametrize(
    ("qtype", "raw", "pl", "en"),
    [
        (
            "pesel",
            "44051401358",
            "Nieprawidłowy numer PESEL (błędna suma kontrolna).",
            "Invalid PESEL number (wrong checksum).",
        ),
        ("pesel", "4405140135", "Numer PESEL ma 11 cyfr.", "A PESEL number has 11 digits."),
        ("money", "-5", "Kwota nie może być ujemna.", "The amount cannot be negative."),
        (
            "money",
            "12,345",
            "Kwota może mieć najwyżej 2 miejsca po przecinku.",
            "An amount can have at most 2 decimal places.",
        ),
        ("money", "12 zł 50", "Podaj kwotę w złotych, np. 1234,50.", "Enter an amount in PLN, e.g. 1234.50."),
        ("money", "1.23.4", "Nieprawidłowy zapis kwoty.", "Invalid amount format."),
        ("date", "31.02.2020", "Taka data nie istnieje.", "This date does not exist."),
        ("date", "2020/03/31", "Podaj datę w formacie dd.mm.rrrr.", "Enter a date as dd.mm.yyyy."),
        ("phone", "123", "Nieprawidłowy numer telefonu.", "Invalid phone number."),
        (
            "phone",
            "800-FLOWERS",
            "Numer telefonu może zawierać tylko cyfry, spacje i „+”.",
            "A phone number has only digits, spaces and '+'.",
        ),
        ("postcode", "8-4100", "Podaj kod pocztowy w formacie NN-NNN.", "Enter a postcode as NN-NNN."),
        ("integer", "3.5", "Podaj liczbę całkowitą.", "Enter a whole number."),
        ("yesno", "maybe", "Wybierz „tak” albo „nie”.", "Choose yes or no."),
        ("time", "24:00", "Podaj godzinę w formacie gg:mm.", "Enter a time as hh:mm."),
    ],
)
def test_invalid_raw_answers_give_polish_and_english_errors(qtype: str, raw: str, pl: str, en: str) -> None:
    """Errors are plain sentences in both languages."""
    result = validate(q(qtype), raw)
    assert not result.ok
    assert result.error == LocalText(pl, en)


def test_blank_answers_are_accepted_as_missing() -> None:
    """Blank input is 'no answer' (requiredness is a completion concern), for every type."""
    for qtype in ("text", "money", "date", "phone", "select_multiple"):
        assert validate(q(qtype, choices=CHOICES), "  ").value is None
    assert validate(q("select_multiple", choices=CHOICES), []).value is None
    assert validate(q("note"), "anything").ok


def test_select_answers_must_be_choices_and_keep_choice_order() -> None:
    """select_one takes one listed value; select_multiple stores listed values in the form's order."""
    one, many = q("select_one", choices=CHOICES), q("select_multiple", choices=CHOICES)
    assert validate(one, "cash").value == "cash"
    assert validate(one, "gold").error == LocalText(
        "Wybierz jedną z podanych odpowiedzi.", "Choose one of the listed answers."
    )
    assert validate(many, ["shopping", "food", "food"]).value == ["food", "shopping"]
    assert validate(many, "cash food").value == ["food", "cash"]
    assert not validate(many, ["food", "gold"]).ok


def test_constraint_uses_current_value_and_other_answers() -> None:
    """The constraint sees '.' and the answers in scope; its message is the question's own."""
    message = LocalText("Za dużo.", "Too much.")
    question = q("money", constraint=parse(". <= income_total"), constraint_message=message)
    assert validate(question, "100", answers={"income_total": Decimal(200)}).ok
    assert validate(question, "300", answers={"income_total": Decimal(200)}).error == message
    default = validate(q("integer", constraint=parse(". > 0")), "0").error
    assert default is not None
    assert default.en == "This answer does not meet the question's condition."


def test_pesel_must_match_the_birth_date_when_the_form_links_them() -> None:
    """consistent_with_birth_date compares the date coded in the PESEL with the named date answer."""
    question = q("pesel", consistent_with_birth_date="dob")
    assert validate(question, "44051401359", answers={"dob": dt.date(1944, 5, 14)}).ok
    result = validate(question, "44051401359", answers={"dob": dt.date(1944, 5, 15)})
    assert result.error == LocalText(
        "Numer PESEL nie zgadza się z datą urodzenia (15.05.1944).",
        "The PESEL number does not match the date of birth (15.05.1944).",
    )
    assert validate(question, "44051401359").ok  # no date yet: nothing to compare


@pytest.mark.parametrize(
    ("qtype", "raw", "stored"),
    [
        ("money", "1 234,5", "1234.50"),
        ("date", "1.4.2020", "2020-04-01"),
        ("datetime", "31.03.2020 14:30", "2020-03-31T14:30"),
        ("time", "9:05", "09:05"),
        ("yesno", "nie", False),
        ("integer", "12", 12),
        ("phone", "600100200", "+48600100200"),
        ("select_multiple", "food cash", ["food", "cash"]),
    ],
)
def test_storage_round_trip_is_exact(qtype: str, raw: str, stored: Any) -> None:
    """to_storage gives JSON-friendly values; from_storage gives back exactly the typed value."""
    question = q(qtype, choices=CHOICES)
    value = validate(question, raw).value
    assert to_storage(question, value) == stored
    assert from_storage(question, stored) == value


def test_from_storage_rejects_values_that_no_longer_validate() -> None:
    """A stored value that fails validation raises StorageError instead of leaking into a report."""
    with pytest.raises(StorageError):
        from_storage(q("select_one", choices=CHOICES), "removed_choice")
    with pytest.raises(StorageError):
        from_storage(q("repeat"), -1)


def test_display_uses_polish_formats_and_labels() -> None:
    """Values are shown with Polish separators and choice labels."""
    assert display(q("money"), Decimal("1234.5")) == "1 234,50 zł"
    assert display(q("date"), dt.date(2020, 4, 1)) == "01.04.2020"
    assert display(q("yesno"), True) == "tak"
    assert display(q("yesno"), True, "en") == "yes"


# --------------------------------------------------------------------------- property-based

AMOUNTS = st.decimals(
    min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False, allow_infinity=False
)


def polish_format(amount: Decimal, sep: str) -> str:
    whole, fraction = f"{amount:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sep.join(groups) + "," + fraction


@settings(max_examples=200)
@given(AMOUNTS, st.sampled_from([" ", "\u00a0", ".", ""]))
def test_money_accepts_polish_and_plain_formats(amount: Decimal, sep: str) -> None:
    """Any amount written Polish-style (grouped, comma decimals) or plainly parses to the same Decimal."""
    money = q("money")
    assert validate(money, polish_format(amount, sep)).value == amount
    assert validate(money, f"{amount:.2f}").value == amount
    assert from_storage(money, to_storage(money, amount)) == amount


@given(AMOUNTS.filter(lambda a: a > 0))
def test_money_rejects_negative_and_three_decimals(amount: Decimal) -> None:
    """Negative amounts and sub-grosz precision are errors, never silently rounded."""
    money = q("money")
    assert not validate(money, f"-{amount}").ok
    assert not validate(money, f"{amount:.2f}1").ok


@given(st.integers(0, 99999), st.booleans())
def test_postcode_normalises_with_or_without_dash(number: int, dash: bool) -> None:
    """Five digits with or without the dash become NN-NNN."""
    digits = f"{number:05d}"
    raw = f"{digits[:2]}-{digits[2:]}" if dash else digits
    assert validate(q("postcode"), raw).value == f"{digits[:2]}-{digits[2:]}"


@given(st.text(max_size=8))
def test_postcode_rejects_anything_else(raw: str) -> None:
    """Only NN-NNN (or NNNNN) is a postcode."""
    stripped = raw.strip()
    assume(
        not (
            len(stripped) in (5, 6)
            and stripped.replace("-", "").isascii()
            and stripped.replace("-", "").isdigit()
        )
    )
    assert validate(q("postcode"), raw).ok is (stripped == "")


POLISH_EXAMPLES = [
    phonenumbers.example_number_for_type("PL", t)
    for t in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
    )
]


@given(
    st.sampled_from(POLISH_EXAMPLES),
    st.sampled_from(["", "+48 ", "0048", "+48"]),
    st.sampled_from([" ", "-", ""]),
)
def test_phone_normalises_any_formatting_to_e164(
    number: phonenumbers.PhoneNumber, prefix: str, sep: str
) -> None:
    """Valid Polish numbers in any common formatting become the same E.164 string."""
    national = str(number.national_number)
    raw = prefix + sep.join([national[:3], national[3:6], national[6:]])
    assert validate(q("phone"), raw).value == f"+48{national}"


@given(st.text(max_size=16))
def test_phone_results_are_stable(raw: str) -> None:
    """Whatever goes in, an accepted number re-validates to itself (idempotent normalisation)."""
    result = validate(q("phone"), raw)
    if result.ok and result.value is not None:
        assert validate(q("phone"), result.value).value == result.value


def make_pesel(born: dt.date, serial: int) -> str:
    century = {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[born.year // 100]
    digits = f"{born.year % 100:02d}{born.month + century:02d}{born.day:02d}{serial:04d}"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return digits + str(check)


BIRTH_DATES = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2299, 12, 31))


@given(BIRTH_DATES, st.integers(0, 9999))
def test_generated_pesels_pass_and_match_their_birth_date(born: dt.date, serial: int) -> None:
    """Every PESEL built by the official algorithm is accepted and agrees with its date of birth."""
    number = make_pesel(born, serial)
    question = q("pesel", consistent_with_birth_date="dob")
    assert validate(question, number, answers={"dob": born}).value == number


@given(BIRTH_DATES, st.integers(0, 9999), st.integers(0, 10), st.integers(1, 9))
def test_pesel_with_one_digit_changed_fails(born: dt.date, serial: int, position: int, delta: int) -> None:
    """Changing any single digit breaks the checksum (weights 1, 3, 7, 9 are coprime with 10)."""
    number = make_pesel(born, serial)
    flipped = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    result = validate(q("pesel"), flipped)
    assert not result.ok
    assert result.error is not None
    assert "PESEL" in result.error.en
