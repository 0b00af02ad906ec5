"""app/fields.py: the one way digits are read (NFKC, then only 0-9) and lengths are refused."""

from __future__ import annotations

from datetime import date

import pytest

from app.fields import FieldProblem, ascii_digits, check_length, query_day


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("４１０３１４１２３４３", "41031412343"),  # full-width digits
        ("８４－１２０", "84-120"),  # full-width digits and hyphen-minus
        ("601²34", "601234"),  # a superscript is a compatibility form of 2
        ("12.05.2026", "12.05.2026"),
        ("", ""),
        ("Łódź", "Łódź"),  # letters untouched
    ],
)
def test_compatibility_digits_become_ascii(typed: str, read: str) -> None:
    """NFKC turns compatibility forms into plain digits and punctuation."""
    assert ascii_digits(typed) == read


@pytest.mark.parametrize("typed", ["٨٤-١٢٠", "۶۰۱", "४१०३", "๑๒๓", "𝟙𝟚x٣"])
def test_digits_of_other_scripts_are_refused(typed: str) -> None:
    """Arabic-Indic, Persian, Devanagari, Thai digits are not numbers here: refused with both messages."""
    with pytest.raises(FieldProblem) as refused:
        ascii_digits(typed)
    assert "0–9" in refused.value.pl and "0–9" in refused.value.en
    assert refused.value.text("en") == refused.value.en and refused.value.text("pl") == refused.value.pl


def test_length_limit_names_the_limit_and_the_count() -> None:
    """At the limit passes; one over is refused, saying both numbers in Polish digit grouping."""
    check_length("x" * 10_000, 10_000)
    with pytest.raises(FieldProblem) as refused:
        check_length("x" * 12_006, 10_000)
    assert "10\u00a0000" in refused.value.pl and "12\u00a0006" in refused.value.pl
    assert "nic nie zostało obcięte" in refused.value.pl


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026-04-07", date(2026, 4, 7)), (" 2026-04-07 ", date(2026, 4, 7)), ("２０２６-０４-０７", date(2026, 4, 7)),
     ("", None), (None, None), ("jutro", None), ("2026-02-30", None), ("٢٠٢٦-٠٤-٠٧", None)],
)
def test_a_day_in_a_link_is_read_or_left_out(raw: str | None, expected: date | None) -> None:
    """`?date=` and the like: an ISO day, or None (the page then shows its default) — never an error page."""
    assert query_day(raw) == expected
