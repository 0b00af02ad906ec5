"""Field-level parsing of application data: PESEL, phone numbers, e-mail, dates; messages in Polish."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

import phonenumbers
from flask_babel import lazy_gettext as _l
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.pl import pesel as stdnum_pesel

from app.clock import LOCAL_TZ

PHONE_REGION = "PL"
T = TypeVar("T")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FieldError(ValueError):
    """A value that cannot be accepted, with the message to show next to its field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_pesel(raw: str) -> str | None:
    """A valid PESEL (11 digits, real birth date, check digit) or None when left blank."""
    value = re.sub(r"[\s-]", "", raw)
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


def parse_phone(raw: str) -> str | None:
    """A phone number in E.164 (Polish numbers may be typed without +48), or None when left blank."""
    value = raw.strip()
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise FieldError(str(_l("To nie wygląda na numer telefonu. Wpisz np. 601 234 567 albo +48 601 234 567."))) from None
    if not phonenumbers.is_valid_number(number):
        raise FieldError(
            str(_l("Nieprawidłowy numer telefonu. Polski numer ma 9 cyfr (np. 601 234 567); numer zagraniczny zacznij od +."))
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_key(raw: str) -> str | None:
    """The E.164 form of something typed in a search box, when it reads as a complete phone number."""
    digits = re.sub(r"[^\d+]", "", raw)
    if len(digits.lstrip("+")) < 9:
        return None
    try:
        return parse_phone(raw)
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


def parse_email(raw: str) -> str:
    """A plausible e-mail address, or "" when left blank."""
    value = raw.strip()
    if value and (len(value) > 254 or not _EMAIL.match(value)):
        raise FieldError(str(_l("Nieprawidłowy adres e-mail. Wpisz np. jan.kowalski@example.pl.")))
    return value


def parse_date(raw: str, *, today: date) -> date:
    """A date typed as 2026-04-07 or 07.04.2026, not in the future."""
    value = raw.strip()
    if not value:
        raise FieldError(str(_l("Podaj datę wpływu.")))
    parsed: date | None = None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(value, fmt).date()
            break
        except ValueError:
            continue
    if parsed is None:
        raise FieldError(str(_l("Nieprawidłowa data. Wpisz ją jako dd.mm.rrrr, np. 07.04.2026.")))
    if parsed > today:
        raise FieldError(str(_l("Data wpływu nie może być późniejsza niż dzisiaj.")))
    if parsed.year < 2000:
        raise FieldError(str(_l("Data wpływu jest zbyt odległa. Sprawdź rok.")))
    return parsed


def parse_past_date(raw: str, *, today: date, earliest: date) -> date:
    """The day something was sent, typed as 2026-04-07 or 07.04.2026: not in the future, not before `earliest`."""
    value = raw.strip()
    if not value:
        raise FieldError(str(_l("Podaj datę wysłania.")))
    parsed: date | None = None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(value, fmt).date()
            break
        except ValueError:
            continue
    if parsed is None:
        raise FieldError(str(_l("Nieprawidłowa data. Wpisz ją jako dd.mm.rrrr, np. 07.04.2026.")))
    if parsed > today:
        raise FieldError(str(_l("Data wysłania nie może być późniejsza niż dzisiaj.")))
    if parsed < earliest:
        raise FieldError(
            str(_l("Data wysłania nie może być wcześniejsza niż data wpływu wniosku (%(d)s).", d=earliest.strftime("%d.%m.%Y")))
        )
    return parsed


def parse_local_datetime(raw: str) -> datetime:
    """A date and time typed in Polish local time (datetime-local input), returned as aware UTC."""
    value = raw.strip()
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
    value = raw.strip()
    if not value:
        raise FieldError(missing)
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if parsed.year < 2000 or parsed.year > 2200:
            raise FieldError(str(_l("Ta data jest zbyt odległa. Sprawdź rok.")))
        return parsed
    raise FieldError(str(_l("Nieprawidłowa data. Wpisz ją jako dd.mm.rrrr, np. 07.04.2026.")))


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
