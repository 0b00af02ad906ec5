"""One set of field parsers and formatters for every feature: PESEL, phone numbers, e-mail, dates, times, lengths.

Digits are read one way everywhere (`ascii_digits`: NFKC, then only 0-9), so "４１０３…" is the same PESEL
everywhere and "٨٤-١٢٠" is refused everywhere. `FieldProblem` carries a message in both languages for the pure
form engine; `FieldError` carries the message in the user's language for the web forms (registration, search,
referrals, appointments, offices, accounts). Below every feature: nothing here imports a feature.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.pl import pesel as stdnum_pesel

from app.clock import LOCAL_TZ
from app.dates import day_text

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


PHONE_REGION = "PL"
T = TypeVar("T")
PHONE_MAX = 30  # characters typed for one number, spaces and "+48" included
EMAIL_MAX = 254  # RFC 5321 path limit; the email columns have this length
# Longest texts of a case (characters; the columns' lengths): longer ones are refused, never cut.
NAME_MAX = 200
ADDRESS_MAX = 300
DETAIL_MAX = 200
NOTE_MAX = 2000
PHONE_LABEL_MAX = 60
SEARCH_MAX = 100
LIMITS = {
    "name": NAME_MAX, "address": ADDRESS_MAX, "detail": DETAIL_MAX, "note": NOTE_MAX, "phone": PHONE_MAX,
    "email": EMAIL_MAX, "phone_label": PHONE_LABEL_MAX, "search": SEARCH_MAX,
}


class FieldError(ValueError):
    """A value that cannot be accepted, with the message to show next to its field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refused(problem: FieldProblem) -> FieldError:
    """A shared field problem (app.fields) as this layer's error, in the user's language."""
    return FieldError(problem.text(str(get_locale() or "pl")[:2]))


def digits(raw: str) -> str:
    """`raw` with its digits read the one shared way (NFKC, only 0-9), or FieldError."""
    try:
        return ascii_digits(raw)
    except FieldProblem as exc:
        raise refused(exc) from None


def limited(text: str, limit: int) -> str:
    """`text` unchanged when it fits `limit` characters; FieldError saying by how much otherwise."""
    try:
        check_length(text, limit)
    except FieldProblem as exc:
        raise refused(exc) from None
    return text


def parse_pesel(raw: str) -> str | None:
    """A valid PESEL (11 digits, real birth date, check digit) or None when left blank."""
    value = re.sub(r"[\s-]", "", digits(raw))
    if not value:
        return None
    if not value.isdigit() or len(value) != 11:
        raise FieldError(str(_l("PESEL ma 11 cyfr. Sprawdź numer albo zostaw pole puste.")))
    try:
        stdnum_pesel.validate(value)
    except InvalidChecksum:
        raise FieldError(
            str(_l("Ten PESEL ma błędną cyfrę kontrolną. Sprawdź, czy żadna cyfra nie została przestawiona."))
        ) from None
    except InvalidComponent:
        raise FieldError(str(_l("Ten PESEL zawiera nieistniejącą datę urodzenia."))) from None
    except ValidationError:
        raise FieldError(str(_l("To nie jest prawidłowy numer PESEL."))) from None
    return value


def parse_name(raw: str) -> str:
    """The applicant's name with spaces collapsed; required, at most NAME_MAX characters."""
    name = " ".join(raw.split())
    if not name:
        raise FieldError(str(_l("Podaj imię i nazwisko wnioskodawcy.")))
    if len(name) > NAME_MAX:
        raise FieldError(str(_l("Imię i nazwisko może mieć najwyżej %(n)d znaków.", n=NAME_MAX)))
    return name


def parse_address(raw: str) -> str:
    """An address with spaces collapsed (may be blank), at most ADDRESS_MAX characters."""
    address = " ".join(raw.split())
    if len(address) > ADDRESS_MAX:
        raise FieldError(str(_l("Adres może mieć najwyżej %(n)d znaków.", n=ADDRESS_MAX)))
    return address


def codes(stored: str | None) -> list[str]:
    """A JSON list of codes as stored in a text column (requested help, help granted); [] when unreadable."""
    try:
        value = json.loads(stored or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def phone_e164(text: str) -> str | None:
    """The one phone parser: `text` as an E.164 number (Polish numbers may lack +48), None when it is none."""
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_phone(raw: str) -> str | None:
    """A phone number in E.164 (Polish numbers may be typed without +48), or None when left blank."""
    value = digits(raw).strip()
    if not value:
        return None
    if len(value) > PHONE_MAX:
        raise FieldError(str(_l("Numer telefonu może mieć najwyżej %(n)d znaków.", n=PHONE_MAX)))
    try:
        phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise FieldError(str(_l("To nie wygląda na numer telefonu. Wpisz np. 601 234 567 albo +48 601 234 567."))) from None
    if (e164 := phone_e164(value)) is None:
        raise FieldError(
            str(_l("Nieprawidłowy numer telefonu. Polski numer ma 9 cyfr (np. 601 234 567); numer zagraniczny zacznij od +."))
        )
    return e164


def phone_search_key(raw: str) -> str | None:
    """The E.164 form of something typed in a search box, when it reads as a complete phone number."""
    try:
        typed = digits(raw)
        if len(re.sub(r"[^0-9]", "", typed)) < 9:
            return None
        return parse_phone(typed)
    except FieldError:
        return None


def display_phone(e164: str) -> str:
    """A stored number as people read it: national format for Polish numbers, international otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == PHONE_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def international_phone(e164: str) -> str:
    """A stored number grouped for reading aloud and for forms: always international ("+48 601 234 567")."""
    try:
        number = phonenumbers.parse(e164, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_email(raw: str) -> str:
    """An e-mail address checked by `email-validator` (syntax only, no DNS look-up), or "" when left blank."""
    value = raw.strip()
    if not value:
        return ""
    if len(value) > EMAIL_MAX:
        raise FieldError(str(_l("Adres e-mail może mieć najwyżej %(n)d znaków.", n=EMAIL_MAX)))
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise FieldError(str(_l("Nieprawidłowy adres e-mail. Wpisz np. jan.kowalski@example.pl."))) from None


DAY_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")  # what <input type="date"> posts, and a day as Poles type it


def _typed_day(raw: str, missing: object) -> date:
    """A day typed as 2026-04-07 or 07.04.2026 (digits read the shared way); `missing` is the message when blank."""
    value = digits(raw).strip()
    if not value:
        raise FieldError(str(missing))
    for fmt in DAY_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise FieldError(str(_l("Nieprawidłowa data. Wpisz ją jako dd.mm.rrrr, np. 07.04.2026.")))


def parse_date(raw: str, *, today: date) -> date:
    """The day an application came in, typed as 2026-04-07 or 07.04.2026, not in the future."""
    parsed = _typed_day(raw, _l("Podaj datę wpływu."))
    if parsed > today:
        raise FieldError(str(_l("Data wpływu nie może być późniejsza niż dzisiaj.")))
    if parsed.year < 2000:
        raise FieldError(str(_l("Data wpływu jest zbyt odległa. Sprawdź rok.")))
    return parsed


def parse_past_date(raw: str, *, today: date, earliest: date) -> date:
    """The day something was sent, typed as 2026-04-07 or 07.04.2026: not in the future, not before `earliest`."""
    parsed = _typed_day(raw, _l("Podaj datę wysłania."))
    if parsed > today:
        raise FieldError(str(_l("Data wysłania nie może być późniejsza niż dzisiaj.")))
    if parsed < earliest:
        raise FieldError(
            str(_l("Data wysłania nie może być wcześniejsza niż data wpływu wniosku (%(d)s).", d=day_text(earliest)))
        )
    return parsed


def query_day(raw: str | None) -> date | None:
    """A day named in a link (`?date=2026-04-07`, ISO as date inputs send it); None when absent or unreadable."""
    try:
        return date.fromisoformat(ascii_digits(raw).strip()) if raw else None
    except ValueError:  # also FieldProblem: digits of another script
        return None


def parse_local_datetime(raw: str) -> datetime:
    """A date and time typed in Polish local time (datetime-local input), returned as aware UTC."""
    value = digits(raw).strip()
    if not value:
        raise FieldError(str(_l("Podaj dzień i godzinę telefonu.")))
    parsed: datetime | None = None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"):
        try:
            parsed = datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    if parsed is None:
        raise FieldError(str(_l("Nieprawidłowy termin. Wpisz dzień i godzinę, np. 07.04.2026 14:30.")))
    return parsed.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


def local_input_value(value: datetime | None) -> str:
    """A stored timestamp as the value of a datetime-local input."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def parse_day(raw: str, *, missing: str) -> date:
    """A calendar day typed as 2026-04-07 (date inputs) or 07.04.2026; `missing` is the message when left blank."""
    parsed = _typed_day(raw, missing)
    if parsed.year < 2000 or parsed.year > 2200:
        raise FieldError(str(_l("Ta data jest zbyt odległa. Sprawdź rok.")))
    return parsed


def parse_clock(raw: str, *, missing: str) -> time:
    """A time of day typed as 15:30 (time inputs) or 15.30; `missing` is the message when left blank."""
    value = raw.strip()
    if not value:
        raise FieldError(missing)
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", value)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise FieldError(str(_l("Nieprawidłowa godzina. Wpisz ją jako gg:mm, np. 19:00.")))
    return time(int(match[1]), int(match[2]))


def require_phone(raw: str, *, missing: str) -> str:
    """A phone number in E.164 that must be given; `missing` is the message when left blank."""
    number = parse_phone(raw)
    if number is None:
        raise FieldError(missing)
    return number


def collect(errors: dict[str, str], name: str, parse: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run one field's parser: its value, or None with the parser's message put in `errors[name]`."""
    try:
        return parse(*args, **kwargs)
    except FieldError as exc:
        errors[name] = exc.message
        return None


def optional_day(errors: dict[str, str], name: str, raw: str) -> date | None:
    """A day that may be left blank (a validity date): None when blank, else as `parse_day` reads it."""
    return collect(errors, name, parse_day, raw, missing="") if raw.strip() else None
