"""Which call outcomes book a call-back at the time given (issue 15, point 4).

"Prosi o telefon później" books one; so does "nie może swobodnie rozmawiać" (unsafe) when the person names a
safe time: the case must come back on the list then, and the record must still say it was unsafe to talk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from flask_babel import lazy_gettext as _l

from app.cases import presets
from app.cases.models import CallOutcome
from app.fields import FieldError, local_input_value, parse_local_datetime

BOOKS_CALLBACK = frozenset({CallOutcome.CALL_BACK, CallOutcome.UNSAFE})
# A call-back may be booked a little in the past (the clock on the phone, a slow form), not more.
CALLBACK_PAST_SLACK = timedelta(minutes=10)
CALLBACK_HORIZON = timedelta(days=92)


def outcome_for_preset(ticked: str) -> str:
    """A tapped call-back preset keeps an outcome that books call-backs (unsafe), else means "call back later"."""
    return ticked if ticked in {o.value for o in BOOKS_CALLBACK} else CallOutcome.CALL_BACK.value


def books_callback(outcome: CallOutcome, *, time_given: bool) -> bool:
    """Whether this outcome, with or without a time typed or tapped, books a call-back."""
    if outcome is CallOutcome.CALL_BACK:
        return True
    return outcome is CallOutcome.UNSAFE and time_given


@dataclass(frozen=True)
class Moment:
    """A call-back time as read from the form: when it falls, or why it is refused, and what the field shows again."""

    at: datetime | None  # aware UTC; None when refused
    shown: str  # the field's value: a tapped preset shows the time it meant, a typed one stays as typed
    error: str = ""  # the message for the time field


def callback_moment(preset: str, typed: str, now: datetime, tz: tzinfo) -> Moment:
    """When a call-back (or the next try of a failed call) falls: a tapped preset resolved from `now` in the
    office's zone `tz`, else the date and time typed.

    Refused with a message for the time field: an unknown preset, a time that cannot be read, or one more than a
    few minutes past or more than three months ahead.
    """
    if preset:
        chosen = presets.parse_preset(preset)
        if chosen is None:
            return Moment(None, typed, str(_l("Nieznany szybki termin. Wybierz jeden z przycisków albo wpisz "
                                             "dzień i godzinę.")))
        at = presets.resolve(chosen, now, tz)
        shown = local_input_value(at)  # so the worker sees what the button meant if anything is refused
    else:
        try:
            at = parse_local_datetime(typed)
        except FieldError as exc:
            return Moment(None, typed, exc.message)
        shown = typed
    if at < now - CALLBACK_PAST_SLACK:
        return Moment(None, shown, str(_l("Termin telefonu minął. Podaj godzinę w przyszłości.")))
    if at > now + CALLBACK_HORIZON:
        return Moment(None, shown, str(_l("Termin jest zbyt odległy: najwyżej 3 miesiące naprzód.")))
    return Moment(at, shown)
