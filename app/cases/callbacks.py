"""Which call outcomes book a call-back, and at what time (issue 15, point 4).

Only a time the worker chose is booked: the form's time field starts empty and a preset is a tap of its own.
- "Prosi o telefon później" needs a time: the person asked to be called then.
- "Nie może bezpiecznie rozmawiać" (unsafe) takes one when the person names a safe time: the case comes back on the
  list then, and the record still says it was unsafe to talk.
- "Nie odbiera", "zajęte", "poczta głosowa" take one as the next try of that failed call: a call-back attached to
  it (as contact/retry.py books later), the outcome kept, so the count of failed calls goes on.
- The other outcomes (answered, wrong number, refused, guided to e-filing) book none; a time typed with them is
  refused with a message rather than dropped. A tapped preset means "call back" with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from flask_babel import lazy_gettext as _l

from app.cases import presets
from app.cases.models import CallOutcome
from app.fields import FieldError, local_input_value, parse_local_datetime

# Outcomes after which calling the same number again later makes sense (a wrong number needs another number).
RETRYABLE = frozenset({CallOutcome.NO_ANSWER, CallOutcome.BUSY, CallOutcome.VOICEMAIL})
NEEDS_TIME = frozenset({CallOutcome.CALL_BACK})
TAKES_TIME = NEEDS_TIME | {CallOutcome.UNSAFE} | RETRYABLE
# A call-back may be booked a little in the past (the clock on the phone, a slow form), not more.
CALLBACK_PAST_SLACK = timedelta(minutes=10)
CALLBACK_HORIZON = timedelta(days=92)


def outcome_for_preset(ticked: str) -> str:
    """A tapped call-back preset keeps an outcome that takes a time (unsafe, no answer…), else means "call back"."""
    return ticked if ticked in {o.value for o in TAKES_TIME} else CallOutcome.CALL_BACK.value


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


def outcome_callback(outcome: CallOutcome, preset: str, typed: str, now: datetime, tz: tzinfo) -> Moment:
    """The call-back `outcome` books from the preset tapped or the time typed: `Moment(None, typed)` when none.

    A time is read only when the worker gave one, or when the outcome needs it ("call back" without a time is
    refused at the field); a time typed with an outcome that books none is refused, never silently dropped.
    """
    given = bool(preset or typed.strip())
    if outcome in TAKES_TIME and (given or outcome in NEEDS_TIME):
        return callback_moment(preset, typed, now, tz)
    if given:
        return Moment(None, typed, str(_l(
            "Przy tym wyniku nie zapisuje się oddzwonienia. Usuń termin albo wybierz wynik, który go przewiduje "
            "(np. „prosi o telefon później”).")))
    return Moment(None, typed)
