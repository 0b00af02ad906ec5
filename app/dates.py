"""The one way dates are written on screen and in PDFs: Polish dd.mm.rrrr, English d MMM yyyy.

Babel's "short" formats mix "2.12.2026" with "02.12.2026" in Polish and write US-style 11/30/26 in English;
every template filter and PDF goes through these two helpers instead.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime

from app.clock import LOCAL_TZ

DATE_PATTERNS = {"pl": "dd.MM.yyyy", "en": "d MMM yyyy"}
TIME_PATTERN = "HH:mm"


def _lang(lang: str | None) -> str:
    if lang is None:
        from flask import has_request_context
        from flask_babel import get_locale

        locale = get_locale() if has_request_context() else None  # outside a request (CLI, jobs): Polish
        lang = locale.language if locale is not None else "pl"
    return lang if lang in DATE_PATTERNS else "pl"


def day_text(value: date | datetime | None, lang: str | None = None) -> str:
    """A calendar day ("02.12.2026" / "2 Dec 2026"); a timestamp is first put into Polish local time."""
    if value is None:
        return ""
    code = _lang(lang)
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date() if value.tzinfo else value.date()
    return str(babel_date(value, DATE_PATTERNS[code], locale=code))


def moment_text(value: datetime | None, lang: str | None = None) -> str:
    """A timestamp in Polish local time with the day and the clock ("02.12.2026, 14:05")."""
    if value is None:
        return ""
    code = _lang(lang)
    pattern = f"{DATE_PATTERNS[code]}, {TIME_PATTERN}"
    if value.tzinfo is None:  # naive values are UTC, as stored
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return str(babel_datetime(value, pattern, tzinfo=LOCAL_TZ, locale=code))
