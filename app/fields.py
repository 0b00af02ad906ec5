"""What every feature's field parsing shares: digits read the same way everywhere, lengths refused out loud.

Pure (no Flask, no database), below every feature: the form engine, registration, search, duplicates, referrals
and exports all call these before their own checks, so "４１０３…" is the same PESEL everywhere and "٨٤-١٢٠" is
refused everywhere. Messages come in Polish and English; Flask callers pick the user's language.
"""

from __future__ import annotations

import unicodedata

ASCII_DIGITS = frozenset("0123456789")


class FieldProblem(ValueError):
    """Input refused before any other check, with the message in both languages."""

    def __init__(self, pl: str, en: str) -> None:
        super().__init__(pl)
        self.pl = pl
        self.en = en

    def text(self, lang: str) -> str:
        """The message in `lang` ("en"), Polish otherwise."""
        return self.en if lang == "en" else self.pl


def ascii_digits(raw: str) -> str:
    """The text in Unicode NFKC (full-width "４" becomes "4", "－" becomes "-"), with every digit one of 0-9.

    Digits of other scripts (Arabic-Indic "٤", Devanagari "४", ...) are not silently read as numbers: they are
    refused, so a number is stored, searched and compared in one form only.
    """
    text = unicodedata.normalize("NFKC", raw)
    if any(ch.isdigit() and ch not in ASCII_DIGITS for ch in text):
        raise FieldProblem(
            "Wpisz liczbę zwykłymi cyframi 0–9 (ta wartość zawiera cyfry innego pisma).",
            "Type the number with the digits 0–9 (this value has digits of another script).",
        )
    return text


def _count(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


def check_length(text: str, limit: int) -> None:
    """Refuse text longer than `limit` characters, saying by how much; nothing is ever cut off."""
    if len(text) > limit:
        raise FieldProblem(
            f"Za długi tekst: najwyżej {_count(limit)} znaków, wpisano {_count(len(text))}. "
            "Skróć go — nic nie zostało obcięte.",
            f"Too long: at most {_count(limit)} characters, {_count(len(text))} typed. "
            "Shorten it — nothing was cut off.",
        )
